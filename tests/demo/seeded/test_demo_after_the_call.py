"""The demo's after-call story: Acme's Claims helpline has the survey on and sends returning
callers to their last agent for 30 days; its simulated history holds rated calls, returning
callers, and decisions saying whether each went to the caller's last agent."""

from collections import Counter

import pytest

from clients.models import PhoneLine
from routing.models import Call, RoutingDecision

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def seeded(demo_once: str) -> str:
    return demo_once  # tests/demo/seeded/conftest.py: the package's one seed


def test_the_claims_helpline_asks_for_a_rating_and_keeps_returning_callers_with_their_agent():
    line = PhoneLine.objects.get(name="Claims helpline")
    assert (line.survey_enabled, line.sticky_days) == (True, 30)
    assert str(line.escalation_number) == "+918242499999"
    rated = Call.objects.filter(line=line, survey_score__isnull=False)
    assert rated.count() >= 3
    for call in rated:
        assert call.status == "completed" and call.ended_at <= call.surveyed_at
    assert not Call.objects.exclude(line=line).filter(survey_score__isnull=False).exists()
    callers = Counter(Call.objects.filter(line=line).values_list("caller", flat=True))
    assert any(n > 1 for n in callers.values())
    sticky = RoutingDecision.objects.filter(call__line=line).exclude(sticky="")
    assert sticky.filter(sticky=RoutingDecision.Sticky.LAST_AGENT).exists()
