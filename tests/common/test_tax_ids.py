"""common.taxids: amounts in words in the Indian system, financial years and their quarters,
and the messages a bad GSTIN or PAN gets."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from common.taxids import (
    amount_in_words,
    financial_year,
    financial_year_label,
    gstin_clean,
    pan_clean,
    pan_masked,
    quarters,
)


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("1", "Rupees one only"),
        ("0.50", "Paise fifty only"),
        ("21.05", "Rupees twenty-one and paise five only"),
        ("100000", "Rupees one lakh only"),
        ("150000.25", "Rupees one lakh fifty thousand and paise twenty-five only"),
        ("177000", "Rupees one lakh seventy-seven thousand only"),
        (
            "99999999",
            "Rupees nine crore ninety-nine lakh ninety-nine thousand nine hundred ninety-nine only",
        ),
        ("10000000", "Rupees one crore only"),
        ("-12.25", "Rupees minus twelve and paise twenty-five only"),
    ],
)
def test_amounts_are_said_in_lakhs_and_crores(amount, words):
    assert amount_in_words(Decimal(amount)) == words


def test_other_currencies_name_their_code_and_cents():
    assert amount_in_words(Decimal("1500.10"), "USD") == (
        "USD one thousand five hundred and cents ten only"
    )


def test_the_financial_year_runs_from_april_to_march():
    assert financial_year(dt.date(2027, 3, 31)) == (dt.date(2026, 4, 1), dt.date(2027, 4, 1))
    assert financial_year_label(dt.date(2026, 4, 1)) == "2026-27"
    assert financial_year_label(dt.date(2099, 12, 1)) == "2099-00"
    names = [(q, start, end) for q, start, end in quarters(dt.date(2026, 4, 1))]
    assert names[0] == ("Q1", dt.date(2026, 4, 1), dt.date(2026, 7, 1))
    assert names[3] == ("Q4", dt.date(2027, 1, 1), dt.date(2027, 4, 1))


def test_gstins_are_compacted_and_checked():
    assert gstin_clean(" 29aafch4521m1zb ") == "29AAFCH4521M1ZB"
    assert gstin_clean("29AAFCH4521M1ZB", state="29") == "29AAFCH4521M1ZB"
    with pytest.raises(ValidationError, match="not in Tamil Nadu"):
        gstin_clean("29AAFCH4521M1ZB", state="33")
    with pytest.raises(ValidationError, match="check character"):
        gstin_clean("29AAFCH4521M1ZC")


def test_pans_are_checked_and_masked():
    assert pan_clean("abcpk1234f") == "ABCPK1234F"
    assert pan_masked("ABCPK1234F") == "ABCPKXXXXF" and pan_masked("") == ""
    with pytest.raises(ValidationError, match="not a valid PAN"):
        pan_clean("ABCPK0000F")
