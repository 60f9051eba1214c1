"""The agent's forms on their statement: a query and a follow-up (the rules are the service's)."""

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from common.forms import Form
from common.money import format_money


class LineChoice(forms.ModelChoiceField):
    def label_from_instance(self, t) -> str:
        when = timezone.localtime(t.occurred_at).strftime("%d %b %Y %H:%M")
        return f"{when} · {t.firm.name} · {format_money(t.agent_amount, t.currency)}"


class DisputeOpenForm(Form):
    line = LineChoice(
        queryset=None,
        required=False,
        empty_label="The statement as a whole",
        label="What is the query about?",
    )
    body = forms.CharField(
        label="Your question", max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, lines: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = lines  # the statement's own lines only


class DisputeReplyForm(Form):
    body = forms.CharField(
        label="Write again", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
