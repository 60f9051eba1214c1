from django import forms
from django.core.exceptions import ValidationError
from phonenumber_field.formfields import PhoneNumberField

from agents.gazetteer import Place, place_find
from agents.models import speciality_choices
from clients.customer_context import FIELD_NAME_MAX, FIELDS_MAX, fields_check
from clients.marketplace import estimate_for, request_problems
from clients.models import (
    SCRIPT_BODY_MAX,
    ClientFirm,
    ContextSource,
    Currency,
    DispositionCode,
    FirmMember,
    Language,
    LineLanguage,
    LinePrompt,
    OutboundRateUnit,
    PhoneLine,
    RateUnit,
    ScorecardCriterion,
    StaffingRequest,
    WebhookEvent,
)
from clients.models import Domain as SkillDomain
from clients.prompts import PLACEHOLDERS, PromptKey, default_text, placeholders_check, voice_for
from clients.quality import MAX_CRITERIA, CriterionInput
from common.errors import ApplicationError
from common.forms import Form, ModelForm
from common.limits import ROW_ID, bounds
from common.taxids import STATE_CHOICES, gstin_clean

WEEKDAYS = [
    (str(i), name) for i, name in enumerate(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
]
LANGUAGE_CHOICES = [("", "—"), *Language.choices]


def places_parse(text: str) -> list[Place]:
    """'Mangaluru' or 'Madurai, Tamil Nadu', one per line (or ';'), each an exact gazetteer name."""
    places, unknown = [], []
    for raw in text.replace(";", "\n").splitlines():
        if not raw.strip():
            continue
        name, _, state = raw.partition(",")
        place = place_find(name, country_code="IN", state=state.strip())
        (places if place else unknown).append(place or raw.strip())
    if unknown:
        raise forms.ValidationError(
            "We don't know " + ", ".join(f"“{u}”" for u in unknown) + ": check the spelling."
        )
    if not places:
        raise forms.ValidationError("Name at least one city.")
    return places


class FirmForm(ModelForm):
    class Meta:
        model = ClientFirm
        fields = ["name", "currency", "contact_name", "contact_email", "contact_phone"]


class FirmTaxForm(Form):
    """The firm as its tax invoices name it (clients.services.firm_tax_details_set)."""

    legal_name = forms.CharField(
        max_length=200, required=False, help_text="As registered; blank: the firm's name."
    )
    billing_address = forms.CharField(
        max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    state = forms.ChoiceField(
        choices=[("", "—"), *STATE_CHOICES],
        required=False,
        help_text="Where your firm is registered for GST: the invoice's place of supply.",
    )
    gstin = forms.CharField(
        max_length=20,
        required=False,
        label="GSTIN",
        help_text="15 characters, e.g. 29AAKCK3307B1ZS. Leave blank if the firm is not registered.",
    )

    @classmethod
    def initial_for(cls, firm: ClientFirm) -> dict:
        return {name: getattr(firm, name) for name in cls.base_fields}

    def clean(self):
        data = super().clean()
        gstin = (data.get("gstin") or "").strip()
        if gstin:
            try:
                data["gstin"] = gstin_clean(gstin, state=data.get("state") or "")
            except ValidationError as error:
                self.add_error("gstin", error)
        return data


class FirmCreateForm(Form):
    name = forms.CharField(max_length=150)
    engagement_type = forms.ChoiceField(
        choices=ClientFirm.EngagementType.choices, widget=forms.RadioSelect
    )
    currency = forms.ChoiceField(choices=Currency.choices)
    contact_name = forms.CharField(max_length=150)
    contact_email = forms.EmailField()
    contact_phone = PhoneNumberField(region="IN", required=False)
    admin_email = forms.EmailField(
        label="First admin's email", help_text="We email them an invitation to join."
    )


class InviteForm(Form):
    email = forms.EmailField(label="Colleague's email")
    role = forms.ChoiceField(choices=FirmMember.Role.choices, initial=FirmMember.Role.MEMBER)


class InviteAcceptForm(Form):
    name = forms.CharField(max_length=150, label="Your name")
    password = forms.CharField(widget=forms.PasswordInput, min_length=8, label="Choose a password")


class ApiKeyForm(Form):
    name = forms.CharField(max_length=100, help_text="The system that will use it, e.g. “CRM”.")


class ReasonForm(Form):
    reason = forms.CharField(max_length=500, required=False)


class EndReasonForm(Form):
    """Ending an engagement: the other side reads the reason."""

    reason = forms.CharField(max_length=500, help_text="The other side reads it.")


class LineForm(Form):
    number = PhoneNumberField(region="IN", help_text="The number your customers dial.")
    name = forms.CharField(max_length=100)
    domain = forms.ChoiceField(choices=SkillDomain.choices, label="Skill")
    sub_skill = forms.ChoiceField(
        choices=speciality_choices,
        required=False,
        label="Speciality",
        help_text="From the list agents choose theirs from, under the skill above.",
    )
    region = forms.CharField(
        label="Default region", help_text="Used when a caller's origin is unknown, e.g. Mangaluru."
    )
    time_zone = forms.CharField(max_length=64, initial="Asia/Kolkata")
    business_days = forms.MultipleChoiceField(
        choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple, initial=["0", "1", "2", "3", "4"]
    )
    opens_at = forms.TimeField(initial="09:00", widget=forms.TimeInput(attrs={"type": "time"}))
    closes_at = forms.TimeField(initial="18:00", widget=forms.TimeInput(attrs={"type": "time"}))
    # The limits are the model's (its validators): read here for the inputs' min and max.
    ring_timeout_seconds = forms.IntegerField(
        initial=20, **bounds(PhoneLine, "ring_timeout_seconds")
    )
    wrap_up_seconds = forms.IntegerField(initial=30, **bounds(PhoneLine, "wrap_up_seconds"))
    max_wait_seconds = forms.IntegerField(initial=180, **bounds(PhoneLine, "max_wait_seconds"))
    # Optional: a form posted without it (an older page, a script) gets the default, 20 s.
    service_level_target_seconds = forms.IntegerField(
        initial=20,
        required=False,
        label="Answer within (seconds)",
        help_text="A call answered within this many seconds counts as in time (blank: 20).",
        **bounds(PhoneLine, "service_level_target_seconds"),
    )
    language_1 = forms.ChoiceField(choices=LANGUAGE_CHOICES, label="Language 1")
    digit_1 = forms.IntegerField(
        required=False, label="Menu digit 1", **bounds(LineLanguage, "menu_digit")
    )
    language_2 = forms.ChoiceField(choices=LANGUAGE_CHOICES, required=False, label="Language 2")
    digit_2 = forms.IntegerField(
        required=False, label="Menu digit 2", **bounds(LineLanguage, "menu_digit")
    )
    language_3 = forms.ChoiceField(choices=LANGUAGE_CHOICES, required=False, label="Language 3")
    digit_3 = forms.IntegerField(
        required=False, label="Menu digit 3", **bounds(LineLanguage, "menu_digit")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A speciality from before the shared list (migration clients.0010 kept it): offered
        # as it is, so that saving the line for another reason does not silently widen it to
        # the domain in general; the service then asks for one from the list.
        current = self.initial.get("sub_skill", "")
        if current and not any(current in dict(group) for _, group in speciality_choices()[1:]):
            field = self.fields["sub_skill"]
            field.choices = [*field.choices, (current, f"{current} (not on the list)")]

    def clean_region(self) -> Place:
        return places_parse(self.cleaned_data["region"])[0]

    def service_kwargs(self) -> dict:
        d = dict(self.cleaned_data)
        languages = [(d.pop(f"language_{i}"), d.pop(f"digit_{i}")) for i in (1, 2, 3)]
        d["languages"] = [(code, digit) for code, digit in languages if code]
        d["region_geoname_id"] = d.pop("region").geoname_id
        d["business_days"] = "".join(d["business_days"])
        if d.get("service_level_target_seconds") is None:
            d["service_level_target_seconds"] = PhoneLine._meta.get_field(
                "service_level_target_seconds"
            ).default
        return d


def _placeholders_validator(key: str):
    def validate(text: str) -> None:
        try:
            placeholders_check(key, text)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error

    return validate


class LinePromptsForm(Form):
    """A line's prompts in one language, one field a prompt: blank plays the catalogue's text
    (shown as the placeholder)."""

    def __init__(self, *args, language: str, offered: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        speaks = voice_for(language, offered=offered).language
        for key, label in PromptKey.choices:
            default, _ = default_text(key, language, offered=offered)
            names = " ".join(f"{{{x}}}" for x in sorted(PLACEHOLDERS[key]))
            self.fields[key] = forms.CharField(
                label=label,
                required=False,
                validators=[_placeholders_validator(key)],
                max_length=LinePrompt._meta.get_field("text").max_length,
                help_text=f"May name {names}." if names else "",
                widget=forms.Textarea(attrs={"rows": 2, "placeholder": default, "lang": speaks}),
            )


class RequestForm(Form):
    # Every figure's bounds are the model's (its Range); the service checks them again with
    # the model's validators, whose messages say what is wrong in the user's words.
    title = forms.CharField(max_length=150)
    domain = forms.ChoiceField(choices=SkillDomain.choices, label="Skill")
    sub_skill = forms.ChoiceField(
        choices=speciality_choices,
        required=False,
        label="Speciality",
        help_text="From the list agents choose theirs from, under the skill above.",
    )
    languages = forms.MultipleChoiceField(
        choices=Language.choices, widget=forms.CheckboxSelectMultiple
    )
    regions = forms.CharField(
        label="Regions served",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One city per line, e.g. “Mangaluru” or “Madurai, Tamil Nadu”.",
    )
    region_radius_km = forms.IntegerField(
        initial=250, label="Agents within (km)", **bounds(StaffingRequest, "region_radius_km")
    )
    lines = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The lines these agents answer (none: all your lines with this skill).",
    )
    days = forms.MultipleChoiceField(
        choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple, initial=["0", "1", "2", "3", "4"]
    )
    starts_at = forms.TimeField(initial="09:00", widget=forms.TimeInput(attrs={"type": "time"}))
    ends_at = forms.TimeField(initial="18:00", widget=forms.TimeInput(attrs={"type": "time"}))
    start_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    calls_per_hour = forms.DecimalField(
        label="Calls per hour", **bounds(StaffingRequest, "calls_per_hour")
    )
    aht_seconds = forms.IntegerField(
        label="Average handle time (seconds)", initial=180, **bounds(StaffingRequest, "aht_seconds")
    )
    target_level = forms.IntegerField(
        label="Answered (%)", initial=80, **bounds(StaffingRequest, "target_level")
    )
    target_seconds = forms.IntegerField(
        label="… within (seconds)", initial=20, **bounds(StaffingRequest, "target_seconds")
    )
    shrinkage = forms.IntegerField(
        label="Shrinkage (%)",
        initial=30,
        help_text="Breaks, training, absence.",
        **bounds(StaffingRequest, "shrinkage"),
    )
    headcount = forms.IntegerField(
        required=False,
        label="Agents wanted",
        help_text="Leave empty to use our staffing estimate.",
        **bounds(StaffingRequest, "headcount"),
    )
    rate_unit = forms.ChoiceField(choices=RateUnit.choices, label="Paid")
    rate = forms.DecimalField(label="Rate per unit", **bounds(StaffingRequest, "rate"))
    minimum_per_call = forms.DecimalField(initial=0, **bounds(StaffingRequest, "minimum_per_call"))
    # Outbound calls (campaigns): rates of their own, optional (no rate: no outbound work).
    outbound_rate_unit = forms.ChoiceField(
        choices=OutboundRateUnit.choices,
        required=False,
        initial=OutboundRateUnit.PER_CONNECT,
        label="Outbound calls (campaigns): paid",
        help_text="Per call the contact answers, per started minute of talk, or per attempt.",
    )
    outbound_rate = forms.DecimalField(
        required=False,
        label="Outbound rate",
        help_text="Leave empty if these agents make no outbound calls.",
        **bounds(StaffingRequest, "outbound_rate"),
    )
    # Email (mailroom): optional rates of their own (no rate: no such work on this request).
    email_rate = forms.DecimalField(
        required=False,
        label="Rate per handled email conversation",
        help_text="Paid when the agent sends the first reply. Leave empty if these agents "
        "answer no email.",
        **bounds(StaffingRequest, "email_rate"),
    )
    campaign_email_rate = forms.DecimalField(
        required=False,
        label="Rate per campaign email sent",
        help_text="Leave empty if this request sends no email campaigns.",
        **bounds(StaffingRequest, "campaign_email_rate"),
    )

    def __init__(self, *args, firm: ClientFirm, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lines"].queryset = firm.lines.all()

    def clean_regions(self) -> list[Place]:
        return places_parse(self.cleaned_data["regions"])

    def clean(self) -> dict:
        """Every mistake at once: the rules across fields run even when a field was refused
        (each one whose own fields are valid), and so does the staffing estimate, so a firm
        fixes the form in one go instead of meeting the next error after each post."""
        data = super().clean()
        for field, message in request_problems(data):
            self.add_error(field, message)
        figures = ["calls_per_hour", "aht_seconds", "target_level", "target_seconds", "shrinkage"]
        if all(data.get(name) is not None for name in figures):
            try:
                estimate_for(**{name: data[name] for name in figures})
            except ApplicationError as error:
                self.add_error(error.field, error.message)
        return data

    def service_kwargs(self) -> dict:
        d = dict(self.cleaned_data)
        d["region_ids"] = [p.geoname_id for p in d.pop("regions")]
        d["line_ids"] = [line.pk for line in d.pop("lines")]
        d["days"] = "".join(d["days"])
        return d


class AssignForm(Form):
    agents = forms.TypedMultipleChoiceField(coerce=int, choices=[])

    def __init__(self, *args, candidates: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agents"].choices = [(c["agent"].pk, str(c["agent"])) for c in candidates]


class ScorecardForm(Form):
    """A scorecard and its criteria: one row per criterion (label, weight, order), the
    existing ones first, then a few blank rows to add more. A row left without a label is
    ignored; an existing one cleared is removed (its past scores keep their label)."""

    BLANK_ROWS = 3

    name = forms.CharField(max_length=100)
    is_active = forms.BooleanField(
        required=False, initial=True, label="In use (untick to retire: past scores stay)"
    )

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        criteria = list(criteria)
        self.row_count = min(len(criteria) + self.BLANK_ROWS, MAX_CRITERIA)
        for i in range(self.row_count):
            known = criteria[i] if i < len(criteria) else None
            self.fields[f"id_{i}"] = forms.IntegerField(
                required=False,
                widget=forms.HiddenInput,
                min_value=ROW_ID.low,
                max_value=ROW_ID.high,
            )
            self.fields[f"label_{i}"] = forms.CharField(
                required=False,
                max_length=150,
                label=f"Criterion {i + 1}",
                widget=forms.TextInput(attrs={"aria-label": f"Criterion {i + 1}"}),
            )
            self.fields[f"weight_{i}"] = forms.IntegerField(
                required=False,
                label="Weight",
                widget=forms.NumberInput(attrs={"aria-label": f"Weight of criterion {i + 1}"}),
                **bounds(ScorecardCriterion, "weight"),
            )
            self.fields[f"position_{i}"] = forms.IntegerField(
                required=False,
                label="Order",
                min_value=1,
                max_value=MAX_CRITERIA,
                widget=forms.NumberInput(attrs={"aria-label": f"Order of criterion {i + 1}"}),
            )
            if known is not None and not self.is_bound:
                self.initial |= {
                    f"id_{i}": known.pk,
                    f"label_{i}": known.label,
                    f"weight_{i}": known.weight,
                    f"position_{i}": i + 1,
                }

    def rows(self) -> list[dict]:
        """The criterion rows' bound fields, for the template."""
        return [
            {name: self[f"{name}_{i}"] for name in ("id", "label", "weight", "position")}
            for i in range(self.row_count)
        ]

    def criteria(self) -> list[CriterionInput]:
        data, found = self.cleaned_data, []
        for i in range(self.row_count):
            label = (data.get(f"label_{i}") or "").strip()
            if not label:
                continue
            found.append(
                CriterionInput(
                    label=label,
                    weight=data.get(f"weight_{i}") or 1,
                    position=data.get(f"position_{i}") or i + 1,
                    criterion_id=data.get(f"id_{i}"),
                )
            )
        return found


class LineAfterCallForm(Form):
    """The line's survey, sticky agent and escalation number (clients.services
    line_after_call_set): the bounds are the model's."""

    survey_enabled = forms.BooleanField(
        required=False,
        label="Ask callers to rate the call",
        help_text="After the agent hangs up, a caller still on the line presses 1 to 5.",
    )
    sticky_days = forms.IntegerField(
        label="Returning callers go to their last agent for (days)",
        help_text="A caller who calls again within these days is offered first to the agent "
        "who last served them, when that agent is free. 0: off.",
        **bounds(PhoneLine, "sticky_days"),
    )
    escalation_number = PhoneNumberField(
        region="IN",
        required=False,
        help_text="Your own desk's number: agents may transfer a caller there.",
    )
    route_franchise_first = forms.BooleanField(
        required=False,
        label="Route to the nearest franchise first",
        help_text="Calls go to the agency's local team nearest the caller that has a free "
        "agent for the call, its nearest such agent; with none free, to the nearest agent.",
    )

    @classmethod
    def initial_for(cls, line: PhoneLine) -> dict:
        return {
            "survey_enabled": line.survey_enabled,
            "sticky_days": line.sticky_days,
            "escalation_number": line.escalation_number or "",
            "route_franchise_first": line.route_franchise_first,
        }


# --- Customer context and contacts (issue 16) ----------------------------------------------


class LineContextForm(Form):
    """Where a line's customer context comes from and what the agent sees. The address is
    checked by the service (common.outbound.url_check: HTTPS, a public host), its refusal
    shown on the field."""

    source = forms.ChoiceField(
        choices=ContextSource.choices, widget=forms.RadioSelect, label="Customer context"
    )
    url = forms.CharField(
        required=False,
        max_length=500,
        label="Endpoint address",
        help_text="HTTPS, on the public internet: https://crm.example.com/homeshore/context",
    )
    fields = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=FIELDS_MAX * (FIELD_NAME_MAX + 2),
        label="Fields the agent sees, one a line, in this order",
        help_text=f"At most {FIELDS_MAX}. Anything else your system sends is dropped.",
    )
    keep = forms.BooleanField(
        required=False,
        label="Keep the context on the call's record after the call",
        help_text="Off: it is deleted when the agent's wrap-up ends.",
    )

    @staticmethod
    def initial_for(line: PhoneLine) -> dict:
        return {
            "source": line.context_source,
            "url": line.context_url,
            "fields": "\n".join(line.context_fields),
            "keep": line.context_keep,
        }

    def clean_fields(self) -> list[str]:
        lines = self.cleaned_data["fields"].splitlines()
        try:
            return fields_check(lines)
        except ApplicationError as error:
            raise ValidationError(error.message) from None


class ContactUploadForm(Form):
    file = forms.FileField(
        label="Contacts (CSV, UTF-8)",
        help_text="Columns: number, name, language, external_id, then your own fields.",
    )

    def __init__(self, *args, refused: str = "", **kwargs):
        """`refused`: why the upload was stopped before it was read (agents.uploads'
        handler: a request over 5 MB); the form then has no file, and says why."""
        super().__init__(*args, **kwargs)
        if refused:
            self.fields["file"].error_messages["required"] = refused


class ContactSearchForm(Form):
    q = forms.CharField(required=False, max_length=100, label="Name or number")


# --- Webhooks (issue 16) ---------------------------------------------------------------


class WebhookForm(Form):
    """Adding or changing an endpoint. The address is checked by the service (HTTPS, a public
    host: common.outbound.url_check), whose refusal lands on the `url` field."""

    url = forms.CharField(
        label="Address",
        max_length=500,
        help_text="HTTPS, on the public internet, e.g. https://crm.example.com/homeshore.",
    )
    events = forms.MultipleChoiceField(
        choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )
    description = forms.CharField(max_length=100, required=False)


class WebhookEditForm(WebhookForm):
    is_active = forms.BooleanField(
        label="Active", required=False, help_text="Off: no new events are written for it."
    )


class RecordsForm(Form):
    notes_in_records = forms.BooleanField(
        label="Include the agents' call notes in call records (API and CSV)", required=False
    )


# --- The agent's workspace: a line's scripts and disposition codes (issue 16) -------------


class ScriptForm(Form):
    """One language's script ("": the default), Markdown."""

    body = forms.CharField(
        label="Script (Markdown)",
        max_length=SCRIPT_BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="Headings (#), lists (-), **bold**, *italics*, links, quotes. No images or HTML.",
    )


class DispositionAddForm(Form):
    code = forms.CharField(
        max_length=32, help_text="Your own short code, as in your records (e.g. RES)."
    )
    label = forms.CharField(max_length=80, help_text="What the agent picks, in your words.")
    kind = forms.ChoiceField(choices=DispositionCode.Kind.choices, initial="other")


class DispositionEditForm(Form):
    label = forms.CharField(max_length=80)
    kind = forms.ChoiceField(choices=DispositionCode.Kind.choices)
