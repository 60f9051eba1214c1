"""Where is the caller? The provider's location, else the number's area, else the line's region.

Each answer is a gazetteer place (coordinates) and the source it came from, which the call
records. phonenumbers' offline geocoder resolves landlines to a city ("+91 824 …" ->
"Mangalore, Karnataka") but Indian mobiles only to "India": those fall through to the line.
Its prefixes are read from the reference data file (common/refdata.py): importing
`phonenumbers.geocoder` would load its data for every language, ~100 MiB a process.
"""

from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

from agents.gazetteer import place_find
from clients.models import PhoneLine
from common.refdata import phone_description

US_STATES = {"CA": "California", "NY": "New York", "TX": "Texas", "WA": "Washington"}


@dataclass(frozen=True)
class Origin:
    label: str
    latitude: float
    longitude: float
    source: str  # Call.OriginSource


def _place(city: str, state: str = "", country: str | None = None):
    city = (city or "").strip()
    if not city:
        return None
    return place_find(city, country_code=country or None, state=state.strip())


def _from_provider(location: dict | None):
    location = location or {}
    lat, lon = location.get("latitude"), location.get("longitude")
    numeric = isinstance(lat, int | float) and isinstance(lon, int | float)
    if numeric and -90 <= lat <= 90 and -180 <= lon <= 180:
        label = location.get("city") or f"{lat:.3f}, {lon:.3f}"
        return Origin(label, float(lat), float(lon), "provider")
    country = (location.get("country") or "").upper()[:2] or None
    state = location.get("state") or ""
    if country == "US":
        state = US_STATES.get(state.upper(), state)
    place = _place(location.get("city", ""), state, country)
    if place:
        return Origin(place.label, place.latitude, place.longitude, "provider")
    return None


@lru_cache(maxsize=4096)
def _from_number(number: str) -> Origin | None:
    try:
        parsed = phonenumbers.parse(number, "IN")
    except phonenumbers.NumberParseException:
        return None
    description = phone_description(parsed)
    if not description or description in _COUNTRY_NAMES:
        return None  # a mobile: the country only, no city to go by
    city, _, state = description.partition(",")
    region = phonenumbers.region_code_for_number(parsed)
    place = _place(city, state if region != "US" else "", region)
    if place is None:
        return None
    return Origin(place.label, place.latitude, place.longitude, "geocoder")


_COUNTRY_NAMES = {"India", "United States", "United Kingdom", "Canada", "Australia"}


def origin_resolve(*, caller: str, line: PhoneLine, provider_location: dict | None) -> Origin:
    return (
        _from_provider(provider_location)
        or _from_number(caller)
        or Origin(line.region_name, line.region_latitude, line.region_longitude, "line_default")
    )
