"""The demo shows the firm's webhooks (issue 16): Acme's endpoint, whose address no longer
resolves, with a log of delivered events, then failing tries retried with backoff."""

import pytest
from django.urls import reverse

from clients.models import WebhookDelivery, WebhookEndpoint
from routing.demo import DEMO_HOOK_URL

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def seeded(demo_twice: str) -> str:
    return demo_twice  # tests/demo/seeded/conftest.py: the package's seed, seeded again


def test_acme_has_one_failing_endpoint_with_delivered_and_retried_events():
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.firm.name, endpoint.url) == ("Acme Insurance", DEMO_HOOK_URL)
    assert endpoint.failing_since is not None and endpoint.paused_at is None
    log = endpoint.deliveries.all()
    delivered = log.filter(status=WebhookDelivery.Status.DELIVERED)
    waiting = log.filter(status=WebhookDelivery.Status.PENDING)
    assert delivered.count() == 3 and waiting.count() >= 3  # a second seed adds none of these
    assert all(d.tries.count() == 1 and d.last_status_code == 200 for d in delivered)
    retried = [d for d in waiting if d.tries.count() > 1]
    assert retried and all("could not be found" in d.last_error for d in retried)


def test_the_demo_log_reads_and_tells_no_agents_number(client):
    endpoint = WebhookEndpoint.objects.select_related("firm").get()
    admin = endpoint.firm.members.filter(role="admin").first().user
    client.force_login(admin)
    page = client.get(reverse("clients:webhook", args=[endpoint.pk]))
    assert page.status_code == 200 and "failing since" in page.content.decode()
    for delivery in endpoint.deliveries.all():
        detail = client.get(reverse("clients:webhook_delivery", args=[endpoint.pk, delivery.pk]))
        assert detail.status_code == 200
        phones = endpoint.firm.engagements.values_list("agent__phone", flat=True)
        for phone in phones:
            assert str(phone)[-10:] not in detail.content.decode()
