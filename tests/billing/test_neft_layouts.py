"""The NEFT file in the layout of the agency's bank (PAYOUT_NEFT_LAYOUT): our generic one or
HDFC Bank's ENet bulk upload. IFSC, amounts and names in the bank's format; a payout the file
cannot carry is left out with its reason, never written with an empty name."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from billing.models import Payout
from tests.billing.exporting import INDIAN_ACCOUNT, approved_run, bank, downloaded, export
from tests.conftest import reauthenticated

# Exports are built by a task: inline here (the test's data is not committed for a worker).
pytestmark = pytest.mark.usefixtures("eager")


def rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode())))


@pytest.fixture
def hdfc(settings):
    settings.PAYOUT_NEFT_LAYOUT, settings.PAYOUT_HDFC_CLIENT_CODE = "hdfc", "home"


def test_the_hdfc_file_has_28_fields_a_row_and_no_header(client, fiona, alice, acme, hdfc):
    bank(alice, account=INDIAN_ACCOUNT, ifsc="HDFC0000123", holder="Asha K. D'Souza-Rao")
    run = approved_run(acme, (alice, "100.50"))
    client.force_login(fiona)
    reauthenticated(client)
    response = downloaded(client, client.post(reverse("finance:export"), {"format": "neft"}))
    [row] = rows(b"".join(response.streaming_content))
    payout = Payout.objects.get()
    today = timezone.localdate()
    assert len(row) == 28
    filled = {i + 1: value for i, value in enumerate(row) if value}
    assert filled == {
        1: "N",
        3: INDIAN_ACCOUNT,
        4: f"{payout.net:.2f}",
        5: "Asha K D Souza Rao",  # ENet takes no special characters
        14: f"HSPAYOUT{payout.pk}",
        15: f"Homeshore payout {run.period_start:%d%b%Y}",
        23: f"{today:%d/%m/%Y}",
        25: "HDFC0000123",
    }
    assert response["Content-Disposition"] == f'attachment; filename="HOME{today:%d%m}.001"'


def test_the_days_second_hdfc_file_is_numbered_002(client, fiona, alice, acme, hdfc):
    bank(alice, account=INDIAN_ACCOUNT, ifsc="HDFC0000123")
    approved_run(acme, (alice, "10.00"))
    export(client, fiona, "neft")
    client.force_login(fiona)
    reauthenticated(client)
    response = downloaded(
        client, client.post(reverse("finance:export"), {"format": "neft", "reason": "Re-upload"})
    )
    assert response["Content-Disposition"].endswith(f'{timezone.localdate():%d%m}.002"')


def test_the_generic_layout_stays_the_default(client, fiona, alice, acme):
    bank(alice, account=INDIAN_ACCOUNT, ifsc="SBIN0001234")
    approved_run(acme, (alice, "10.00"))
    body, _audited = export(client, fiona, "neft")
    assert rows(body)[0][0] == "Transaction Type (N=NEFT)" and len(rows(body)[1]) == 7


def test_a_long_name_is_cut_to_35_characters(client, fiona, alice, acme):
    bank(alice, account=INDIAN_ACCOUNT, ifsc="SBIN0001234", holder="Venkata " * 8)
    approved_run(acme, (alice, "10.00"))
    body, _audited = export(client, fiona, "neft")
    assert rows(body)[1][3] == "Venkata Venkata Venkata Venkata Ven"


@pytest.mark.parametrize(
    ("ifsc", "holder", "currency", "why"),
    [
        ("SBIN0001234", "", "INR", "No account holder name in Latin letters"),
        ("SBIN0001234", "आशा", "INR", "No account holder name in Latin letters"),
        ("SBINO001234", "Alice Agent", "INR", "The IFSC code &#x27;SBINO001234&#x27; is not valid"),
        ("SBIN0001234", "Alice Agent", "USD", "NEFT pays rupees only; this payout is in USD."),
    ],
)
def test_a_payout_the_neft_file_cannot_carry_is_left_out_and_listed(
    client, fiona, alice, bob, acme, ifsc, holder, currency, why
):
    bank(alice, account=INDIAN_ACCOUNT, ifsc=ifsc, holder=holder)
    bank(bob, account="987654321098", ifsc="ICIC0000001")
    approved_run(acme, (alice, "10.00"), (bob, "20.00"))
    Payout.objects.filter(agent__user=alice).update(currency=currency)
    body, audited = export(client, fiona, "neft")
    assert [row[3] for row in rows(body)[1:]] == ["Bob Agent"]
    assert audited.detail["left_out"] == 1 and audited.detail["count"] == 1
    page = client.get(reverse("finance:payouts")).content.decode()
    assert why in page
