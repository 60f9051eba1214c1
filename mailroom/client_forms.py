"""The firm's email forms (issue 18): queues, addresses, IMAP mailboxes, reply templates and
the conversations' filters first; the email campaigns' forms follow at the end of the file.

Choices are the firm's own (its lines, queues, addresses): another firm's id is an invalid
choice. The rules (a line's languages, a placeholder, an address taken) are the services'."""

from django import forms

from clients.models import ClientFirm
from common.forms import Form
from common.limits import bounds
from mailroom.models import Address, Conversation, Mailbox, Queue

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
