"""A firm's phone lines: one number per line across Homeshore, hours, menu digits, region."""

import datetime as dt

import pytest

from clients.models import LineLanguage, PhoneLine
from clients.services import line_save
from common.errors import ApplicationError
from tests.factories import MANGALURU, AgentProfileFactory, PhoneLineFactory

pytestmark = pytest.mark.django_db


def _line(**overrides) -> dict:
    fields = {
        "number": "0824 222 0001",
        "name": " Claims ",
        "domain": "insurance",
        "region_geoname_id": MANGALURU["geoname_id"],
        "time_zone": "Asia/Kolkata",
        "business_days": "43210",
        "opens_at": dt.time(9),
        "closes_at": dt.time(18),
        "languages": [("en", None)],
    }
    fields.update(overrides)
    return fields


def _refused(field: str, firm, **overrides) -> ApplicationError:
    before = PhoneLine.objects.count()
    with pytest.raises(ApplicationError) as raised:
        line_save(firm=firm, **_line(**overrides))
    assert raised.value.field == field, raised.value.message
    assert PhoneLine.objects.count() == before
    return raised.value


def test_it_stores_the_number_in_e164_with_its_region_and_languages(acme):
    line = line_save(firm=acme, **_line(languages=[("en", 1), ("kn", 2)]))
    line.refresh_from_db()
    assert str(line.number) == "+918242220001"
    assert (line.firm, line.name, line.business_days) == (acme, "Claims", "01234")
    assert (line.region_name, line.region_latitude) == ("Mangaluru, Karnataka, IN", 12.91723)
    assert list(line.languages.values_list("language", "menu_digit")) == [("en", 1), ("kn", 2)]


def test_a_single_language_plays_no_menu(acme):
    line = line_save(firm=acme, **_line(languages=[("en", 7)]))
    assert list(line.languages.values_list("language", "menu_digit")) == [("en", None)]


def test_several_languages_each_need_a_digit(acme):
    _refused("languages", acme, languages=[("en", None), ("kn", None)])


def test_two_languages_cannot_share_a_digit(acme):
    _refused("languages", acme, languages=[("en", 1), ("kn", 1)])


def test_digits_are_one_to_nine(acme):
    _refused("languages", acme, languages=[("en", 1), ("kn", 10)])


def test_a_line_offers_at_least_one_language(acme):
    _refused("languages", acme, languages=[])


def test_it_refuses_a_number_another_line_has(acme, globex):
    PhoneLineFactory(firm=globex, number="+918242220001")
    _refused("number", acme)
    assert not PhoneLine.objects.filter(firm=acme).exists()


def test_it_refuses_a_number_an_agent_answers_on(acme):
    AgentProfileFactory(phone="+918242220001")
    _refused("number", acme)


def test_a_line_keeps_its_own_number_when_updated(acme):
    line = line_save(firm=acme, **_line())
    line_save(firm=acme, line=line, **_line(name="Claims (new)", languages=[("kn", None)]))
    line.refresh_from_db()
    assert (line.name, str(line.number)) == ("Claims (new)", "+918242220001")
    assert list(LineLanguage.objects.filter(line=line).values_list("language", flat=True)) == ["kn"]


def test_closing_time_must_be_after_opening_time(acme):
    _refused("closes_at", acme, closes_at=dt.time(9))
    _refused("closes_at", acme, closes_at=dt.time(8))


def test_an_unknown_region_is_refused(acme):
    _refused("region", acme, region_geoname_id=999_999_999)


@pytest.mark.parametrize("seconds", [4, 121])
def test_the_ring_timeout_must_be_5_to_120_seconds(acme, seconds):
    _refused("ring_timeout_seconds", acme, ring_timeout_seconds=seconds)


def test_it_refuses_to_update_another_firms_line(acme, globex):
    theirs = PhoneLineFactory(firm=globex, number="+918242220009", name="Globex support")
    with pytest.raises(ApplicationError, match="No such line"):
        line_save(firm=acme, line=theirs, **_line(number="+918242220009", name="Stolen"))
    theirs.refresh_from_db()
    assert (theirs.firm, theirs.name) == (globex, "Globex support")
