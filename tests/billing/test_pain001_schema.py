"""pain.001 files are valid against the official ISO 20022 schema of the version they
declare: one message id per file, the payout's own currency, control sums per block, names
cut and escaped to what the schema allows."""

import hashlib
from decimal import Decimal

import pytest
from django.urls import reverse

from billing.models import Payout
from tests.billing.exporting import IBAN, approved_run, bank, export
from tests.billing.pain001 import NS, SCHEMA, valid_pain001
from tests.factories import AgentProfileFactory

# Exports are built by a task: inline here (the test's data is not committed for a worker).
pytestmark = pytest.mark.usefixtures("eager")

SHA256 = "ed4be42522e3e35b108b3ad2ebbcc65da987cddbf6cfdc20828cd4fd0d69c51a"


def text(node, path: str) -> str:
    return node.findtext(path, namespaces=NS)


def test_the_vendored_schema_is_the_file_its_readme_names():
    assert hashlib.sha256(SCHEMA.read_bytes()).hexdigest() == SHA256
    assert SHA256 in (SCHEMA.parent / "README.md").read_text()


def test_a_name_with_control_characters_markup_accents_and_too_many_letters_validates(
    client, fiona, bob, acme
):
    bank(bob, account=IBAN, holder="Bób\x0b & <Sons>\x01 O'Neil-Smith " + "Q" * 100)
    approved_run(acme, (bob, "100.00"))
    body, _audited = export(client, fiona, "pain001")
    name = text(valid_pain001(body), ".//p:Cdtr/p:Nm")
    assert name.startswith("Bob Sons O'Neil-Smith QQQ") and len(name) == 70


def test_each_file_has_its_own_message_id(client, fiona, bob, acme):
    bank(bob, account=IBAN)
    approved_run(acme, (bob, "100.00"))
    first, _ = export(client, fiona, "pain001")
    second, audited = export(client, fiona, "pain001", reason="The bank lost the first file")
    ids = [
        text(valid_pain001(body), "p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId") for body in (first, second)
    ]
    assert ids[0] != ids[1] and all(len(msg_id) <= 35 for msg_id in ids)
    assert audited.detail["msg_id"] == ids[1]


def test_payouts_in_two_currencies_are_two_blocks_each_with_its_sums(client, fiona, bob, acme):
    euro_agent = AgentProfileFactory(full_name="Erika Euro").user
    bank(bob, account=IBAN)
    bank(euro_agent, account="FR1420041010050500013M02606")
    run = approved_run(acme, (bob, "100.00"), (euro_agent, "50.00"), (euro_agent, "25.00"))
    Payout.objects.filter(agent=euro_agent.agent_profile).update(currency="EUR")
    body, audited = export(client, fiona, "pain001", run=run.pk)
    root = valid_pain001(body)
    blocks = {
        block.find("p:CdtTrfTxInf/p:Amt/p:InstdAmt", NS).get("Ccy"): block
        for block in root.iterfind(".//p:PmtInf", NS)
    }
    assert sorted(blocks) == ["EUR", "INR"]
    assert (text(blocks["EUR"], "p:NbOfTxs"), text(blocks["EUR"], "p:CtrlSum")) == ("1", "67.50")
    assert (text(blocks["INR"], "p:NbOfTxs"), text(blocks["INR"], "p:CtrlSum")) == ("1", "90.00")
    header = root.find("p:CstmrCdtTrfInitn/p:GrpHdr", NS)
    assert (text(header, "p:NbOfTxs"), text(header, "p:CtrlSum")) == ("2", "157.50")
    amounts = [Decimal(a.text) for a in root.iterfind(".//p:InstdAmt", NS)]
    assert sum(amounts) == Decimal("157.50") and audited.detail["total"] == "157.50"


@pytest.mark.parametrize(
    ("account", "holder", "why"),
    [
        (
            "DE5137040044053201300",
            "Bob Agent",
            "The IBAN on file is not valid: An IBAN from Germany",
        ),
        (IBAN, "", "No account holder name in Latin letters"),
        (IBAN, "बॉब", "No account holder name in Latin letters"),
    ],
)
def test_a_payout_the_file_cannot_carry_is_left_out_with_its_reason(
    client, fiona, alice, bob, acme, account, holder, why
):
    bank(alice, account=IBAN)
    bank(bob, account=account, holder=holder)
    approved_run(acme, (alice, "10.00"), (bob, "100.00"))
    body, audited = export(client, fiona, "pain001")
    root = valid_pain001(body)
    assert [n.text for n in root.iterfind(".//p:Cdtr/p:Nm", NS)] == ["Alice Agent"]
    assert audited.detail["left_out"] == 1
    page = client.get(reverse("finance:payouts")).content.decode()
    assert "Bob Agent" in page and why in page


def test_when_no_payout_can_be_paid_the_message_says_why(client, fiona, bob, acme):
    bank(bob, account=IBAN, holder="")
    approved_run(acme, (bob, "100.00"))
    response, audited = export(client, fiona, "pain001")
    assert response.status_code == 302 and audited is None
    page = client.get(response.url).content.decode()
    assert "No payout here can go into a pain.001 file. Bob Agent: No account holder" in page
