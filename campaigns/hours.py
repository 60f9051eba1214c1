"""Calling hours in the contact's local time (pure: no database).

TRAI's rule (TCCCPR 2018) lets promotional calls reach a person only from 09:00 to 21:00
their time; a campaign narrows that with its own window, weekdays and dates it never calls.
A contact whose time zone is unknown is called only when the moment is allowed in every zone
its number may be in (`phonenumbers.timezone`, offline): a US number whose zone we cannot
tell is called only inside the hours common to all its zones.
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import timezone as number_zones

PROMOTIONAL_START = dt.time(9, 0)
PROMOTIONAL_END = dt.time(21, 0)
LOOKAHEAD_DAYS = 9  # how far ahead the next allowed moment is searched for
# phonenumbers' answer for a number it cannot place: not a zone at all.
UNKNOWN_ZONE = "Etc/Unknown"
# phonenumbers still gives some zones by their old IANA names (India's as "Asia/Calcutta");
# people read, and the proof records, today's names. zoneinfo knows both.
CURRENT_NAME = {
    "Asia/Calcutta": "Asia/Kolkata",
    "Asia/Katmandu": "Asia/Kathmandu",
    "Asia/Rangoon": "Asia/Yangon",
    "Asia/Saigon": "Asia/Ho_Chi_Minh",
}


@dataclass(frozen=True)
class Window:
    """When a campaign may call, in the contact's local time: start <= t < end."""

    start: dt.time
    end: dt.time
    excluded_weekdays: frozenset[int] = frozenset()  # 0 = Monday
    excluded_dates: frozenset[dt.date] = frozenset()
    first_day: dt.date | None = None  # the campaign's dates, as the contact's local days
    last_day: dt.date | None = None

    @classmethod
    def for_campaign(
        cls,
        *,
        promotional: bool,
        start: dt.time,
        end: dt.time,
        excluded_weekdays=(),
        excluded_dates=(),
        first_day: dt.date | None = None,
        last_day: dt.date | None = None,
    ) -> "Window":
        """The campaign's window, inside 09:00-21:00 when promotional."""
        if promotional:
            start, end = max(start, PROMOTIONAL_START), min(end, PROMOTIONAL_END)
        return cls(
            start=start,
            end=end,
            excluded_weekdays=frozenset(int(d) for d in excluded_weekdays),
            excluded_dates=frozenset(
                d if isinstance(d, dt.date) else dt.date.fromisoformat(d) for d in excluded_dates
            ),
            first_day=first_day,
            last_day=last_day,
        )

    def label(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"

    def allows_local(self, local: dt.datetime) -> bool:
        day = local.date()
        if (self.first_day and day < self.first_day) or (self.last_day and day > self.last_day):
            return False
        if day.weekday() in self.excluded_weekdays or day in self.excluded_dates:
            return False
        return self.start <= local.time() < self.end


def zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def zones_for_number(number: str) -> list[str]:
    """The IANA zones a number may be in (E.164), known ones only."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return []
    names = {CURRENT_NAME.get(n, n) for n in number_zones.time_zones_for_number(parsed)}
    return sorted(n for n in names if n != UNKNOWN_ZONE and zone(n) is not None)


def zones_for_contact(*, time_zone: str, number: str) -> list[str]:
    """The contact's own zone when known, else every zone of its number."""
    if zone(time_zone) is not None:
        return [time_zone]
    return zones_for_number(number)


def allowed_at(window: Window, zones: list[str], at: dt.datetime) -> bool:
    """Allowed in every one of `zones` at the instant `at` (no zone known: never)."""
    if not zones:
        return False
    return all(window.allows_local(at.astimezone(zone(z))) for z in zones)


def next_allowed(window: Window, zones: list[str], at: dt.datetime) -> dt.datetime | None:
    """The first moment from `at` allowed in all the zones, or None within the lookahead
    (zones too far apart to share an hour, or a campaign over)."""
    if not zones:
        return None
    if allowed_at(window, zones, at):
        return at
    # Candidates: each zone's window opening on each coming day. The first allowed moment
    # is one of them: an instant inside every window is at or after the latest opening.
    candidates = []
    for name in zones:
        tz = zone(name)
        local_day = at.astimezone(tz).date()
        for offset in range(LOOKAHEAD_DAYS + 1):
            day = local_day + dt.timedelta(days=offset)
            opening = dt.datetime.combine(day, window.start, tzinfo=tz)
            if opening > at:
                candidates.append(opening.astimezone(dt.UTC))
    for candidate in sorted(candidates):
        if allowed_at(window, zones, candidate):
            return candidate
    return None


def local_times(zones: list[str], at: dt.datetime) -> dict[str, str]:
    """What the clock said in each zone at `at`, for the proof."""
    return {z: at.astimezone(zone(z)).strftime("%Y-%m-%d %H:%M %a") for z in zones}
