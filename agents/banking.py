"""Checks and masking for the bank details an agent is paid into.

Validators normalise what a person typed (spaces, lower case) and return the canonical form,
or raise ApplicationError naming the form field. They check shape and checksums only: whether
the account exists is for the bank (a penny drop), not for us.
"""

import re

from common.errors import ApplicationError

IFSC_PATTERN = re.compile(r"[A-Z]{4}0[A-Z0-9]{6}")
INDIAN_ACCOUNT_DIGITS = (9, 18)
IBAN_DEFAULT_LENGTHS = (15, 34)

# Country code -> (name for messages, IBAN length), from the SWIFT IBAN registry.
IBAN_LENGTHS: dict[str, tuple[str, int]] = {
    "AE": ("United Arab Emirates", 23),
    "AT": ("Austria", 20),
    "BE": ("Belgium", 16),
    "BH": ("Bahrain", 22),
    "CH": ("Switzerland", 21),
    "DE": ("Germany", 22),
    "DK": ("Denmark", 18),
    "ES": ("Spain", 24),
    "FI": ("Finland", 18),
    "FR": ("France", 27),
    "GB": ("United Kingdom", 22),
    "IE": ("Ireland", 22),
    "IT": ("Italy", 27),
    "KW": ("Kuwait", 30),
    "LU": ("Luxembourg", 20),
    "NL": ("Netherlands", 18),
    "NO": ("Norway", 15),
    "PL": ("Poland", 28),
    "PT": ("Portugal", 25),
    "QA": ("Qatar", 29),
    "SA": ("Saudi Arabia", 24),
    "SE": ("Sweden", 24),
}

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


def _iban_checksum_is_valid(iban: str) -> bool:
    # ISO 7064 MOD 97-10: move the country and check digits to the end, turn letters into
    # numbers (A=10 … Z=35), and the whole number must leave 1 when divided by 97.
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def validate_iban(iban: str) -> str:
    """Return the IBAN without spaces, upper-cased (the electronic format)."""
    iban = _without_whitespace(iban).upper()
    if not re.fullmatch(r"[A-Z0-9]+", iban):
        raise ApplicationError("An IBAN may contain only letters and digits.", field="iban")
    if not re.match(r"[A-Z]{2}[0-9]{2}", iban):
        raise ApplicationError(
            "An IBAN starts with a two-letter country code and two check digits "
            "(e.g. GB82 WEST …).",
            field="iban",
        )
    country = iban[:2]
    if country in IBAN_LENGTHS:
        name, length = IBAN_LENGTHS[country]
        if len(iban) != length:
            raise ApplicationError(
                f"An IBAN from {name} has {length} characters; this one has {len(iban)}.",
                field="iban",
            )
    else:
        shortest, longest = IBAN_DEFAULT_LENGTHS
        if not shortest <= len(iban) <= longest:
            raise ApplicationError(
                f"An IBAN has {shortest} to {longest} characters; this one has {len(iban)}.",
                field="iban",
            )
    if not _iban_checksum_is_valid(iban):
        raise ApplicationError(
            "This IBAN's check digits do not match: look for a mistyped character.",
            field="iban",
        )
    return iban


def account_last4(number: str) -> str:
    """The last four characters of an account number or IBAN, ignoring spaces."""
    return _without_whitespace(number)[-4:]


def mask_account(number: str) -> str:
    """E.g. "•••• 4321": enough for the agent to recognise the account, not to use it."""
    if len(_without_whitespace(number)) <= 4:
        # Showing the "last four" of a four-character value would show all of it.
        return MASK
    return f"{MASK} {account_last4(number)}"
