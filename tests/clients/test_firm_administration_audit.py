"""Firm administration leaves one audit record per change, with the firm as its object."""

import pytest

from clients.models import FirmMember
from clients.services import (
    api_key_create,
    api_key_revoke,
    firm_create,
    firm_update,
    invite_accept,
    invite_create,
    member_remove,
)
from common.models import AuditRecord
from tests.factories import FirmMemberFactory

pytestmark = pytest.mark.django_db

BASE_URL = "https://homeshore.example"


def _actions(firm) -> list[tuple[str, object]]:
    return [(r.action, r.actor) for r in AuditRecord.objects.about(firm).order_by("id")]


def test_opening_a_firm_records_the_firm_and_its_first_invitation(root):
    firm, invite = firm_create(
        name="Udupi Mutual",
        engagement_type="partial",
        currency="INR",
        contact_name="Uma",
        contact_email="uma@udupi.example",
        admin_email="uma@udupi.example",
        invited_by=root,
        base_url=BASE_URL,
    )
    assert _actions(firm) == [("firm_created", root), ("invite_created", root)]
    sent = AuditRecord.objects.about(firm).get(action="invite_created")
    assert sent.detail == {"invite": invite.pk, "email": "uma@udupi.example", "role": "admin"}


def test_an_update_records_only_what_changed(acme, carol):
    firm_update(firm=acme, user=carol, contact_name="Carol C", currency=acme.currency)
    record = AuditRecord.objects.about(acme).get()
    assert (record.action, record.actor) == ("firm_updated", carol)
    assert record.after == {"contact_name": "Carol C"} and "currency" not in record.before
    firm_update(firm=acme, user=carol, contact_name="Carol C")  # no change, no record
    assert AuditRecord.objects.about(acme).count() == 1


def test_an_invitation_and_its_acceptance_are_recorded(acme, carol):
    invite, token = invite_create(
        firm=acme, email="erin@acme.example", role="member", invited_by=carol, base_url=BASE_URL
    )
    erin = invite_accept(token=token, name="Erin", password="a-long-pass-phrase-42")
    assert _actions(acme) == [("invite_created", carol), ("invite_accepted", erin)]
    accepted = AuditRecord.objects.about(acme).get(action="invite_accepted")
    assert accepted.detail == {"invite": invite.pk, "email": "erin@acme.example", "role": "member"}


def test_removing_a_member_records_who_was_removed(acme, carol):
    erin = FirmMemberFactory(firm=acme, role=FirmMember.Role.MEMBER, user__email="erin@a.example")
    member_remove(firm=acme, user=carol, member_id=erin.pk)
    record = AuditRecord.objects.about(acme).get()
    assert (record.action, record.actor) == ("member_removed", carol)
    assert record.detail == {"member": erin.user_id, "email": "erin@a.example", "role": "member"}


def test_creating_and_revoking_an_api_key_are_recorded_without_the_key(acme, carol):
    key, raw = api_key_create(firm=acme, user=carol, name="CRM")
    api_key_revoke(firm=acme, user=carol, key_id=key.pk)
    api_key_revoke(firm=acme, user=carol, key_id=key.pk)  # already revoked: nothing new
    assert _actions(acme) == [("api_key_created", carol), ("api_key_revoked", carol)]
    for record in AuditRecord.objects.about(acme):
        assert record.detail == {"key": key.pk, "prefix": key.prefix, "name": "CRM"}
        assert raw not in str(record.detail)
