"""Forms of the staff pages on agents (vetting, TDS): they parse input; the services decide."""

from django import forms

from agents.models import AgentLanguage, AgentProfile, AgentSkill
from common.forms import Form
from common.limits import bounds

Status = AgentProfile.Status


class QueueFilterForm(Form):
    status = forms.ChoiceField(choices=Status.choices, required=False)
    domain = forms.ChoiceField(
        choices=[("", "Any domain"), *AgentSkill.Domain.choices], required=False
    )
    language = forms.ChoiceField(
        choices=[("", "Any language"), *AgentLanguage.Code.choices], required=False
    )
    city = forms.CharField(max_length=100, required=False, strip=True)
    # Only agents with a check back in review (they changed what it vouched for, issue 13).
    reopened = forms.BooleanField(required=False, label="Checks back in review")

    def filters(self) -> dict[str, str]:
        """The valid filters, with defaults in place of missing or invalid ones."""
        self.is_valid()  # cleaned_data then holds the valid fields only
        data = self.cleaned_data
        return {
            "status": data.get("status") or Status.IN_REVIEW,
            "domain": data.get("domain") or "",
            "language": data.get("language") or "",
            "city": data.get("city") or "",
            "reopened": bool(data.get("reopened")),
        }


class CheckDecisionForm(Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    reason = forms.CharField(max_length=500, required=False, strip=True)
    expires_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class AgentDecisionForm(Form):
    ACTIONS = [
        ("verify", "Verify"),
        ("reject", "Reject"),
        ("suspend", "Suspend"),
        ("reinstate", "Reinstate"),
    ]
    # Which actions the page offers in each status; the services enforce the same rules.
    ACTIONS_BY_STATUS = {
        Status.IN_REVIEW: ["verify", "reject"],
        Status.VERIFIED: ["suspend"],
        Status.SUSPENDED: ["reinstate"],
    }

    action = forms.ChoiceField(choices=ACTIONS)
    reason = forms.CharField(max_length=500, required=False, strip=True)


class TdsForm(Form):
    tds_rate = forms.DecimalField(label="TDS %", **bounds(AgentProfile, "tds_rate"))


def form_error_message(form: forms.Form) -> str:
    """A form's errors as one sentence for a flash message."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label or name.replace("_", " ").capitalize()
        parts.append(f"{label}: {' '.join(errors)}")
    return " ".join(parts)
