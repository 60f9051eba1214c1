"""Who was passed over, and why, is worked out when someone opens the decision, not while the
caller waits: once, judged at the decision's own time, and only for those who may see it."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from routing.models import RoutingDecision
from routing.selectors import skipped_for
from routing.services import call_route, call_start, decision_explain
from tests.routing.conftest import (
    LANDLINE_MANGALURU,
    VOICE,
    api_route,
    routable_agent,
    twilio_post,
    voice_params,
)

pytestmark = pytest.mark.django_db


def routed(line, at, sid="CA1"):
    call = call_start(
        provider="test", provider_call_id=sid, to=str(line.number), caller=LANDLINE_MANGALURU, at=at
    )
    call_route(call_id=call.pk, at=at)
    return call, RoutingDecision.objects.get(call=call)


@pytest.fixture
def kannada_only(acme):
    """Acme's agent nearest to Mangaluru, who does not speak the line's English."""
    return routable_agent(acme, "kavya@example.com", languages=("kn",))


def decision_writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith('UPDATE "routing_routingdecision"')]


def test_routing_a_call_leaves_its_decision_unexplained_until_opened(acme, line, at, kannada_only):
    routable_agent(acme, "sita@example.com")
    _call, decision = routed(line, at)
    assert decision.outcome == "offered"
    assert (decision.explained_at, decision.skipped) == (None, [])
    assert decision.decided_at == at  # what the explanation will judge the hours at


def test_the_firms_call_page_explains_each_decision_once(
    client, acme, carol, line, at, kannada_only
):
    routable_agent(acme, "sita@example.com")
    call, _decision = routed(line, at)
    client.force_login(carol)
    url = reverse("calls:detail", args=[call.pk])
    with CaptureQueriesContext(connection) as first:
        page = client.get(url)
    assert page.status_code == 200
    assert f"{kannada_only.full_name}: does not speak English" in page.content.decode()
    stored = RoutingDecision.objects.get(call=call)
    assert stored.explained_at is not None
    assert stored.skipped == [
        {
            "agent": kannada_only.pk,
            "name": kannada_only.full_name,
            "reasons": ["does not speak English"],
        }
    ]
    assert len(decision_writes(first)) == 1
    with CaptureQueriesContext(connection) as again:
        assert "does not speak English" in client.get(url).content.decode()
    assert decision_writes(again) == []  # read back, not worked out again
    assert RoutingDecision.objects.get(call=call).explained_at == stored.explained_at


def test_reasons_are_judged_at_the_decisions_time_not_when_it_is_opened(acme, line, at):
    # Sita's engagement runs 90 more days (tests.routing.conftest.engage). A decision made
    # after it ended, opened today (while it still runs), says it had ended.
    sita = routable_agent(acme, "sita@example.com")
    later = at + dt.timedelta(days=100)
    _call, decision = routed(line, later)
    assert decision.outcome == "queued" and decision.chosen is None
    reasons = {row["agent"]: row["reasons"] for row in decision_explain(decision).skipped}
    assert "engagement ended" in reasons[sita.pk]
    # Judged at opening time, the same rules would not have said so.
    today = skipped_for(call=decision.call, at=timezone.now(), chosen_ids=set())
    assert "engagement ended" not in {r for row in today for r in row["reasons"]}


def test_another_firm_cannot_open_the_call_nor_get_it_explained(
    client, acme, dave, line, at, kannada_only
):
    routable_agent(acme, "sita@example.com")
    call, _decision = routed(line, at)
    client.force_login(dave)
    assert client.get(reverse("calls:detail", args=[call.pk])).status_code == 404
    assert RoutingDecision.objects.get(call=call).explained_at is None


def test_the_staff_console_explains_the_latest_decisions(client, acme, victor, line, at):
    kavya = routable_agent(acme, "kavya@example.com", languages=("kn",))
    routable_agent(acme, "sita@example.com")
    routed(line, at)
    client.force_login(victor)
    page = client.get(reverse("routing_console:home")).content.decode()
    assert f"{kavya.full_name}: does not speak English" in page
    assert RoutingDecision.objects.get().explained_at is not None


def test_the_call_api_answer_explains_its_decision_and_the_twilio_webhook_does_not(
    client, provider_api, acme, line, kannada_only
):
    routable_agent(acme, "sita@example.com")
    body = api_route(provider_api, line).json()["decision"]
    assert body["skipped"] == [
        {
            "agent": kannada_only.pk,
            "name": kannada_only.full_name,
            "reasons": ["does not speak English"],
        }
    ]
    assert body["explained_at"] is not None and body["decided_at"] is not None
    twilio_post(client, VOICE, voice_params(line, sid="CA-TWILIO"))
    webhook = RoutingDecision.objects.get(call__provider_call_id="CA-TWILIO")
    assert webhook.outcome in {"offered", "queued"} and webhook.explained_at is None


def test_two_first_opens_at_once_keep_one_explanation(acme, line, at, kannada_only):
    routable_agent(acme, "sita@example.com")
    _call, _decision = routed(line, at)
    first, second = RoutingDecision.objects.get(), RoutingDecision.objects.get()  # both stale
    decision_explain(first)
    kept = RoutingDecision.objects.get()
    with CaptureQueriesContext(connection) as late:
        decision_explain(second)  # had read it unexplained: computes, loses the write
    assert (second.skipped, second.explained_at) == (kept.skipped, kept.explained_at)
    assert len(decision_writes(late)) == 1  # tried once (compare-and-set), changed nothing
    assert RoutingDecision.objects.get().explained_at == kept.explained_at
