from django import forms
from django.core.exceptions import ValidationError
from phonenumber_field.formfields import PhoneNumberField

from agents.attestations import ATTESTATIONS
from agents.models import (
    AgentDocument,
    AgentLanguage,
    AgentProfile,
    AgentSkill,
    speciality_choices,
)
from common.forms import Form
from common.limits import bounds
from common.taxids import pan_clean

LEVELS = [
    (n, f"{n} — {label}")
    for n, label in enumerate(["basic", "working", "good", "very good", "expert"], start=1)
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


class ProfileForm(Form):
    full_name = forms.CharField(max_length=150)
    former_employer = forms.CharField(max_length=150, required=False)
    city = forms.CharField(
        max_length=150,
        help_text="Start typing and pick your city from the list.",
        widget=forms.TextInput(attrs={"list": "city-options", "autocomplete": "off"}),
    )
    geoname_id = forms.IntegerField(
        widget=forms.HiddenInput, required=False, **bounds(AgentProfile, "geoname_id")
    )


class PhoneForm(Form):
    phone = PhoneNumberField(
        region="IN", label="Mobile number", help_text="We text you a six-digit code."
    )


class PhoneCodeForm(Form):
    code = forms.RegexField(
        regex=r"^\s*\d{6}\s*$",
        label="Code from the SMS",
        error_messages={"invalid": "The code has six digits."},
    )


# No level is chosen for the agent: with "1 — basic" preselected, re-adding a language (or a
# skill) one already has to change it reset it to 1/5 unless the agent noticed the select.
CHOOSE_LEVEL = [("", "Choose…"), *LEVELS]


class LanguageForm(Form):
    language = forms.ChoiceField(
        choices=AgentLanguage.Code.choices,
        help_text="One you already have? Choosing it again changes its proficiency.",
    )
    proficiency = forms.TypedChoiceField(choices=CHOOSE_LEVEL, coerce=int)


class SkillForm(Form):
    domain = forms.ChoiceField(choices=AgentSkill.Domain.choices)
    sub_skill = forms.ChoiceField(required=False, label="Speciality", choices=speciality_choices)
    level = forms.TypedChoiceField(choices=CHOOSE_LEVEL, coerce=int)
    years = forms.IntegerField(label="Years of experience", **bounds(AgentSkill, "years"))


class BankForm(Form):
    holder_name = forms.CharField(
        max_length=70,
        label="Account holder's name",
        help_text=(
            "Exactly as your bank holds it, in English letters (A-Z), as printed on your "
            "passbook or cheque book. Payments to a name in another script cannot be made."
        ),
    )
    ifsc = forms.CharField(max_length=11, required=False, label="IFSC (Indian accounts)")
    account_number = forms.CharField(max_length=18, required=False, label="Account number")
    iban = forms.CharField(max_length=42, required=False, label="IBAN (accounts outside India)")

    def clean(self):
        data = super().clean()
        if not data.get("iban") and not (data.get("ifsc") and data.get("account_number")):
            raise forms.ValidationError("Enter an IFSC and an account number, or an IBAN.")
        return data


class PanForm(Form):
    pan = forms.CharField(
        max_length=12,
        label="PAN",
        help_text="Your Permanent Account Number, as on your PAN card: e.g. ABCPK1234F.",
    )

    def clean_pan(self) -> str:
        try:
            return pan_clean(self.cleaned_data["pan"])
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None


class DocumentForm(Form):
    kind = forms.ChoiceField(choices=AgentDocument.Kind.choices)
    title = forms.CharField(max_length=150, required=False, help_text="For certificates.")
    expires_on = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Expires on"
    )
    file = forms.FileField(help_text="PDF, JPEG or PNG, up to 5 MB.")

    def __init__(self, *args, refused: str = "", **kwargs):
        """`refused`: why the upload was stopped before it was read (`upload_refusal`); the
        form then has no file, and says why instead of "required"."""
        super().__init__(*args, **kwargs)
        if refused:
            self.fields["file"].error_messages["required"] = refused


class AttestationForm(Form):
    def __init__(self, *args, outstanding: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        for attestation in ATTESTATIONS:
            if attestation.kind in outstanding:
                self.fields[attestation.kind] = forms.BooleanField(
                    label=f"{attestation.title}: {attestation.text}", required=True
                )


class AvailabilityForm(Form):
    """One window a day, in the agent's own time zone; leave a day empty to be unavailable."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i, day in enumerate(WEEKDAYS):
            time = forms.TimeInput(attrs={"type": "time"})
            self.fields[f"start_{i}"] = forms.TimeField(
                required=False, label=f"{day} from", widget=time
            )
            self.fields[f"end_{i}"] = forms.TimeField(required=False, label="to", widget=time)

    def windows(self):
        data, windows = self.cleaned_data, []
        for i, day in enumerate(WEEKDAYS):
            start, end = data.get(f"start_{i}"), data.get(f"end_{i}")
            if bool(start) != bool(end):
                self.add_error(f"end_{i}", f"Give both times for {day}, or neither.")
            elif start:
                windows.append((i, start, end))
        return windows
