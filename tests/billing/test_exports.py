"""Exports of approved payouts: CSV, XLSX, NEFT and pain.001, each one audited first."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from billing.exports import NEFT_HEADER, sheet_header
from billing.models import Payout
from common.models import AuditRecord
from tests.billing.exporting import downloaded
from tests.billing.factories import last_week, ledger_row, settle
from tests.billing.pain001 import NS, valid_pain001
from tests.conftest import reauthenticated
from tests.factories import AgentProfileFactory

# Exports are built by a task: inline here (the test's data is not committed for a worker).
pytestmark = pytest.mark.usefixtures("eager")

INDIAN_ACCOUNT = "123456789012"
IBAN = "DE89370400440532013000"


def bank(user, *, account: str, ifsc: str = "", holder: str = "") -> None:
    profile = user.agent_profile
    profile.bank_account, profile.bank_account_last4 = account, account[-4:]
    profile.bank_ifsc, profile.bank_holder_name = ifsc, holder or profile.full_name
    profile.save()


@pytest.fixture
def approved(alice, bob, acme):
    """Alice (IFSC) and bob (IBAN) approved; a third agent's payout still to review."""
    bank(alice, account=INDIAN_ACCOUNT, ifsc="SBIN0001234")
    bank(bob, account=IBAN, holder="=Bob & <Sons>")
    for agent, amount in ((alice, "28.00"), (bob, "100.00"), (AgentProfileFactory(), "5.00")):
        ledger_row(agent, acme, agent_amount=amount, client_amount="120.00", day=last_week())
    run = settle("agents", last_week())
    run.payouts.filter(agent__user__in=[alice, bob]).update(status="approved")
    return run


def export(client, user, format: str, **params):
    client.force_login(user)
    reauthenticated(client)  # bank files ask for the password again (issue 13)
    response = downloaded(
        client, client.post(reverse("finance:export"), {"format": format, **params})
    )
    audited = AuditRecord.objects.filter(action="export", detail__format=format).first()
    if response.status_code == 200:  # the record exists before the first byte is read
        assert audited is not None
        body = b"".join(response.streaming_content)
        return body, audited
    return response, audited


def test_the_csv_lists_approved_payouts_only_with_masked_accounts(client, fiona, approved):
    body, audited = export(client, fiona, "csv", run=approved.pk)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == sheet_header(["INR"])
    nets = {row[4]: row[12] for row in rows[1:]}
    assert nets == {"Alice Agent": "25.20", "Bob Agent": "90.00"}
    assert INDIAN_ACCOUNT not in body.decode() and "•••• 9012" in body.decode()
    assert [row[5] for row in rows[1:] if row[4] == "Bob Agent"] == ["'=Bob & <Sons>"]
    assert audited.detail | {"export": 0, "msg_id": ""} == {
        "format": "csv",
        "count": 2,
        "total": "115.20",
        "run": approved.pk,
        "export": 0,
        "msg_id": "",
        "left_out": 0,
        "repeated": 0,
    }


def test_the_xlsx_opens_with_openpyxl_and_has_the_rows(client, fiona, approved):
    body, audited = export(client, fiona, "xlsx")
    rows = list(load_workbook(io.BytesIO(body), read_only=True)["Payouts"].values)
    assert list(rows[0]) == sheet_header(["INR"])
    assert sorted(row[12] for row in rows[1:]) == [25.2, 90]
    assert audited.detail["count"] == 2 and audited.detail["run"] is None


def test_the_neft_file_pays_ifsc_accounts_in_full(client, fiona, approved):
    body, audited = export(client, fiona, "neft", run=approved.pk)
    assert not body.startswith("\ufeff".encode())  # a bank's parser would read it as data
    rows = list(csv.reader(io.StringIO(body.decode())))
    payout = Payout.objects.get(agent__bank_ifsc="SBIN0001234")
    assert rows == [
        NEFT_HEADER,
        [
            "N",
            INDIAN_ACCOUNT,
            "25.20",
            "Alice Agent",
            "SBIN0001234",
            f"Homeshore payout {approved.period_start:%d%b%Y}",
            f"HS-PAYOUT-{payout.pk}",
        ],
    ]
    assert (audited.detail["count"], audited.detail["total"]) == (1, "25.20")


def test_the_pain001_file_parses_and_its_totals_match(client, fiona, approved):
    body, audited = export(client, fiona, "pain001", run=approved.pk)
    root = valid_pain001(body)
    header = root.find("p:CstmrCdtTrfInitn/p:GrpHdr", NS)
    assert header.findtext("p:NbOfTxs", namespaces=NS) == "1"
    assert header.findtext("p:CtrlSum", namespaces=NS) == "90.00"
    transfers = root.findall(".//p:CdtTrfTxInf", NS)
    assert [t.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS) for t in transfers] == [IBAN]
    # Banks take the SWIFT/EPC Latin set only: = & < > become spaces (and are never markup).
    assert transfers[0].findtext("p:Cdtr/p:Nm", namespaces=NS) == "Bob Sons"
    amount = transfers[0].find("p:Amt/p:InstdAmt", NS)
    assert (amount.text, amount.get("Ccy")) == ("90.00", "INR")
    assert root.findtext(".//p:Dbtr/p:Nm", namespaces=NS) == "Homeshore Staffing"
    assert audited.detail["total"] == "90.00"


@pytest.mark.parametrize("format", ["csv", "xlsx", "neft"])
def test_an_export_of_nothing_is_a_file_of_headers(client, fiona, alice, acme, format):
    ledger_row(alice, acme, day=last_week())
    settle("agents", last_week())  # a draft payout: nothing approved
    body, audited = export(client, fiona, format)
    if format == "xlsx":
        assert len(list(load_workbook(io.BytesIO(body))["Payouts"].values)) == 1
    else:
        assert body.decode().count("\n") == 1
    assert audited.detail["count"] == 0 and audited.detail["total"] == "0.00"


def test_a_pain001_of_nothing_is_refused_with_a_message(client, fiona, db):
    response, audited = export(client, fiona, "pain001")
    assert response.status_code == 302 and audited is None
    page = client.get(response.url).content.decode()
    assert "No approved payouts to IBAN accounts" in page


def test_an_unknown_format_is_a_message_not_an_error(client, fiona, db):
    response, audited = export(client, fiona, "pdf")
    assert response.status_code == 302 and audited is None


def test_paid_payouts_are_not_exported_again(client, fiona, approved):
    Payout.objects.filter(status="approved").update(status="paid")
    _body, audited = export(client, fiona, "csv")
    assert audited.detail["count"] == 0 and Decimal(audited.detail["total"]) == 0
