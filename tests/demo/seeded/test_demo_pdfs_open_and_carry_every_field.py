"""The demo's tax invoices and an agent's statement, downloaded as their users download them,
open as PDFs (pypdf parses them and extracts their text) and carry every field India's GST
invoice rules and a TDS-aware statement need — read from the file, not from our own story."""

import io
import re

import pytest
from django.conf import settings
from django.test import Client
from pypdf import PdfReader

from accounts.models import User
from billing.models import Invoice, Payout
from clients.models import ClientFirm
from common.money import format_money

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def seeded(demo_once: str) -> str:
    return demo_once  # tests/demo/seeded/conftest.py: the package's one seed


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text)


def _as(email: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def _latest_invoice(firm_name: str) -> Invoice:
    firm = ClientFirm.objects.get(name__startswith=firm_name)
    return Invoice.objects.filter(firm=firm, total__gt=0).order_by("-issued_at", "-pk").first()


@pytest.mark.parametrize(
    ("firm_name", "login", "intra_state"),
    [
        ("Acme", "client@acme-insurance.example", True),  # Karnataka, as the agency: CGST+SGST
        ("Kaveri", "client@kaveri-bank.example", False),  # Tamil Nadu: IGST
    ],
)
def test_a_demo_firm_downloads_a_tax_invoice_with_every_gst_field(firm_name, login, intra_state):
    invoice = _latest_invoice(firm_name)
    assert invoice is not None and invoice.number
    text = _text(_as(login).get(f"/client/invoices/{invoice.pk}/pdf/"))
    firm = invoice.firm
    for field in (
        "Tax Invoice",
        invoice.number,
        settings.AGENCY_LEGAL_NAME,
        settings.AGENCY_GSTIN,  # the supplier's GSTIN
        firm.gstin,  # the recipient's
        settings.GST_SAC,
        "Place of supply",
        "Reverse charge",
        "₹",
    ):
        assert field and field in text, (field, text[:600])
    if intra_state:
        assert "CGST" in text and "SGST" in text and "IGST" not in text
    else:
        assert "IGST" in text and "CGST" not in text
    assert invoice.tax > 0


def test_a_demo_agent_downloads_a_statement_with_pan_and_the_tds_withheld():
    payout = (
        Payout.objects.filter(calls__gt=0, tds__gt=0, agent__pan__gt="")
        .select_related("agent__user")
        .order_by("-run__period_start")
        .first()
    )
    assert payout is not None
    text = _text(_as(payout.agent.user.email).get(f"/agent/earnings/statements/{payout.pk}/pdf/"))
    assert payout.agent.pan in text  # in full on the agent's own statement
    assert "TDS" in text
    assert payout.agent.full_name in text
    for amount in (payout.gross, payout.tds, payout.net):
        assert format_money(amount, payout.currency) in text, (amount, text[:600])
    if payout.status != Payout.Status.PAID:
        assert "Net paid" not in text  # an unpaid statement never says paid
