"""A payout goes into one bank file: another file with it needs a reason, which is audited.
Each export is recorded with its payouts, who, when and its message id."""

import pytest

from billing.models import PayoutExport
from tests.billing.exporting import (
    IBAN,
    INDIAN_ACCOUNT,
    approved_run,
    bank,
    export,
    message_after,
)
from tests.billing.pain001 import valid_pain001

# Exports are built by a task: inline here (the test's data is not committed for a worker).
pytestmark = pytest.mark.usefixtures("eager")


@pytest.fixture
def run(alice, bob, acme):
    bank(alice, account=INDIAN_ACCOUNT, ifsc="SBIN0001234")
    bank(bob, account=IBAN)
    return approved_run(acme, (alice, "28.00"), (bob, "100.00"))


@pytest.mark.parametrize("format", ["neft", "pain001"])
def test_a_second_bank_file_of_the_same_payouts_is_refused(client, fiona, run, format):
    body, _audited = export(client, fiona, format, run=run.pk)
    if format == "pain001":
        valid_pain001(body)
    first = PayoutExport.objects.get()
    response, audited = export(client, fiona, format, run=run.pk)
    assert response.status_code == 302 and audited is None
    page = message_after(client, response)
    assert "1 of these payouts are already in a bank file" in page and first.msg_id in page
    assert PayoutExport.objects.count() == 1


def test_with_a_reason_the_second_file_is_made_and_the_reason_audited(client, fiona, run):
    export(client, fiona, "neft", run=run.pk)
    body, audited = export(client, fiona, "neft", run=run.pk, reason="Upload timed out at HDFC")
    assert b"SBIN0001234" in body
    assert audited.reason == "Upload timed out at HDFC" and audited.detail["repeated"] == 1
    second = PayoutExport.objects.first()
    assert second.reason == "Upload timed out at HDFC"


def test_a_payout_moved_from_ifsc_to_iban_is_not_paid_by_both_files(client, fiona, alice, run):
    export(client, fiona, "neft", run=run.pk)
    bank(alice, account="GB82WEST12345698765432")  # the agent moved abroad
    response, _audited = export(client, fiona, "pain001", run=run.pk)
    assert "already in a bank file" in message_after(client, response)


def test_the_record_names_the_payouts_the_actor_the_kind_and_a_message_id(client, fiona, run):
    valid_pain001(export(client, fiona, "pain001", run=run.pk)[0])
    record = PayoutExport.objects.get()
    assert (record.kind, record.actor, record.run, record.count) == ("pain001", fiona, run, 1)
    assert [p.agent.full_name for p in record.payouts.all()] == ["Bob Agent"]
    assert record.msg_id.startswith("HS") and record.msg_id.endswith(f"-{record.pk}")
    assert record.totals == {"INR": "90.00"}


def test_review_sheets_can_be_exported_again_without_a_reason(client, fiona, run):
    export(client, fiona, "csv", run=run.pk)
    _body, audited = export(client, fiona, "csv", run=run.pk)
    assert audited is not None and audited.detail["repeated"] == 0
    assert PayoutExport.objects.filter(kind="csv").count() == 2
