"""The agent's outbound buttons (POST): Call and Skip name the contact shown to them."""

from django import forms

from common.forms import Form
from common.limits import ROW_ID


class TargetForm(Form):
    """The contact the agent was shown (the dialer checks it is still theirs to call)."""

    target = forms.IntegerField(widget=forms.HiddenInput, **ROW_ID.bounds())
