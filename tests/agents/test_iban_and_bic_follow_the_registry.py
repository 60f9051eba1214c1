"""IBANs and BICs are checked against the SWIFT IBAN registry (through schwifty): each
country's own length and layout, not only the check digits."""

import json
import random
from importlib.resources import files

import pytest
from schwifty import IBAN

from agents.banking import validate_bic, validate_iban
from common.errors import ApplicationError

# The registry schwifty ships: every country with IBANs and its IBAN length.
REGISTRY = json.loads((files("schwifty") / "iban_registry" / "generated.json").read_text())
LENGTHS = {code: spec["iban_length"] for code, spec in REGISTRY.items()}


def with_check_digits(country: str, bban: str) -> str:
    """The IBAN with check digits that satisfy ISO 7064 MOD 97-10, whatever the length."""
    digits = "".join(str(int(char, 36)) for char in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


def wrong_lengths() -> list[tuple[str, str]]:
    rng = random.Random(13)
    cases = []
    for country in sorted(LENGTHS):
        good = IBAN.random(country, random=rng, use_registry=False)
        bban = str(good)[4:]
        cases.append((country, with_check_digits(country, bban[:-1])))  # one short
        cases.append((country, with_check_digits(country, bban + "0")))  # one long
    return cases


def test_the_registry_has_the_countries_we_test():
    assert len(LENGTHS) >= 100 and "IN" not in LENGTHS and LENGTHS["DE"] == 22


@pytest.mark.parametrize(("country", "iban"), wrong_lengths())
def test_it_rejects_a_wrong_length_iban_whose_check_digits_are_right(country, iban):
    with pytest.raises(ApplicationError) as error:
        validate_iban(iban)
    assert error.value.field == "iban"
    assert f"has {LENGTHS[country]} characters; this one has {len(iban)}." in error.value.message


@pytest.mark.parametrize("country", sorted(LENGTHS))
def test_it_accepts_a_well_formed_iban_of_every_registry_country(country):
    iban = str(IBAN.random(country, random=random.Random(country), use_registry=False))
    assert validate_iban(iban) == iban


def test_it_tells_an_indian_agent_to_use_the_ifsc_instead():
    with pytest.raises(ApplicationError) as error:
        validate_iban(with_check_digits("IN", "SBIN0001234123456789"))
    assert error.value.message.startswith("Indian banks do not use IBANs")


def test_it_rejects_an_iban_whose_layout_is_not_its_countrys():
    # Right length and check digits, but a British IBAN's bank code is four letters.
    with pytest.raises(ApplicationError) as error:
        validate_iban(with_check_digits("GB", "1EST12345698765432"))
    assert error.value.message.startswith("This is not the layout of an IBAN from United Kingdom")


@pytest.mark.parametrize("bic", ["DEUTDEFF", "DEUTDEFF500", "BUKBGB22", "sbin inbb 104"])
def test_it_accepts_bics_and_returns_them_upper_cased(bic):
    assert validate_bic(bic) == bic.replace(" ", "").upper()


@pytest.mark.parametrize("bic", ["BUKBXX22", "DEUTZZFF500"])
def test_it_rejects_a_bic_whose_country_does_not_exist(bic):
    with pytest.raises(ApplicationError) as error:
        validate_bic(bic)
    assert error.value.field == "bic"
    assert f"{bic[4:6]!r} is none" in error.value.message


@pytest.mark.parametrize("bic", ["DEUTDEF", "DEUTDEFF5", "1UKBGB22"])
def test_it_rejects_a_bic_of_the_wrong_length_or_layout(bic):
    with pytest.raises(ApplicationError) as error:
        validate_bic(bic)
    assert error.value.message.startswith("Enter a valid BIC")
