"""The notification settings form: two checkboxes (email, page) per kind the user can receive."""

from django import forms

from accounts.models import Notification
from common.forms import Form


class NotificationSettingsForm(Form):
    def __init__(self, *args, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        for kind in kinds:
            label = Notification.Kind(kind).label
            self.fields[f"email_{kind}"] = forms.BooleanField(required=False, label=label)
            self.fields[f"page_{kind}"] = forms.BooleanField(required=False, label=label)

    @classmethod
    def initial_from(cls, choices: dict[str, tuple[bool, bool]]) -> dict[str, bool]:
        initial = {}
        for kind, (email, page) in choices.items():
            initial[f"email_{kind}"], initial[f"page_{kind}"] = email, page
        return initial

    def choices(self) -> dict[str, tuple[bool, bool]]:
        data = self.cleaned_data
        return {kind: (data[f"email_{kind}"], data[f"page_{kind}"]) for kind in self.kinds}

    def rows(self):
        """(label, email field, page field) a kind, for the template's table."""
        for kind in self.kinds:
            yield Notification.Kind(kind).label, self[f"email_{kind}"], self[f"page_{kind}"]
