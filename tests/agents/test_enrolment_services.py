import re

import pytest
from django.db import connection
from phonenumber_field.phonenumber import PhoneNumber

from agents.enrolment import (
    bank_details_set,
    language_set,
    phone_code_confirm,
    phone_code_send,
    profile_update,
    skill_set,
)
from agents.gazetteer import place_find
from common.errors import ApplicationError
from tests.factories import AgentProfileFactory

pytestmark = pytest.mark.django_db

MOBILE = PhoneNumber.from_string("+919845012345")


@pytest.fixture
def agent(alice):
    return alice.agent_profile


def _code(smsbox) -> str:
    return re.search(r"\b(\d{6})\b", smsbox[-1].body).group(1)


def test_the_city_comes_from_the_gazetteer_with_coordinates_and_time_zone(agent):
    madurai = place_find("Madurai", country_code="IN")
    profile_update(
        agent=agent, full_name="Alice A", former_employer="LIC", geoname_id=madurai.geoname_id
    )
    agent.refresh_from_db()
    assert (agent.city, agent.state, agent.time_zone) == ("Madurai", "Tamil Nadu", "Asia/Kolkata")
    assert agent.latitude == pytest.approx(9.919)


def test_an_unknown_city_or_empty_name_is_refused(agent):
    with pytest.raises(ApplicationError, match="Choose your city"):
        profile_update(agent=agent, full_name="A", former_employer="", geoname_id=999999999)
    with pytest.raises(ApplicationError, match="full name"):
        profile_update(agent=agent, full_name="  ", former_employer="", geoname_id=None)


def test_a_phone_is_saved_in_e164_only_after_the_sms_code_is_confirmed(agent, smsbox):
    phone_code_send(agent=agent, phone=PhoneNumber.from_string("98450 12345", region="IN"))
    assert smsbox[0].to == "+919845012345"
    agent.refresh_from_db()
    assert not agent.phone_verified_at
    with pytest.raises(ApplicationError, match="not right"):
        phone_code_confirm(agent=agent, code="000000" if _code(smsbox) != "000000" else "111111")
    phone_code_confirm(agent=agent, code=_code(smsbox))
    agent.refresh_from_db()
    assert str(agent.phone) == "+919845012345"
    assert agent.phone_verified_at


def test_wrong_codes_are_limited(agent, smsbox):
    phone_code_send(agent=agent, phone=MOBILE)
    wrong = "000000" if _code(smsbox) != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(ApplicationError, match="not right"):
            phone_code_confirm(agent=agent, code=wrong)
    with pytest.raises(ApplicationError, match="Too many wrong codes"):
        phone_code_confirm(agent=agent, code=_code(smsbox))


def test_code_sends_are_rate_limited(agent, smsbox):
    for _ in range(3):
        phone_code_send(agent=agent, phone=MOBILE)
    with pytest.raises(ApplicationError, match="Too many codes"):
        phone_code_send(agent=agent, phone=MOBILE)
    assert len(smsbox) == 3


@pytest.mark.parametrize("raw", ["12345", "+91 12", "not a phone"])
def test_an_invalid_phone_is_refused(agent, raw, smsbox):
    with pytest.raises(ApplicationError, match="valid mobile number"):
        phone_code_send(agent=agent, phone=raw)
    assert smsbox == []


def test_a_phone_of_another_account_is_refused(agent, smsbox):
    AgentProfileFactory(phone="+919845012345")
    with pytest.raises(ApplicationError, match="another account"):
        phone_code_send(agent=agent, phone=MOBILE)


def test_languages_and_skills_are_validated(agent):
    language_set(agent=agent, language="kn", proficiency=4)
    language_set(agent=agent, language="kn", proficiency=5)  # update, not a duplicate
    assert list(agent.languages.values_list("language", "proficiency")) == [("kn", 5)]
    with pytest.raises(ApplicationError, match="1 to 5"):
        language_set(agent=agent, language="ta", proficiency=6)
    skill_set(agent=agent, domain="insurance", sub_skill="claims", level=5, years=25)
    with pytest.raises(ApplicationError, match="not among the banking specialities"):
        skill_set(agent=agent, domain="banking", sub_skill="claims", level=3, years=2)
    with pytest.raises(ApplicationError, match="between 0 and 60"):
        skill_set(agent=agent, domain="banking", sub_skill="", level=3, years=99)


def test_bank_account_is_encrypted_at_rest_and_shown_masked(agent):
    bank_details_set(
        agent=agent, holder_name="Alice A", ifsc="sbin0001234", account_number="123456789012"
    )
    agent.refresh_from_db()
    assert agent.bank_account == "123456789012"
    assert agent.bank_account_masked == "•••• 9012"
    assert agent.bank_ifsc == "SBIN0001234"
    with connection.cursor() as cursor:
        cursor.execute("SELECT bank_account FROM agents_agentprofile WHERE id = %s", [agent.pk])
        raw = cursor.fetchone()[0]
    assert "123456789012" not in raw
    assert raw.startswith("gAAAA")  # a Fernet token


def test_an_iban_account_is_accepted_and_a_bad_one_refused(agent):
    bank_details_set(agent=agent, holder_name="Alice", iban="GB82 WEST 1234 5698 7654 32")
    agent.refresh_from_db()
    assert agent.bank_account == "GB82WEST12345698765432"
    with pytest.raises(ApplicationError):
        bank_details_set(agent=agent, holder_name="Alice", iban="GB82 WEST 1234 5698 7654 33")
    agent.refresh_from_db()
    assert agent.bank_account == "GB82WEST12345698765432"  # nothing half-written


def test_bank_details_never_reach_the_logs(agent, caplog):
    with caplog.at_level("DEBUG"):
        bank_details_set(
            agent=agent, holder_name="Alice A", ifsc="SBIN0001234", account_number="998877665544"
        )
    assert "998877665544" not in caplog.text
