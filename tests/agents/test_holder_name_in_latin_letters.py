"""The account holder's name is asked for as the bank holds it, in Latin letters: a name in
another script reached the bank's file as an empty name."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from agents.banking import validate_holder_name
from agents.models import AgentProfile
from common.errors import ApplicationError

MIGRATION = importlib.import_module("agents.migrations.0009_bank_holder_name_in_latin_letters")


@pytest.fixture
def as_alice(client, alice):
    client.force_login(alice)
    return client


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Asha Fernandes", "Asha Fernandes"),
        ("  Asha  K. D'Souza ", "Asha K. D'Souza"),
        ("Ravi Kumar-Iyer", "Ravi Kumar-Iyer"),
        ("R. K. Jr.", "R. K. Jr."),
    ],
)
def test_it_accepts_latin_names_and_tidies_their_spaces(typed, kept):
    assert validate_holder_name(typed) == kept


@pytest.mark.parametrize("name", ["आशा फर्नांडिस", "ಆಶಾ", "Asha ಫ", "José", "=HYPERLINK(1)", "-Asha"])
def test_it_refuses_a_name_in_another_script_or_with_other_characters(name):
    with pytest.raises(ApplicationError) as error:
        validate_holder_name(name)
    assert error.value.field == "holder_name"
    assert "in English letters (A-Z)" in error.value.message


def test_it_refuses_a_name_longer_than_a_bank_file_holds():
    with pytest.raises(ApplicationError) as error:
        validate_holder_name("A" * 71)
    assert error.value.message.endswith("2 to 70 characters; this one has 71.")


def test_the_bank_form_explains_and_refuses_a_name_in_devanagari(as_alice, alice):
    page = as_alice.get(reverse("agents:bank")).content.decode()
    assert "Exactly as your bank holds it, in English letters (A-Z)" in page
    response = as_alice.post(
        reverse("agents:bank"),
        {"holder_name": "आशा", "ifsc": "SBIN0001234", "account_number": "123456789012"},
    )
    assert "in English letters (A-Z)" in response.content.decode()
    alice.agent_profile.refresh_from_db()
    assert alice.agent_profile.bank_account == ""


def test_the_migration_keeps_latin_names_and_blanks_the_others(alice, bob):
    for user, name in ((alice, "  Alice   Agent "), (bob, "बॉब")):
        AgentProfile.objects.filter(user=user).update(bank_holder_name=name, bank_account_last4="1")
    MIGRATION.forwards(apps, None)
    kept, blanked = (AgentProfile.objects.get(user=user) for user in (alice, bob))
    assert kept.bank_holder_name == "Alice Agent" and not kept.bank_holder_name_missing
    assert blanked.bank_holder_name == "" and blanked.bank_holder_name_missing


def test_an_agent_whose_name_was_blanked_is_asked_for_it(as_alice, alice):
    profile = alice.agent_profile
    profile.bank_holder_name, profile.bank_account_last4 = "", "9012"
    profile.save()
    page = as_alice.get(reverse("agents:bank")).content.decode()
    assert "We need the account holder's name as your bank holds it" in page
