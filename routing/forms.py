"""The Calls pages' GET forms: the period picker and the call history's filters."""

import datetime as dt
import zoneinfo

from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from agents.models import AgentProfile
from clients.models import ClientFirm, DispositionCode, Engagement
from common.dates import local_midnight
from common.forms import Form as CleanForm
from common.forms import past_day_field
from routing.analytics import MAX_PERIOD_DAYS, Period
from routing.models import COACHING_NOTE_MAX, NOTES_MAX, Call
from routing.services.wrapup import CALLBACK_AHEAD


class PeriodForm(forms.Form):
    """Today, the last 7 days, this month, or a range of days (at most MAX_PERIOD_DAYS)."""

    PERIODS = [
        ("today", "Today"),
        ("7d", "Last 7 days"),
        ("month", "This month"),
        ("range", "Choose dates"),
    ]
    DEFAULT = "7d"

    period = forms.ChoiceField(choices=PERIODS, required=False, initial=DEFAULT)
    start = past_day_field("From")
    end = past_day_field("To")

    def clean(self) -> dict:
        data = super().clean()
        today = timezone.localdate()
        start, end = data.get("start"), data.get("end")
        period = data.get("period") or ("range" if start or end else self.DEFAULT)
        if period == "range":
            if self.errors:
                return data  # a date that did not parse: its own message says so
            if start is None or end is None:
                raise forms.ValidationError("Give both dates of the range, or choose a period.")
            if start > end:
                raise forms.ValidationError("The first day comes after the last.")
            if (end - start).days + 1 > MAX_PERIOD_DAYS:
                raise forms.ValidationError(f"Choose at most {MAX_PERIOD_DAYS} days.")
        data["period"] = period
        data["chosen"] = period_of(period, start, end, today=today)
        return data


def period_of(period: str, start, end, *, today: dt.date) -> Period:
    if period == "today":
        return Period(today, today)
    if period == "month":
        return Period(today.replace(day=1), today)
    if period == "range":
        return Period(start, end)
    return Period(today - dt.timedelta(days=6), today)


def period_from(params) -> tuple[PeriodForm, Period]:
    """The form as filled in (errors shown) and the period it chose — the default one when
    it has errors: bad input is a message on the page, never a 500."""
    form = PeriodForm(params or None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["chosen"]
    return form, period_of(PeriodForm.DEFAULT, None, None, today=timezone.localdate())


def agents_of_firm(firm: ClientFirm):
    """The agents a firm may filter its calls by: engaged with it, or who took its calls."""
    return (
        AgentProfile.objects.filter(
            Q(Exists(Engagement.objects.filter(firm=firm, agent=OuterRef("pk"))))
            | Q(Exists(Call.objects.filter(firm=firm, agent=OuterRef("pk"))))
        )
        .only("pk", "full_name")
        .order_by("full_name", "pk")
    )


class CallFilterForm(forms.Form):
    """The firm's call history: by line, agent, outcome and dates. Choices are the firm's own:
    another firm's line or agent id is an invalid choice (a message, no rows)."""

    line = forms.ModelChoiceField(queryset=None, required=False, empty_label="All lines")
    agent = forms.ModelChoiceField(queryset=None, required=False, empty_label="All agents")
    outcome = forms.ChoiceField(
        required=False, choices=[("", "All outcomes"), *Call.Status.choices]
    )
    start = past_day_field("From")
    end = past_day_field("To")

    def __init__(self, *args, firm: ClientFirm, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = firm.lines.order_by("name", "pk")
        self.fields["agent"].queryset = agents_of_firm(firm)
        self.fields["agent"].label_from_instance = lambda agent: agent.full_name

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError("The first day comes after the last.")
        return data

    def filter(self, calls):
        """`calls` (the firm's) narrowed by the valid filters."""
        data = self.cleaned_data
        if data.get("line"):
            calls = calls.filter(line=data["line"])
        if data.get("agent"):
            calls = calls.filter(agent=data["agent"])
        if data.get("outcome"):
            calls = calls.filter(status=data["outcome"])
        if data.get("start"):
            calls = calls.filter(created_at__gte=local_midnight(data["start"]))
        if data.get("end"):
            end = data["end"] + dt.timedelta(days=1)
            calls = calls.filter(created_at__lt=local_midnight(end))
        return calls


# --- The agent's workspace: wrap-up and transfer (POST forms) -----------------------------


class CodeSelect(forms.Select):
    """The line's codes, each option marked with its kind (`data-kind`): the workspace's
    script shows "Call back at" only while a "callback" code is chosen."""

    def __init__(self, *args, kinds: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = kinds or {}

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if kind := self.kinds.get(str(value)):
            option["attrs"]["data-kind"] = kind
        return option


CALLBACK_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class WrapUpForm(CleanForm):
    """The disposition (one of the line's active codes) and the agent's notes, both required;
    with a "callback" code, optionally when the agent agreed to call back — typed in the
    agent's own time zone, in the future and within 30 days. The service checks them all
    again on the locked call."""

    disposition = forms.ChoiceField(label="Disposition")
    notes = forms.CharField(
        label="Notes", max_length=NOTES_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    callback_at = forms.DateTimeField(
        label="Call back at",
        required=False,
        input_formats=CALLBACK_FORMATS,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "data-callback-at": ""}, format=CALLBACK_FORMATS[0]
        ),
    )

    def __init__(self, *args, codes=(), time_zone: str = "Asia/Kolkata", **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone = time_zone
        self.kinds = {str(code.pk): code.kind for code in codes}
        field = self.fields["disposition"]
        field.widget = CodeSelect(kinds=self.kinds)
        field.choices = [("", "Choose…")] + [(str(code.pk), code.label) for code in codes]
        self.fields[
            "callback_at"
        ].help_text = (
            f"With a callback code: your own time ({time_zone}). Empty: as soon as possible."
        )

    def full_clean(self):
        # The agent types a time on their own clock: read it in their zone, not the site's.
        try:
            zone = zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = timezone.get_current_timezone()
        with timezone.override(zone):
            super().full_clean()

    def clean(self) -> dict:
        data = super().clean()
        at = data.get("callback_at")
        if self.kinds.get(str(data.get("disposition"))) != DispositionCode.Kind.CALLBACK:
            data["callback_at"] = None  # a time only means something with a callback code
        elif at is not None:
            now = timezone.now()
            if not now < at <= now + CALLBACK_AHEAD:
                self.add_error("callback_at", "Choose a time in the future, within 30 days.")
        return data


class TransferForm(CleanForm):
    """Where the agent sends the caller: one of the firm's other lines, or the escalation
    number ("escalation")."""

    to = forms.ChoiceField(label="Transfer the caller to")

    def __init__(self, *args, targets=(), escalation: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(f"line-{line.pk}", f"{line.name} ({line.number})") for line in targets]
        if escalation:
            choices.append(("escalation", f"Escalation desk ({escalation})"))
        self.fields["to"].choices = choices

    def target(self) -> dict:
        to = self.cleaned_data["to"]
        if to == "escalation":
            return {"escalation": True}
        return {"to_line_id": int(to.removeprefix("line-"))}


# --- A team lead's pages (issue 19) ----------------------------------------------------------


class CoachingNoteForm(CleanForm):
    text = forms.CharField(
        label="Coaching note",
        max_length=COACHING_NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The agent reads it beside their call-quality scores.",
    )


class OffDutyForm(CleanForm):
    reason = forms.CharField(
        max_length=200, help_text="The agent is told, with this reason; it is kept on record."
    )
