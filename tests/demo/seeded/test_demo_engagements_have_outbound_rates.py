"""The demo's requests take outbound calls (issue 17): Acme (partial BPO) pays per connected
call, Kaveri (complete BPO) per started minute; its engagements copy them, so a campaign's
attempts in the demo are billed (the ledger waits for the simulated ones, as for calls)."""

import pytest

from clients.models import Engagement, StaffingRequest

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def seeded(demo_once: str) -> str:
    return demo_once  # tests/demo/seeded/conftest.py: the package's one seed


def test_each_demo_request_has_the_outbound_unit_of_its_firms_kind():
    units = {
        (r.firm.name, r.outbound_rate_unit, r.outbound_rate is not None)
        for r in StaffingRequest.objects.select_related("firm")
    }
    assert units == {("Acme Insurance", "connect", True), ("Kaveri Bank Services", "minute", True)}


def test_the_demo_engagements_carry_outbound_rates_with_the_agents_share():
    engagements = list(Engagement.objects.all())
    assert engagements
    for e in engagements:
        assert e.outbound_client_rate is not None
        assert e.outbound_agent_rate < e.outbound_client_rate
        assert e.outbound_rate_unit == e.request.outbound_rate_unit
