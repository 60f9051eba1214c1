"""The firm's email forms (issue 18): queues, addresses, IMAP mailboxes, reply templates and
the conversations' filters first; the email campaigns' forms follow at the end of the file.

Choices are the firm's own (its lines, queues, addresses): another firm's id is an invalid
choice. The rules (a line's languages, a placeholder, an address taken) are the services'."""

from django import forms

from campaigns.models import ContactList
from clients.models import ClientFirm, StaffingRequest
from common.forms import Form
from common.limits import bounds
from mailroom.models import Address, Conversation, EmailCampaign, Mailbox, Queue
from mailroom.rendering import template_problems

LANGUAGE_FIELD = {"max_length": 3, "required": False}


class QueueForm(Form):
    name = forms.CharField(max_length=100)
    line = forms.ModelChoiceField(queryset=None, help_text="Its agents, skill and hours.")
    language = forms.CharField(
        **LANGUAGE_FIELD,
        help_text="A language code of the line's (en, hi…), or blank: each message's detected.",
    )
    first_response_minutes = forms.IntegerField(
        label="First-response target (business minutes)",
        **bounds(Queue, "first_response_minutes"),
    )
    display_name = forms.CharField(
        max_length=100, required=False, help_text="Replies are sent and signed as this name."
    )
    is_active = forms.BooleanField(required=False, initial=True, label="Active")

    def __init__(self, *args, firm: ClientFirm, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = firm.lines.order_by("name", "pk")


class AddressForm(Form):
    email = forms.EmailField(label="Address consumers write to", max_length=254)


class MailboxForm(Form):
    address = forms.ModelChoiceField(queryset=None, help_text="The address this mailbox receives.")
    host = forms.CharField(max_length=255, label="IMAP server")
    port = forms.IntegerField(initial=993, **bounds(Mailbox, "port"))
    use_ssl = forms.BooleanField(required=False, initial=True, label="SSL/TLS")
    username = forms.CharField(max_length=255)
    password = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Never shown again. Leave blank to keep the one saved.",
    )
    folder = forms.CharField(max_length=255, initial="INBOX")
    is_active = forms.BooleanField(required=False, initial=True, label="Poll this mailbox")

    def __init__(self, *args, queue: Queue, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["address"].queryset = Address.objects.filter(queue=queue).order_by("email")


class TemplateForm(Form):
    name = forms.CharField(max_length=100)
    queue = forms.ModelChoiceField(queryset=None, required=False, empty_label="Every queue")
    language = forms.CharField(**LANGUAGE_FIELD, help_text="Blank: any language.")
    body = forms.CharField(
        widget=forms.Textarea,
        max_length=10000,
        help_text="Placeholders: {customer_name}, {agent_name}, {firm_name}.",
    )

    def __init__(self, *args, firm: ClientFirm, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["queue"].queryset = Queue.objects.filter(firm=firm).order_by("name", "pk")


BREACHED = [("", "Any"), ("yes", "Target missed"), ("no", "Within target")]


class ConversationFilterForm(Form):
    queue = forms.ModelChoiceField(queryset=None, required=False, empty_label="All queues")
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *Conversation.Status.choices]
    )
    breached = forms.ChoiceField(required=False, choices=BREACHED, label="First response")
    language = forms.CharField(max_length=3, required=False)

    def __init__(self, *args, firm: ClientFirm, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["queue"].queryset = Queue.objects.filter(firm=firm).order_by("name", "pk")

    def filters(self) -> dict:
        data = self.cleaned_data
        breached = {"yes": True, "no": False}.get(data.get("breached") or "")
        return {
            "queue": data.get("queue"),
            "status": data.get("status") or "",
            "breached": breached,
            "language": data.get("language") or "",
        }


"""client_forms (issue 18)."""

# --- H4 (campaigns): the firm's email campaign forms -----------------------------------------


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
