"""The firm's Webhooks pages: admins add, change, rotate, remove, resume and replay; members
read the endpoints and their delivery log; the secret is shown once; another firm's ids are
404s; nothing audited carries a secret."""

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.models import FirmMember, WebhookDelivery, WebhookEndpoint
from clients.outbox import event_emit
from common.models import AuditAction, AuditRecord
from tests.factories import FirmMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def erin(acme):
    """A plain member of acme: reads, changes nothing."""
    return FirmMemberFactory(
        firm=acme, role=FirmMember.Role.MEMBER, user__email="erin@firm.example"
    ).user


@pytest.fixture
def endpoint(acme, receiver):
    return WebhookEndpoint.objects.create(
        firm=acme, url=receiver.url, secret="whsec_c2VjcmV0c2VjcmV0c2VjcmV0", events=["call.missed"]
    )


@pytest.fixture
def delivery(acme, endpoint):
    event_emit(firm=acme, event="call.missed", payload={"call_id": 1})
    return WebhookDelivery.objects.get()


def test_an_admin_adds_an_endpoint_and_sees_its_secret_once(client, carol, receiver):
    client.force_login(carol)
    answer = client.post(
        reverse("clients:webhooks"),
        {"url": receiver.url, "events": ["call.answered", "call.ended"], "description": "CRM"},
    )
    assert answer.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["call.answered", "call.ended"]
    assert endpoint.secret.startswith("whsec_") and endpoint.secret in answer.content.decode()
    assert answer["Cache-Control"] == "private, no-store"  # no cached copy of the secret
    for path in (reverse("clients:webhooks"), reverse("clients:webhook", args=[endpoint.pk])):
        assert endpoint.secret not in client.get(path).content.decode()
    record = AuditRecord.objects.get(action=AuditAction.WEBHOOK_CREATED)
    assert endpoint.secret not in str(record.detail)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://crm.example.com/hooks", "must start with https://"),
        ("https://10.0.0.5/hooks", "not on the public internet"),
        ("https://user:pw@crm.example.com/", "user name or password"),
        ("https://[::1/hooks", "not a web address"),  # urlsplit raised: was a 500
        ("https://crm.example.com:99999/", "not a web address"),
    ],
)
def test_an_address_we_must_not_call_is_a_form_error(client, carol, url, why):
    client.force_login(carol)
    answer = client.post(reverse("clients:webhooks"), {"url": url, "events": ["call.missed"]})
    assert answer.status_code == 200 and why in answer.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_a_member_reads_the_log_but_changes_nothing(client, erin, endpoint, delivery):
    client.force_login(erin)
    page = client.get(reverse("clients:webhook", args=[endpoint.pk]))
    assert page.status_code == 200 and delivery.message_id in page.content.decode()
    detail = reverse("clients:webhook_delivery", args=[endpoint.pk, delivery.pk])
    assert client.get(detail).status_code == 200
    for name, args in [
        ("clients:webhooks", []),
        ("clients:webhook", [endpoint.pk]),
        ("clients:webhook_rotate", [endpoint.pk]),
        ("clients:webhook_resume", [endpoint.pk]),
        ("clients:webhook_delete", [endpoint.pk]),
        ("clients:webhook_replay", [endpoint.pk, delivery.pk]),
        ("clients:records_settings", []),
    ]:
        assert client.post(reverse(name, args=args), {"url": "x"}).status_code == 403, name


def test_another_firms_endpoints_and_deliveries_are_404s(client, dave, endpoint, delivery):
    client.force_login(dave)
    for name, args in [
        ("clients:webhook", [endpoint.pk]),
        ("clients:webhook_delete", [endpoint.pk]),
        ("clients:webhook_delivery", [endpoint.pk, delivery.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404, name
    for name, args in [
        ("clients:webhook", [endpoint.pk]),
        ("clients:webhook_rotate", [endpoint.pk]),
        ("clients:webhook_resume", [endpoint.pk]),
        ("clients:webhook_delete", [endpoint.pk]),
        ("clients:webhook_replay", [endpoint.pk, delivery.pk]),
    ]:
        assert client.post(reverse(name, args=args)).status_code == 404, name
    assert endpoint.url not in client.get(reverse("clients:webhooks")).content.decode()
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


def test_rotating_shows_the_new_secret_once(client, carol, endpoint):
    client.force_login(carol)
    old = endpoint.secret
    answer = client.post(reverse("clients:webhook_rotate", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.secret in answer.content.decode()
    assert answer["Cache-Control"] == "private, no-store"
    assert (
        endpoint.secret
        not in client.get(reverse("clients:webhook", args=[endpoint.pk])).content.decode()
    )


def test_editing_and_removing_an_endpoint(client, carol, endpoint, receiver):
    client.force_login(carol)
    page = reverse("clients:webhook", args=[endpoint.pk])
    answer = client.post(page, {"url": receiver.url, "events": ["invoice.issued"], "is_active": ""})
    assert answer.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.events, endpoint.is_active) == (["invoice.issued"], False)
    delete = reverse("clients:webhook_delete", args=[endpoint.pk])
    assert "cannot be undone" in client.get(delete).content.decode()  # asks first
    assert client.post(delete).status_code == 302
    assert not WebhookEndpoint.objects.exists()
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {AuditAction.WEBHOOK_UPDATED, AuditAction.WEBHOOK_DELETED} <= actions


def test_a_delivery_page_shows_payload_and_tries_and_replays(client, carol, endpoint, delivery):
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed", next_attempt_at=None)
    client.force_login(carol)
    page = reverse("clients:webhook_delivery", args=[endpoint.pk, delivery.pk])
    body = client.get(page).content.decode()
    assert "call.missed" in body and "&quot;call_id&quot;: 1" in body and "Replay" in body
    assert (
        client.post(reverse("clients:webhook_replay", args=[endpoint.pk, delivery.pk])).status_code
        == 302
    )
    delivery.refresh_from_db()
    assert delivery.status in {"pending", "delivered"}
    assert AuditRecord.objects.filter(action=AuditAction.WEBHOOK_REPLAYED).exists()


def test_a_paused_endpoint_is_shown_and_resumed(client, carol, endpoint, delivery):
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        paused_at=timezone.now(), failing_since=timezone.now()
    )
    client.force_login(carol)
    assert "paused since" in client.get(reverse("clients:webhooks")).content.decode()
    answer = client.post(reverse("clients:webhook_resume", args=[endpoint.pk]))
    assert answer.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.paused_at is None
    assert AuditRecord.objects.filter(action=AuditAction.WEBHOOK_RESUMED).exists()


def test_the_records_setting_is_the_admins(client, carol, acme):
    client.force_login(carol)
    assert "notes_in_records" in client.get(reverse("clients:settings")).content.decode()
    client.post(reverse("clients:records_settings"), {"notes_in_records": "on"})
    acme.refresh_from_db()
    assert acme.notes_in_records is True
    client.post(reverse("clients:records_settings"), {})
    acme.refresh_from_db()
    assert acme.notes_in_records is False


def test_the_firm_nav_leads_to_webhooks(client, carol):
    client.force_login(carol)
    assert reverse("clients:webhooks") in client.get(reverse("clients:home")).content.decode()


def test_a_new_address_starts_the_failing_streak_afresh(client, carol, endpoint, receiver):
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=timezone.now())
    client.force_login(carol)
    new = receiver.url.replace("/hooks", "/v2/hooks")
    client.post(
        reverse("clients:webhook", args=[endpoint.pk]),
        {"url": new, "events": ["call.missed"], "is_active": "on"},
    )
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.failing_since) == (new, None)
