"""The agency's own account (settings) is checked when Django starts: a pain.001 debiting a
wrong IBAN or BIC would only fail at the bank."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from billing.checks import agency_account_check


def ids() -> list[str]:
    return [error.id for error in agency_account_check()]


def test_the_configured_account_passes(settings):
    settings.AGENCY_NAME, settings.AGENCY_BIC = "Homeshore Staffing", "BUKBGB22"
    settings.AGENCY_IBAN = "GB33BUKB20201555555555"
    assert ids() == []


def test_an_iban_one_character_short_with_valid_check_digits_is_an_error(settings):
    settings.AGENCY_IBAN = "DE5137040044053201300"  # MOD 97 holds; the length does not
    [error] = agency_account_check()
    assert error.id == "billing.E002" and "Germany has 22 characters" in error.msg


def test_a_bic_with_no_such_country_is_an_error(settings):
    settings.AGENCY_BIC = "BUKBXX22"
    assert ids() == ["billing.E003"]


@pytest.mark.parametrize("name", ["", "   ", "x" * 71])
def test_an_empty_or_too_long_name_is_an_error(settings, name):
    settings.AGENCY_NAME = name
    assert ids() == ["billing.E001"]


def test_an_unknown_neft_layout_is_an_error(settings):
    settings.PAYOUT_NEFT_LAYOUT = "sbi"
    assert ids() == ["billing.E004"]


def test_manage_py_check_refuses_to_pass_with_a_bad_account(settings):
    settings.AGENCY_IBAN = "IN12SBIN0001234123456"
    with pytest.raises(SystemCheckError, match=r"billing\.E002"):
        call_command("check")
