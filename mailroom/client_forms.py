"""client_forms (issue 18)."""

# --- H4 (campaigns): the firm's email campaign forms -----------------------------------------
from django import forms

from campaigns.models import ContactList
from clients.models import StaffingRequest
from common.forms import Form
from common.limits import bounds
from mailroom.models import Address, EmailCampaign
from mailroom.rendering import template_problems

TEMPLATE_HELP = (
    "Fields: {name}, {first_name}, {email} and your list's own columns, e.g. {policy_no}. "
    "Write {{ or }} for a brace. A field a contact lacks stays as written."
)


class EmailCampaignForm(Form):
    """A campaign's settings; the service checks again that every part is the firm's."""

    name = forms.CharField(max_length=EmailCampaign._meta.get_field("name").max_length)
    request = forms.ModelChoiceField(
        queryset=StaffingRequest.objects.none(),
        label="Staffing request",
        help_text="Each email sent is billed at this request's campaign-email rate.",
    )
    address = forms.ModelChoiceField(queryset=Address.objects.none(), label="From address")
    lists = forms.ModelMultipleChoiceField(
        queryset=ContactList.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Contact lists",
    )
    subject = forms.CharField(
        max_length=EmailCampaign._meta.get_field("subject").max_length, help_text=TEMPLATE_HELP
    )
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=20000,
        help_text="Plain text; links become clickable. An unsubscribe line is added below it.",
    )
    rate_per_minute = forms.IntegerField(
        label="Emails a minute", **bounds(EmailCampaign, "rate_per_minute")
    )

    def __init__(self, *args, firm, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["request"].queryset = StaffingRequest.objects.filter(
            firm=firm, campaign_email_rate__isnull=False
        ).order_by("-created_at")
        self.fields["address"].queryset = Address.objects.filter(
            queue__firm=firm, is_active=True
        ).select_related("queue")
        self.fields["lists"].queryset = ContactList.objects.filter(firm=firm).order_by("name")

    def _template(self, name: str) -> str:
        value = self.cleaned_data[name]
        problems = template_problems(value)
        if problems:
            raise forms.ValidationError(" ".join(problems))
        return value

    def clean_subject(self) -> str:
        return self._template("subject")

    def clean_body(self) -> str:
        return self._template("body")


class EmailCampaignScheduleForm(Form):
    scheduled_at = forms.DateTimeField(
        label="Send at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M"],
        help_text="In the staffing request's time zone.",
    )


class EmailCampaignTestForm(Form):
    to = forms.EmailField(label="Send a test to")


class EmailSuppressionForm(Form):
    email = forms.EmailField(label="Address")
