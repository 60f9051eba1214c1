"""The demo shows quality and the callback queue with content: a scorecard for each firm,
scored calls with comments, and open, assigned and done callbacks — also after a second seed."""

import pytest

from clients.models import ClientFirm, Scorecard
from routing.models import CallbackRequest, CallScore

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def seeded(demo_twice: str) -> str:
    return demo_twice  # tests/demo/seeded/conftest.py: the package's seed, seeded again


def test_each_demo_firm_has_a_scorecard_and_scored_calls_with_comments():
    for firm in ClientFirm.objects.all():
        assert Scorecard.objects.filter(firm=firm, is_active=True).count() == 1
        scores = CallScore.objects.filter(firm=firm)
        assert 1 <= scores.count() <= 3, firm.name  # a second seed scores nothing again
        assert all(s.comment and s.items.count() == 4 for s in scores)


def test_the_demo_callback_queue_has_open_assigned_and_done_requests():
    statuses = set(CallbackRequest.objects.values_list("status", flat=True))
    assert statuses == {"open", "assigned", "done"}
    assert CallbackRequest.objects.filter(reason="voicemail").exists()
