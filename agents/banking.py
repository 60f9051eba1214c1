"""Checks and masking for the bank details an agent is paid into.

Validators normalise what a person typed (spaces, lower case) and return the canonical form,
or raise ApplicationError naming the form field. They check shape and checksums only: whether
the account exists is for the bank (a penny drop), not for us. IBANs and BICs are checked by
schwifty (the SWIFT IBAN registry's length and layout for each country); IFSC and Indian account
numbers are ours, as schwifty knows nothing of India's (India has no IBAN).
"""

import re

from schwifty import BIC, IBAN
from schwifty import exceptions as schwifty_errors

from common.errors import ApplicationError

IFSC_PATTERN = re.compile(r"[A-Z]{4}0[A-Z0-9]{6}")
INDIAN_ACCOUNT_DIGITS = (9, 18)
# The account holder's name as the bank holds it: Latin letters (A-Z), spaces and . ' - only.
# Indian banks' bulk files and ISO 20022's basic Latin set accept nothing else, so a name in
# another script would reach the bank as an empty name. 70: pain.001's Max70Text for Cdtr/Nm.
HOLDER_NAME_PATTERN = re.compile(r"[A-Za-z]+(?:[ .'-]+[A-Za-z]+)*\.?")
HOLDER_NAME_LENGTH = (2, 70)

MASK = "••••"


def _without_whitespace(value: str) -> str:
    return re.sub(r"\s+", "", value)


def validate_ifsc(code: str) -> str:
    """Return the IFSC code upper-cased, e.g. "SBIN0001234"."""
    code = code.strip().upper()
    if IFSC_PATTERN.fullmatch(code):
        return code
    # The fifth character is a zero reserved for future use; a letter O there is the usual typo.
    if len(code) == 11 and code[4] != "0":
        raise ApplicationError(
            f"The fifth character of an IFSC code is always the digit zero (0), not '{code[4]}'.",
            field="ifsc",
        )
    raise ApplicationError(
        "Enter a valid IFSC code: 11 characters, 4 letters for the bank, a zero, "
        "then 6 letters or digits for the branch (e.g. SBIN0001234).",
        field="ifsc",
    )


def validate_indian_account_number(number: str) -> str:
    """Return the account number without spaces; Indian banks use 9 to 18 digits."""
    number = _without_whitespace(number)
    # [0-9], not str.isdigit(): that also accepts other scripts' digits and superscripts.
    if not re.fullmatch(r"[0-9]+", number):
        raise ApplicationError(
            "An account number may contain only the digits 0-9.", field="account_number"
        )
    shortest, longest = INDIAN_ACCOUNT_DIGITS
    if not shortest <= len(number) <= longest:
        raise ApplicationError(
            f"An Indian bank account number has {shortest} to {longest} digits; "
            f"this one has {len(number)}.",
            field="account_number",
        )
    return number


def _country_name(code: str, country) -> str:
    # schwifty's country data (pycountry) has no Kosovo (XK), which has IBANs all the same.
    return country.name if country is not None else code


def validate_iban(iban: str) -> str:
    """Return the IBAN without spaces, upper-cased (the electronic format).

    schwifty checks it against the SWIFT IBAN registry: the country uses IBANs, the length and
    the layout of the BBAN are that country's, and the ISO 7064 check digits match. Our own
    checks before it only give a person a clearer message than schwifty's.
    """
    iban = _without_whitespace(iban).upper()
    if not re.fullmatch(r"[A-Z0-9]+", iban):
        raise ApplicationError("An IBAN may contain only letters and digits.", field="iban")
    if not re.match(r"[A-Z]{2}[0-9]{2}", iban):
        raise ApplicationError(
            "An IBAN starts with a two-letter country code and two check digits "
            "(e.g. GB82 WEST …).",
            field="iban",
        )
    if iban.startswith("IN"):
        raise ApplicationError(
            "Indian banks do not use IBANs: enter the IFSC and the account number instead.",
            field="iban",
        )
    try:
        parsed = IBAN(iban)
    except schwifty_errors.InvalidCountryCode:
        raise ApplicationError(
            f"{iban[:2]} is not a country that uses IBANs: check the first two letters.",
            field="iban",
        ) from None
    except schwifty_errors.InvalidLength:
        parsed = IBAN(iban, allow_invalid=True)
        name = _country_name(parsed.country_code, parsed.country)
        raise ApplicationError(
            f"An IBAN from {name} has {parsed.spec.iban_length} characters; "
            f"this one has {len(iban)}.",
            field="iban",
        ) from None
    except schwifty_errors.InvalidStructure:
        parsed = IBAN(iban, allow_invalid=True)
        name = _country_name(parsed.country_code, parsed.country)
        raise ApplicationError(
            f"This is not the layout of an IBAN from {name}: look for a letter where a digit "
            "belongs, or a digit where a letter does.",
            field="iban",
        ) from None
    except schwifty_errors.InvalidChecksumDigits:
        raise ApplicationError(
            "This IBAN's check digits do not match: look for a mistyped character.",
            field="iban",
        ) from None
    if parsed.is_aspirational:
        # schwifty also knows layouts announced but not in the SWIFT registry: no bank pays them.
        raise ApplicationError(
            f"{iban[:2]} has no IBANs in the SWIFT registry yet: enter the account another way.",
            field="iban",
        )
    return str(parsed)


def validate_bic(bic: str, *, field: str = "bic") -> str:
    """Return the BIC (SWIFT code) without spaces, upper-cased: 8 or 11 characters, a country
    schwifty knows. SWIFT compliance is enforced (letters only in the bank code), because the
    ISO 20022 pain.001.001.03 schema's BIC pattern allows letters only there."""
    bic = _without_whitespace(bic).upper()
    try:
        return str(BIC(bic, enforce_swift_compliance=True))
    except schwifty_errors.InvalidCountryCode:
        raise ApplicationError(
            f"The fifth and sixth characters of a BIC are its country; {bic[4:6]!r} is none.",
            field=field,
        ) from None
    except schwifty_errors.SchwiftyException:
        raise ApplicationError(
            "Enter a valid BIC: 8 or 11 characters, a 4-letter bank code, the 2-letter "
            "country, a 2-character location and an optional 3-character branch "
            "(e.g. DEUTDEFF or DEUTDEFF500).",
            field=field,
        ) from None


def holder_name_is_latin(name: str) -> bool:
    shortest, longest = HOLDER_NAME_LENGTH
    return shortest <= len(name) <= longest and bool(HOLDER_NAME_PATTERN.fullmatch(name))


def validate_holder_name(name: str) -> str:
    """Return the account holder's name with its spaces tidied, e.g. "Asha K. D'Souza"."""
    name = re.sub(r"\s+", " ", name).strip()
    shortest, longest = HOLDER_NAME_LENGTH
    if not name:
        raise ApplicationError("Enter the account holder's name.", field="holder_name")
    if not shortest <= len(name) <= longest:
        raise ApplicationError(
            f"The account holder's name has {shortest} to {longest} characters; "
            f"this one has {len(name)}.",
            field="holder_name",
        )
    if not HOLDER_NAME_PATTERN.fullmatch(name):
        raise ApplicationError(
            "Enter the name as your bank holds it, in English letters (A-Z): spaces, full "
            "stops, apostrophes and hyphens are allowed, other characters are not.",
            field="holder_name",
        )
    return name


def account_last4(number: str) -> str:
    """The last four characters of an account number or IBAN, ignoring spaces."""
    return _without_whitespace(number)[-4:]


def mask_account(number: str) -> str:
    """E.g. "•••• 4321": enough for the agent to recognise the account, not to use it."""
    if len(_without_whitespace(number)) <= 4:
        # Showing the "last four" of a four-character value would show all of it.
        return MASK
    return f"{MASK} {account_last4(number)}"
