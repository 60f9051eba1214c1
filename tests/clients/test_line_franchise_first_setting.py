"""A line's franchise-first switch (issue 19): set by the firm's admins with the after-call
settings, audited; off by default; the service's other callers leave it as it is."""

import pytest
from django.urls import reverse

from clients.services import line_after_call_set
from common.models import AuditAction, AuditRecord
from tests.factories import PhoneLineFactory

pytestmark = pytest.mark.django_db


def test_an_admin_turns_franchise_first_on_and_it_is_audited(client, carol, acme):
    line = PhoneLineFactory(firm=acme)
    assert line.route_franchise_first is False
    client.force_login(carol)
    data = {"sticky_days": "0", "route_franchise_first": "on"}
    response = client.post(reverse("clients:line_after_call", args=[line.pk]), data)
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.route_franchise_first is True
    record = AuditRecord.objects.get(action=AuditAction.LINE_WORKSPACE_SET)
    assert (record.before["route_franchise_first"], record.after["route_franchise_first"]) == (
        False,
        True,
    )
    page = client.get(reverse("clients:line_after_call", args=[line.pk])).content.decode()
    assert "Route to the nearest franchise first" in page


def test_a_caller_that_does_not_name_it_leaves_it_as_it_is(carol, acme):
    line = PhoneLineFactory(firm=acme, route_franchise_first=True)
    line_after_call_set(firm=acme, user=carol, line=line, survey_enabled=True, sticky_days=3)
    line.refresh_from_db()
    assert line.route_franchise_first is True
