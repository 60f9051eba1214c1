"""Campaigns' forms. Lists and imports first; campaign forms follow at the end."""

import datetime as dt

from django import forms

from campaigns.models import Campaign, Category, ContactList
from clients.models import Engagement, Language, PhoneLine
from common.forms import Form
from common.limits import bounds

# --- Lists, do-not-call and the registry (campaigns.imports) --------------------------------


class ImportUploadForm(Form):
    file = forms.FileField(label="File (CSV in UTF-8, or XLSX)")

    def __init__(self, *args, refused: str = "", label: str = "", help_text: str = "", **kwargs):
        """`refused`: why the upload was stopped before it was read (agents.uploads' handler:
        a request over CAMPAIGNS_IMPORT_MAX_BYTES); the form then has no file, and says why."""
        super().__init__(*args, **kwargs)
        if label:
            self.fields["file"].label = label
        self.fields["file"].help_text = help_text
        if refused:
            self.fields["file"].error_messages["required"] = refused


class ContactListForm(Form):
    name = forms.CharField(label="New list", max_length=120)


class SuppressionAddForm(Form):
    number = forms.CharField(
        label="Number", max_length=40, help_text="Without +, a number is read as Indian."
    )


WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
DATES_MAX = 60  # excluded dates on one campaign
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _number(name: str, label: str, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(label=label, help_text=help_text, **bounds(Campaign, name))


class CampaignForm(Form):
    """A campaign's settings (its agents are chosen on a page of their own, once its line is
    known). The services validate again: the line is the firm's, the window, the dates."""

    name = forms.CharField(max_length=Campaign._meta.get_field("name").max_length)
    purpose = forms.ChoiceField(
        choices=Campaign.Purpose.choices,
        widget=forms.RadioSelect,
        help_text="Promotional calls keep to 09:00–21:00 in the contact's time and are checked "
        "against the national do-not-call registry; service calls are not.",
    )
    category = forms.ChoiceField(
        choices=Category.choices,
        label="Category",
        help_text="The regulator's (TRAI's) category of what you offer: people on the "
        "national do-not-call registry may block some categories and accept others.",
    )
    mode = forms.ChoiceField(choices=Campaign.Mode.choices, widget=forms.RadioSelect)
    line = forms.ModelChoiceField(
        queryset=PhoneLine.objects.none(),
        label="Caller ID",
        help_text="The contact sees this line's number; its script and outcomes are the "
        "campaign's.",
    )
    sub_skill = forms.CharField(
        max_length=Campaign._meta.get_field("sub_skill").max_length,
        required=False,
        label="Speciality",
        help_text="Within the line's skill; blank: any.",
    )
    languages = forms.MultipleChoiceField(
        choices=Language.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="None ticked: any language the agent speaks.",
    )
    lists = forms.ModelMultipleChoiceField(
        queryset=ContactList.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Contact lists",
    )
    fields_shown = forms.CharField(
        max_length=800,
        required=False,
        label="Contact fields agents see",
        help_text="Names of your contact fields, separated by commas (e.g. plan, renewal_date).",
    )
    starts_on = forms.DateField(widget=DATE, label="First day")
    ends_on = forms.DateField(widget=DATE, label="Last day")
    window_start = forms.TimeField(widget=TIME, label="Calls from")
    window_end = forms.TimeField(
        widget=TIME, label="Calls until", help_text="In each contact's own local time."
    )
    excluded_weekdays = forms.TypedMultipleChoiceField(
        choices=list(enumerate(WEEKDAY_NAMES)),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Never on",
    )
    excluded_dates = forms.CharField(
        max_length=DATES_MAX * 12,
        required=False,
        label="Never on these dates",
        help_text="Dates as YYYY-MM-DD, separated by commas (holidays).",
    )
    retry_no_answer_minutes = _number(
        "retry_no_answer_minutes", "No answer: try again after (minutes)", "0: never again."
    )
    retry_busy_minutes = _number("retry_busy_minutes", "Busy: try again after (minutes)")
    retry_failed_minutes = _number("retry_failed_minutes", "Failed: try again after (minutes)")
    retry_machine_minutes = _number(
        "retry_machine_minutes", "Answering machine: try again after (minutes)"
    )
    max_attempts = _number("max_attempts", "Attempts per contact, at most")
    max_attempts_per_day = _number("max_attempts_per_day", "Attempts per contact a day, at most")

    def __init__(self, *args, firm, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = PhoneLine.objects.filter(firm=firm, is_active=True)
        self.fields["lists"].queryset = ContactList.objects.filter(firm=firm).order_by("name")

    def clean_fields_shown(self) -> list[str]:
        return [f.strip() for f in self.cleaned_data["fields_shown"].split(",") if f.strip()]

    def clean_excluded_dates(self) -> list[str]:
        found = []
        for raw in self.cleaned_data["excluded_dates"].split(","):
            if not raw.strip():
                continue
            try:
                found.append(dt.date.fromisoformat(raw.strip()).isoformat())
            except ValueError as error:
                raise forms.ValidationError(f"“{raw.strip()}” is not a YYYY-MM-DD date.") from error
        if len(found) > DATES_MAX:
            raise forms.ValidationError(f"At most {DATES_MAX} dates.")
        return found

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("lists")
        return data

    @staticmethod
    def initial_for(campaign: Campaign) -> dict:
        return {
            **{
                name: getattr(campaign, name)
                for name in CampaignForm.base_fields
                if name != "lists"
            },
            "line": campaign.line_id,
            "lists": list(campaign.lists.values_list("pk", flat=True)),
            "fields_shown": ", ".join(campaign.fields_shown),
            "excluded_dates": ", ".join(campaign.excluded_dates),
        }


class CampaignAgentsForm(Form):
    engagements = forms.ModelMultipleChoiceField(
        queryset=Engagement.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Agents",
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["engagements"]
        field.queryset = choices
        field.label_from_instance = lambda e: (
            f"{e.agent.full_name} (engaged until {e.ends_on:%d %b %Y})"
        )
