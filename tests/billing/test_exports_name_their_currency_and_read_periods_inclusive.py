"""Sheets for people name their currency and read periods inclusive; bank files stay the bank's.

The CSV and XLSX review sheets head their money columns "Gross (₹)", "TDS (₹)", "Net (₹)"
(common.money.money_header) and give each payout's week as "23–29 Nov 2026" with its first and
last day; the cells stay plain numbers for sums. NEFT and pain.001 amounts stay what the bank
parses: digits, a point and two decimals — no "₹", no grouping (issue 15).
"""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from billing.bankfiles import neft_problem
from billing.exports import sheet_header
from billing.models import Payout
from common.dates import period_label
from tests.billing.exporting import IBAN, INDIAN_ACCOUNT, bank, export
from tests.billing.factories import last_week, ledger_row, settle
from tests.billing.pain001 import NS, valid_pain001

pytestmark = pytest.mark.usefixtures("eager")


def approved_run(firm, *agents_and_amounts):
    for agent, amount in agents_and_amounts:
        ledger_row(agent, firm, agent_amount=amount, client_amount="400000.00", day=last_week())
    run = settle("agents", last_week())
    run.payouts.update(status=Payout.Status.APPROVED)
    return run


@pytest.fixture
def run(alice, bob, acme):
    """Alice (IFSC) and bob (IBAN) approved for lakhs: nets ₹1,35,000.00 and ₹2,25,000.00."""
    bank(alice, account=INDIAN_ACCOUNT, ifsc="SBIN0001234")
    bank(bob, account=IBAN)
    return approved_run(acme, (alice, "150000.00"), (bob, "250000.00"))


def test_the_csv_heads_money_with_the_rupee_and_reads_the_week_inclusive(client, fiona, run):
    body, _audited = export(client, fiona, "csv", run=run.pk)
    header, *rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert header == sheet_header(["INR"])
    assert header[9:13] == ["Gross (₹)", "TDS %", "TDS (₹)", "Net (₹)"]
    week, last = period_label(run.period_start, run.period_end), run.period_end - dt.timedelta(1)
    assert {(row[1], row[2], row[3]) for row in rows} == {(week, str(run.period_start), str(last))}
    assert sorted(row[12] for row in rows) == ["135000.00", "225000.00"]  # numbers to sum


def test_the_xlsx_keeps_money_as_numbers_under_a_rupee_header(client, fiona, run):
    body, _audited = export(client, fiona, "xlsx")
    header, *rows = list(load_workbook(io.BytesIO(body), read_only=True)["Payouts"].values)
    assert header[12] == "Net (₹)" and header[1] == "Period"
    assert sorted(row[12] for row in rows) == [135000, 225000]
    assert all(isinstance(row[12], int | float) for row in rows)
    assert {row[1] for row in rows} == {period_label(run.period_start, run.period_end)}


def test_a_sheet_of_two_currencies_points_at_the_currency_column():
    assert sheet_header(["INR", "USD"])[12] == "Net (see Currency)"
    assert sheet_header({"EUR": "1.00"})[12] == "Net (EUR)"


def test_the_neft_file_keeps_the_banks_plain_amount(client, fiona, run):
    body, _audited = export(client, fiona, "neft", run=run.pk)
    text = body.decode()
    assert ",135000.00," in text
    assert "₹" not in text and "1,35,000" not in text and "–" not in text


def test_the_pain001_keeps_the_banks_plain_amounts(client, fiona, run):
    body, _audited = export(client, fiona, "pain001", run=run.pk)
    tree = valid_pain001(body)
    [amount] = tree.xpath("//p:InstdAmt/text()", namespaces=NS)
    assert amount == "225000.00" and tree.xpath("//p:GrpHdr/p:CtrlSum/text()", namespaces=NS) == [
        "225000.00"
    ]
    assert "₹".encode() not in body


def test_a_left_out_payout_reads_its_amount_as_people_do(alice, acme):
    bank(alice, account=INDIAN_ACCOUNT, ifsc="SBIN0001234")
    payout = approved_run(acme, (alice, "150000.00")).payouts.select_related("agent", "run").get()
    payout.net = Decimal(10**17)  # past NEFT's 17 digits; only the reason is for people
    assert neft_problem(payout) == (
        "The amount ₹1,00,00,00,00,00,00,00,000.00 cannot be written as a bank amount."
    )
