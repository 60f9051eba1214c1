"""Schedules' forms: a request's demand (a week grid or a CSV paste), the week to show, a
swap's partner."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django import forms

from common.forms import Form
from common.limits import bounds
from teams.models import DEMAND_CALLS, RequestDemand, half_hour_label

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
CSV_MAX_CHARS = 20_000  # a whole week, 7 x 48 lines, fits several times over
FIRST_WEEK, LAST_WEEK = dt.date(2000, 1, 3), dt.date(2099, 12, 28)


def cell_name(weekday: int, half_hour: int) -> str:
    return f"d{weekday}_{half_hour}"


class WeekForm(Form):
    """?week=YYYY-MM-DD: any day of the week to show (its Monday is taken)."""

    week = forms.DateField(required=False, input_formats=["%Y-%m-%d"])

    def clean_week(self) -> dt.date | None:
        day = self.cleaned_data.get("week")
        if day is not None and not FIRST_WEEK <= day <= LAST_WEEK:
            raise forms.ValidationError("Choose a week from 2000 to 2099.")
        return day


class DemandGridForm(Form):
    """Calls per hour for each worked half-hour (`cells`: (weekday, half_hour) pairs); a
    blank cell is 0 (every cell is stored: "the flat rate" is its own button). Fields are
    named d<weekday>_<half_hour>."""

    def __init__(self, *args, cells=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.cells = list(cells)
        for weekday, half_hour in self.cells:
            self.fields[cell_name(weekday, half_hour)] = forms.DecimalField(
                required=False,
                label=f"{WEEKDAYS[weekday]} {half_hour_label(half_hour)}",
                **bounds(RequestDemand, "calls_per_hour"),
            )

    def demand(self) -> dict[tuple[int, int], Decimal]:
        found = {}
        for weekday, half_hour in self.cells:
            value = self.cleaned_data.get(cell_name(weekday, half_hour))
            found[(weekday, half_hour)] = value or Decimal(0)
        return found


def _parse_line(number: int, line: str) -> tuple[tuple[int, int], Decimal]:
    parts = [part.strip() for part in line.split(",")]
    if len(parts) != 3:
        raise forms.ValidationError(
            f"Line {number}: write weekday,HH:MM,calls_per_hour (e.g. Mon,09:30,40)."
        )
    day, clock, calls = parts
    names = [name.lower() for name in WEEKDAYS]
    if day.isdigit() and int(day) < 7:
        weekday = int(day)
    elif day[:3].lower() in names:
        weekday = names.index(day[:3].lower())
    else:
        raise forms.ValidationError(f"Line {number}: the weekday is 0-6 (0 = Monday) or Mon-Sun.")
    try:
        at = dt.datetime.strptime(clock, "%H:%M").time()
    except ValueError:
        at = None
    if at is None or at.minute not in (0, 30):
        raise forms.ValidationError(f"Line {number}: the time is a half-hour, HH:00 or HH:30.")
    try:
        rate = Decimal(calls)
    except InvalidOperation:
        rate = None
    if rate is None or not rate.is_finite() or not DEMAND_CALLS.low <= rate <= DEMAND_CALLS.high:
        raise forms.ValidationError(
            f"Line {number}: calls per hour are a number from {DEMAND_CALLS.low} to "
            f"{DEMAND_CALLS.high}."
        )
    if rate != rate.quantize(Decimal("0.1")):
        raise forms.ValidationError(f"Line {number}: calls per hour have at most one decimal.")
    return (weekday, at.hour * 2 + at.minute // 30), rate


class DemandCsvForm(Form):
    """weekday,HH:MM,calls_per_hour lines; a header line and blank lines are skipped."""

    csv = forms.CharField(
        label="Demand as CSV",
        max_length=CSV_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "Mon,09:00,40\nMon,09:30,55"}),
        help_text="One line per half-hour: weekday (Mon-Sun or 0-6), HH:MM, calls per hour.",
    )

    def clean_csv(self) -> dict[tuple[int, int], Decimal]:
        found: dict[tuple[int, int], Decimal] = {}
        for number, raw in enumerate(self.cleaned_data["csv"].splitlines(), start=1):
            line = raw.strip()
            if not line or (number == 1 and line.lower().startswith("weekday")):
                continue
            key, rate = _parse_line(number, line)
            if key in found:
                raise forms.ValidationError(
                    f"Line {number}: {WEEKDAYS[key[0]]} {half_hour_label(key[1])} is given twice."
                )
            found[key] = rate
        return found


class SwapForm(Form):
    to_agent = forms.TypedChoiceField(coerce=int, label="Offer to")

    def __init__(self, *args, partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_agent"].choices = [(a.pk, a.full_name or f"Agent {a.pk}") for a in partners]
