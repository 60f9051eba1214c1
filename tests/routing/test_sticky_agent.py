"""The sticky agent: a caller who calls the same line again within the line's `sticky_days`
is offered first to the agent who last served them, when that agent is eligible and free
and no older caller waits for them; otherwise routing goes on as usual, and the decision
says which happened and why."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agents.models import AgentProfile
from clients.models import Engagement
from routing.models import Call, RoutingDecision
from routing.services import call_decide, call_start, decision_explain
from tests.factories import PhoneLineFactory
from tests.routing.conftest import LANDLINE_MANGALURU, MADURAI, api_route, routable_agent

pytestmark = pytest.mark.django_db
RETURNING = "+918242441111"
Sticky = RoutingDecision.Sticky


@pytest.fixture
def line(acme):
    return PhoneLineFactory(firm=acme, sticky_days=30)


@pytest.fixture
def meera(acme, line):
    """The agent who served the returning caller: far away (Madurai), so never the nearest."""
    return routable_agent(acme, "meera@example.com", lat=MADURAI[0], lon=MADURAI[1])


@pytest.fixture
def sita(acme, line):
    """Nearer to the caller (Mangaluru): the usual pick."""
    return routable_agent(acme, "sita@example.com")


def served_before(line, agent, *, days_ago: float, caller: str = RETURNING) -> Call:
    """A completed call of `caller` to `line`, answered by `agent`, `days_ago` days back."""
    then = timezone.now() - dt.timedelta(days=days_ago)
    call = Call.objects.create(
        provider="test",
        provider_call_id=f"OLD-{agent.pk}-{days_ago}-{caller}",
        line=line,
        firm=line.firm,
        caller=caller,
        language="en",
        domain=line.domain,
        status=Call.Status.COMPLETED,
        agent=agent,
        queued_at=then,
        offered_at=then,
        answered_at=then,
        ended_at=then + dt.timedelta(minutes=2),
        talk_seconds=120,
    )
    Call.objects.filter(pk=call.pk).update(created_at=then)
    return call


def decide(line, at, sid="CA1", caller=RETURNING):
    call = call_start(
        provider="test", provider_call_id=sid, to=str(line.number), caller=caller, at=at
    )
    placement, decision = call_decide(call_id=call.pk, at=at)
    return placement, decision_explain(decision)


def test_a_returning_caller_goes_to_their_last_agent_before_a_nearer_one(line, meera, sita, at):
    served_before(line, meera, days_ago=5)
    placement, decision = decide(line, at)
    assert placement.agent == meera
    assert (decision.sticky, decision.sticky_agent, decision.sticky_reason) == (
        Sticky.LAST_AGENT,
        meera,
        "",
    )
    assert [row["agent"] for row in decision.candidates] == [meera.pk, sita.pk]


def test_a_caller_last_served_longer_ago_than_the_lines_days_is_routed_as_usual(
    line, meera, sita, at
):
    served_before(line, meera, days_ago=31)
    placement, decision = decide(line, at)
    assert placement.agent == sita and decision.sticky == ""


def test_a_line_with_the_rule_off_records_no_sticky_outcome(acme, meera, sita, at):
    plain = PhoneLineFactory(firm=acme, sticky_days=0)
    Engagement.objects.get(agent=meera).lines.add(plain)
    Engagement.objects.get(agent=sita).lines.add(plain)
    served_before(plain, meera, days_ago=1)
    placement, decision = decide(plain, at)
    assert placement.agent == sita
    assert (decision.sticky, decision.sticky_agent, decision.sticky_reason) == ("", None, "")


def _busy(agent):
    AgentProfile.objects.filter(pk=agent.pk).update(duty_status=AgentProfile.Duty.ON_CALL)


def _offline(agent):
    AgentProfile.objects.filter(pk=agent.pk).update(duty_status=AgentProfile.Duty.OFFLINE)


def _not_on_this_line(agent):
    Engagement.objects.get(agent=agent).lines.clear()


def _engagement_gone(agent):
    Engagement.objects.filter(agent=agent).update(status=Engagement.Status.ENDED)


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        (_busy, "Meera Agent is on another call"),
        (_offline, "Meera Agent is not on duty"),
        (_not_on_this_line, "Meera Agent is not engaged on this line now"),
        (_engagement_gone, "Meera Agent is no longer engaged with Acme Insurance"),
    ],
)
def test_when_the_last_agent_cannot_take_it_routing_goes_on_and_says_why(
    line, meera, sita, at, spoil, reason
):
    AgentProfile.objects.filter(pk=meera.pk).update(full_name="Meera Agent")
    served_before(line, meera, days_ago=2)
    spoil(meera)
    placement, decision = decide(line, at)
    assert placement.agent == sita
    assert (decision.sticky, decision.sticky_agent, decision.sticky_reason) == (
        Sticky.USUAL,
        meera,
        reason,
    )


def test_a_last_agent_who_already_rang_this_call_is_not_offered_it_again(line, meera, sita, at):
    AgentProfile.objects.filter(pk=meera.pk).update(full_name="Meera Agent")
    served_before(line, meera, days_ago=2)
    call = call_start(
        provider="test", provider_call_id="CA1", to=str(line.number), caller=RETURNING, at=at
    )
    Call.objects.filter(pk=call.pk).update(tried_agent_ids=[meera.pk])
    placement, decision = call_decide(call_id=call.pk, at=at)
    decision = decision_explain(decision)
    assert placement.agent == sita
    assert (decision.sticky, decision.sticky_reason) == (
        Sticky.USUAL,
        "Meera Agent already rang this call",
    )


def test_the_last_agent_is_left_to_an_older_caller_who_can_only_take_them(
    acme, line, meera, sita, at
):
    """The waiting rule holds for the last agent too: an older caller waiting, who already
    rang Sita, can only be served by Meera — so the returning caller takes Sita."""
    AgentProfile.objects.filter(pk=meera.pk).update(full_name="Meera Agent")
    served_before(line, meera, days_ago=2)
    older = call_start(
        provider="test", provider_call_id="CA-older", to=str(line.number), caller=LANDLINE_MANGALURU
    )
    Call.objects.filter(pk=older.pk).update(
        status=Call.Status.QUEUED,
        queued_at=at - dt.timedelta(minutes=3),
        tried_agent_ids=[sita.pk],
    )
    placement, decision = decide(line, at)
    assert placement.agent == sita
    assert (decision.sticky, decision.sticky_reason) == (
        Sticky.USUAL,
        "Meera Agent is kept for a caller waiting longer",
    )


def test_a_last_agent_beyond_the_ten_nearest_is_asked_about_alone(acme, line, meera, at):
    near = [routable_agent(acme, f"near{n}@example.com") for n in range(10)]
    served_before(line, meera, days_ago=3)
    placement, decision = decide(line, at)
    assert placement.agent == meera and decision.sticky == Sticky.LAST_AGENT
    assert near[0].pk in [row["agent"] for row in decision.candidates]


def _queries(line, at, sid, caller) -> int:
    call = call_start(
        provider="test", provider_call_id=sid, to=str(line.number), caller=caller, at=at
    )
    with CaptureQueriesContext(connection) as queries:
        call_decide(call_id=call.pk, at=at)
    AgentProfile.objects.update(duty_status=AgentProfile.Duty.AVAILABLE)  # free for the next
    Call.objects.filter(pk=call.pk).update(status=Call.Status.COMPLETED, agent=None)
    return len(queries)


def test_the_rule_costs_one_query_and_nothing_on_a_line_without_it(acme, line, sita, at):
    plain = PhoneLineFactory(firm=acme, sticky_days=0)
    Engagement.objects.get(agent=sita).lines.add(plain)
    served_before(line, sita, days_ago=1)
    usual = _queries(plain, at, "CA-plain", RETURNING)
    assert _queries(line, at, "CA-first", "+918242442222") == usual + 1  # history: none
    assert _queries(line, at, "CA-back", RETURNING) == usual + 1  # back to Sita: same lock


def test_the_firms_call_page_and_the_staff_console_say_what_the_rule_did(
    client, carol, victor, line, meera, sita, at
):
    AgentProfile.objects.filter(pk=meera.pk).update(full_name="Meera Agent")
    served_before(line, meera, days_ago=2)
    decide(line, at, "CA1")
    _busy(meera)
    placement, _decision = decide(line, at, "CA2", caller=RETURNING)
    assert placement.agent == sita
    client.force_login(carol)
    first = Call.objects.get(provider_call_id="CA1")
    page = client.get(reverse("calls:detail", args=[first.pk])).content.decode()
    assert "offered to their last agent" in page and "Meera Agent" in page
    second = Call.objects.get(provider_call_id="CA2")
    page = client.get(reverse("calls:detail", args=[second.pk])).content.decode()
    assert "routed as usual" in page and "Meera Agent is on another call" in page
    client.force_login(victor)
    console = client.get(reverse("routing_console:home")).content.decode()
    assert "to the caller's last agent" in console
    assert "Meera Agent is on another call" in console


def test_a_line_without_the_rule_shows_nothing_of_it(client, carol, acme, sita, at):
    plain = PhoneLineFactory(firm=acme, sticky_days=0)
    Engagement.objects.get(agent=sita).lines.add(plain)
    decide(plain, at)
    client.force_login(carol)
    call = Call.objects.get()
    page = client.get(reverse("calls:detail", args=[call.pk])).content.decode()
    assert "Returning caller" not in page and "Survey" not in page


def test_the_call_apis_decision_says_the_call_went_to_the_last_agent(
    provider_api, line, meera, sita
):
    served_before(line, meera, days_ago=4, caller=LANDLINE_MANGALURU)
    body = api_route(provider_api, line).json()
    assert body["agent"]["id"] == meera.pk
    assert (body["decision"]["sticky"], body["decision"]["sticky_reason"]) == ("last_agent", "")
