"""The demo's simulated calls: their times in order, and the firms' Calls page never showing a
negative speed of answer (it once showed -412 s: every call answered before it was queued)."""

import re

import pytest

from clients.models import FirmMember
from routing.models import Call
from routing.selectors import calls_of, service_level

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def seeded(demo_once: str) -> str:
    return demo_once  # tests/demo/seeded/conftest.py: the package's one seed


def test_every_simulated_call_happens_in_order_and_answer_times_are_not_negative(client):
    assert Call.objects.filter(answered_at__isnull=False).exists()
    for call in Call.objects.all():
        times = [call.queued_at, call.offered_at, call.answered_at, call.ended_at]
        known = [t for t in times if t is not None]
        assert known == sorted(known), (call, times)
    one_member_a_firm = {m.firm_id: m for m in FirmMember.objects.select_related("user", "firm")}
    speeds = []
    for member in one_member_a_firm.values():
        speeds.append(service_level(calls_of(firm=member.firm), target_seconds=20)["asa_seconds"])
        client.force_login(member.user)
        page = client.get("/client/calls/", {"period": "month"})
        assert page.status_code == 200
        shown = [page.context["total"], *page.context["lines"], *page.context["days"]]
        speeds += [row["average_wait"] for row in shown]
        assert not re.search(r"-\d+ s<", page.content.decode())  # the page's "… s" figures
    assert any(s is not None for s in speeds)
    assert all(s >= 0 for s in speeds if s is not None), speeds
