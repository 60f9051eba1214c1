"""Bank details set or changed are audited with the last four only, never the number."""

import pytest
from django.core.serializers import serialize

from agents.enrolment import bank_details_set
from common.models import AuditRecord

pytestmark = pytest.mark.django_db

FIRST, SECOND = "123456789012", "998877665544"


def _set(agent, number: str, holder: str = "Alice A"):
    return bank_details_set(
        agent=agent, holder_name=holder, ifsc="SBIN0001234", account_number=number
    )


def test_setting_then_changing_bank_details_records_each_with_the_last_four(alice):
    agent = alice.agent_profile
    _set(agent, FIRST)
    _set(agent, SECOND)
    first, second = AuditRecord.objects.about(agent).order_by("id")
    assert (first.action, first.actor, first.before) == ("bank_details_set", alice, None)
    assert first.after == {"account_last4": "9012"}
    assert (second.action, second.actor) == ("bank_details_changed", alice)
    assert (second.before, second.after) == ({"account_last4": "9012"}, {"account_last4": "5544"})
    assert second.detail == {"changed": ["account"]}


def test_saving_the_same_details_again_records_nothing(alice):
    agent = alice.agent_profile
    _set(agent, FIRST)
    _set(agent, FIRST)
    assert AuditRecord.objects.about(agent).count() == 1
    _set(agent, FIRST, holder="Alice Agent")
    assert AuditRecord.objects.about(agent).first().detail == {"changed": ["holder_name"]}


def test_no_audit_record_ever_holds_an_account_number(alice):
    agent = alice.agent_profile
    _set(agent, FIRST)
    _set(agent, SECOND)
    bank_details_set(agent=agent, holder_name="Alice", iban="GB82 WEST 1234 5698 7654 32")
    dumped = serialize("json", AuditRecord.objects.all())
    for number in (FIRST, SECOND, "GB82WEST12345698765432", "WEST12345698765432"):
        assert number not in dumped
