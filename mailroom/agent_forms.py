"""The agent's forms: a reply (with a template picked from the firm's), and how many email
conversations they take at once."""

from django import forms

from agents.models import AgentProfile
from common.forms import Form
from common.limits import bounds
from mailroom.replies import BODY_MAX


class ReplyForm(Form):
    template = forms.ModelChoiceField(queryset=None, required=False, label="Template")
    body = forms.CharField(
        label="Your reply", max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 8})
    )

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates


class CapacityForm(Form):
    email_capacity = forms.IntegerField(
        label="Email conversations at once", **bounds(AgentProfile, "email_capacity")
    )
