"""The audit viewer's filter: input parsing only; who sees what is the selector's."""

from django import forms

from accounts.models import User
from accounts.staff_selectors import audit_actions_for, audited_types
from common.forms import Form, past_day_field
from common.limits import ROW_ID
from common.models import AuditAction

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AuditFilterForm(Form):
    actor = forms.CharField(
        required=False, max_length=254, label="Actor", help_text='An email address, or "system".'
    )
    action = forms.ChoiceField(required=False)
    object_type = forms.ChoiceField(required=False, label="Object type")
    object_id = forms.IntegerField(required=False, label="Object id", **ROW_ID.bounds())
    date_from = past_day_field("From", widget=DATE)
    date_to = past_day_field("To (inclusive)", widget=DATE)

    def __init__(self, *args, viewer: User, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = audit_actions_for(viewer)
        actions = [(v, text) for v, text in AuditAction.choices if allowed is None or v in allowed]
        self.fields["action"].choices = [("", "Any action"), *actions]
        self.types = {f"{t.app_label}.{t.model}": t for t in audited_types()}
        choices = [(key, f"{t.app_label}: {t.name}") for key, t in self.types.items()]
        self.fields["object_type"].choices = [("", "Any object"), *choices]

    def clean(self):
        data = super().clean()
        if data.get("object_id") is not None and not data.get("object_type"):
            self.add_error("object_type", "Choose the object's type for its id.")
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date is before the start date.")
        return data

    def filters(self) -> dict:
        data = self.cleaned_data
        return {
            "actor": data.get("actor") or "",
            "action": data.get("action") or "",
            "content_type": self.types.get(data.get("object_type") or ""),
            "object_id": data.get("object_id"),
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }
