import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template

from common.dates import period_label
from common.money import format_money, money_header


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (Decimal("150000"), "INR", "₹1,50,000.00"),
        (Decimal("12345678.5"), "INR", "₹1,23,45,678.50"),
        (Decimal("0.005"), "INR", "₹0.01"),  # half up, as invoices round
        (Decimal("-1234.5"), "INR", "-₹1,234.50"),
        (Decimal("150000"), "USD", "USD\u00a01,50,000.00"),
        (None, "INR", "—"),
    ],
)
def test_money_is_shown_with_indian_grouping_and_a_code_only_when_not_rupees(
    amount, currency, shown
):
    assert format_money(amount, currency) == shown


def test_money_headers_name_the_currency():
    assert money_header("Net", "INR") == "Net (₹)"
    assert money_header("Net", "EUR") == "Net (EUR)"


@pytest.mark.parametrize(
    ("start", "end", "shown"),
    [
        (dt.date(2026, 11, 23), dt.date(2026, 11, 30), "23–29 Nov 2026"),
        (dt.date(2026, 11, 30), dt.date(2026, 12, 7), "30 Nov\u2009–\u20096 Dec 2026"),
        (dt.date(2026, 12, 28), dt.date(2027, 1, 4), "28 Dec 2026\u2009–\u20093 Jan 2027"),
        (dt.date(2026, 11, 1), dt.date(2026, 12, 1), "1–30 Nov 2026"),
        (dt.date(2026, 11, 5), dt.date(2026, 11, 6), "5 Nov 2026"),
    ],
)
def test_a_half_open_period_reads_inclusive(start, end, shown):
    # CLDR puts thin spaces (U+2009) around the dash when both sides have a month
    assert period_label(start, end) == shown


def test_the_filters_are_there_in_every_template_without_loading():
    html = Template("{{ a|money:'INR' }} / {{ s|period:e }}").render(
        Context({"a": Decimal("150000"), "s": dt.date(2026, 11, 23), "e": dt.date(2026, 11, 30)})
    )
    assert html == "₹1,50,000.00 / 23–29 Nov 2026"
