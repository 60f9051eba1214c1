import pytest

from agents.banking import (
    account_last4,
    mask_account,
    validate_iban,
    validate_ifsc,
    validate_indian_account_number,
)
from common.errors import ApplicationError


@pytest.mark.parametrize("code", ["SBIN0001234", "HDFC0000123", "ICIC0ABC123"])
def test_it_accepts_real_ifsc_codes(code):
    assert validate_ifsc(code) == code


def test_it_normalises_a_lowercase_ifsc_code_with_spaces_around_it():
    assert validate_ifsc("  sbin0001234 ") == "SBIN0001234"


@pytest.mark.parametrize("code", ["SBIN1001234", "SBINO001234"])
def test_it_rejects_an_ifsc_code_whose_fifth_character_is_not_zero(code):
    with pytest.raises(ApplicationError) as error:
        validate_ifsc(code)
    assert error.value.field == "ifsc"
    assert "fifth character of an IFSC code is always the digit zero" in error.value.message


@pytest.mark.parametrize("code", ["", "SBIN000123", "SBIN00012345", "SBI00001234", "SBIN00012-4"])
def test_it_rejects_a_malformed_ifsc_code(code):
    with pytest.raises(ApplicationError) as error:
        validate_ifsc(code)
    assert error.value.field == "ifsc"
    assert error.value.message.startswith("Enter a valid IFSC code: 11 characters")


def test_it_accepts_an_indian_account_number_typed_with_spaces():
    assert validate_indian_account_number(" 1234 5678 9012 ") == "123456789012"


@pytest.mark.parametrize("number", ["12345678", "1234567890123456789"])
def test_it_rejects_an_indian_account_number_of_the_wrong_length(number):
    with pytest.raises(ApplicationError) as error:
        validate_indian_account_number(number)
    assert error.value.field == "account_number"
    assert error.value.message == (
        f"An Indian bank account number has 9 to 18 digits; this one has {len(number)}."
    )


@pytest.mark.parametrize("number", ["12345ABC901", "1234-5678-9012", "١٢٣٤٥٦٧٨٩٠"])
def test_it_rejects_an_indian_account_number_with_anything_but_ascii_digits(number):
    with pytest.raises(ApplicationError) as error:
        validate_indian_account_number(number)
    assert error.value.field == "account_number"
    assert error.value.message == "An account number may contain only the digits 0-9."


@pytest.mark.parametrize(
    "iban",
    [
        "GB82 WEST 1234 5698 7654 32",
        "DE89 3704 0044 0532 0130 00",
        "FR14 2004 1010 0505 0001 3M02 606",
        "NL91 ABNA 0417 1643 00",
        "BE68 5390 0754 7034",
        "CH93 0076 2011 6238 5295 7",
    ],
)
def test_it_accepts_real_ibans_and_returns_them_without_spaces(iban):
    assert validate_iban(iban) == iban.replace(" ", "")


def test_it_normalises_a_lowercase_iban():
    assert validate_iban("gb82 west 1234 5698 7654 32") == "GB82WEST12345698765432"


def test_it_rejects_an_iban_with_one_digit_mistyped():
    with pytest.raises(ApplicationError) as error:
        validate_iban("GB82 WEST 1234 5698 7654 33")
    assert error.value.field == "iban"
    assert error.value.message == (
        "This IBAN's check digits do not match: look for a mistyped character."
    )


def test_it_rejects_a_german_iban_that_is_one_character_short():
    with pytest.raises(ApplicationError) as error:
        validate_iban("DE89 3704 0044 0532 0130 0")
    assert error.value.field == "iban"
    assert error.value.message == "An IBAN from Germany has 22 characters; this one has 21."


def test_it_rejects_a_kosovan_iban_that_is_too_short():
    with pytest.raises(ApplicationError) as error:
        validate_iban("XK05 1212 0123 45")
    assert error.value.message == "An IBAN from XK has 20 characters; this one has 14."


@pytest.mark.parametrize("iban", ["GB82-WEST-1234-5698-7654-32", "GB82 WEST 1234 5698 7654 3²"])
def test_it_rejects_an_iban_with_characters_other_than_letters_and_digits(iban):
    with pytest.raises(ApplicationError) as error:
        validate_iban(iban)
    assert error.value.message == "An IBAN may contain only letters and digits."


def test_it_rejects_an_iban_without_a_country_code_and_check_digits():
    with pytest.raises(ApplicationError) as error:
        validate_iban("8282WEST12345698765432")
    assert error.value.message.startswith("An IBAN starts with a two-letter country code")


def test_a_masked_account_shows_only_the_last_four_digits():
    assert mask_account("1234 5678 4321") == "•••• 4321"
    assert account_last4("1234 5678 4321") == "4321"
    assert mask_account("GB82WEST12345698765432") == "•••• 5432"


def test_a_masked_account_of_four_characters_or_fewer_shows_nothing():
    assert mask_account("4321") == "••••"
