"""'Compliant on a day' is one rule with two forms: the queryset method and the model method."""

import datetime as dt

import pytest

from agents.models import AgentProfile
from tests.factories import AgentProfileFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 25)
CASES = [
    (True, None),
    (True, TODAY - dt.timedelta(days=1)),
    (True, TODAY),
    (True, TODAY + dt.timedelta(days=30)),
    (False, None),
    (False, TODAY + dt.timedelta(days=30)),
]


@pytest.mark.parametrize(("is_compliant", "compliant_until"), CASES)
def test_the_queryset_and_the_model_agree_on_who_is_compliant(is_compliant, compliant_until):
    agent = AgentProfileFactory(is_compliant=is_compliant, compliant_until=compliant_until)
    in_queryset = AgentProfile.objects.compliant_on(TODAY).filter(pk=agent.pk).exists()
    assert agent.is_compliant_on(TODAY) == in_queryset


def test_the_last_day_of_a_check_still_counts():
    agent = AgentProfileFactory(compliant_until=TODAY)
    assert agent.is_compliant_on(TODAY)
    assert not agent.is_compliant_on(TODAY + dt.timedelta(days=1))
    assert list(AgentProfile.objects.compliant_on(TODAY)) == [agent]


def test_compliance_chains_with_other_filters():
    AgentProfileFactory(status=AgentProfile.Status.VERIFIED, is_compliant=False)
    verified = AgentProfileFactory(status=AgentProfile.Status.VERIFIED)
    query = AgentProfile.objects.filter(status=AgentProfile.Status.VERIFIED).compliant_on(TODAY)
    assert list(query) == [verified]
