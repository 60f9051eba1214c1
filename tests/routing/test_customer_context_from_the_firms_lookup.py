"""The firm's lookup endpoint, a real HTTP server on 127.0.0.1: signed the Standard Webhooks
way (verified with the standardwebhooks package, as the firm would), the call as the firm may
know it and never the agent's phone, only the chosen fields kept, anything else FAILED."""

import itertools
import json

import pytest
from django.utils import timezone
from standardwebhooks import Webhook

from clients.customer_context import FIELD_VALUE_MAX
from common.outbound import secret_new
from routing.models import Call, CallContext
from routing.services.context import call_context_for, context_notice, context_rows
from tests.factories import AgentProfileFactory, PhoneLineFactory
from tests.lookup_server import LookupServer

pytestmark = pytest.mark.django_db
CALLER = "+919845012345"
_ids = itertools.count(1)


@pytest.fixture
def lookup_server():
    with LookupServer() as server:
        yield server


@pytest.fixture
def secret():
    return secret_new()


@pytest.fixture
def line(acme, lookup_server, secret):
    return PhoneLineFactory(
        firm=acme,
        name="Claims helpline",
        context_source="lookup",
        context_url=lookup_server.url,
        context_secret=secret,
        context_fields=["plan", "open_ticket", "vip"],
    )


@pytest.fixture
def sita():
    return AgentProfileFactory(full_name="Sita Agent", phone="+919845099999")


def offered(line, agent) -> Call:
    return Call.objects.create(
        provider="twilio",
        provider_call_id=f"CA-ctx-{next(_ids)}",
        line=line,
        firm_id=line.firm_id,
        domain=line.domain,
        caller=CALLER,
        language="kn",
        origin_label="Mangaluru, Karnataka",
        status=Call.Status.OFFERED,
        agent=agent,
        offered_at=timezone.now(),
    )


def test_the_firm_receives_a_signed_request_about_the_call_and_never_the_agents_phone(
    line,
    sita,
    lookup_server,
    secret,
):
    lookup_server.reply({"fields": {"plan": "Gold", "open_ticket": "T-1182", "ssn": "secret"}})
    call = offered(line, sita)
    row = call_context_for(call=call, viewer=sita.user)
    (received,) = lookup_server.requests
    # The firm's side: any Standard Webhooks library verifies it with the line's secret.
    payload = Webhook(secret).verify(received["body"], received["headers"])
    assert payload["call"] == {
        "id": call.pk,
        "caller": CALLER,  # the firm's own customer, calling the firm's own line
        "language": "kn",
        "caller_city": "Mangaluru, Karnataka",
        "started_at": call.created_at.isoformat(),
    }
    assert payload["line"] == {"id": line.pk, "number": str(line.number), "name": line.name}
    assert payload["fields"] == ["plan", "open_ticket", "vip"] and payload["test"] is False
    assert "agent" not in payload and "+919845099999" not in received["body"].decode()
    assert "Sita" not in received["body"].decode()
    # Only the chosen fields, in the line's order; "ssn" was never chosen.
    assert row.state == CallContext.State.FOUND
    assert context_rows(row) == [["plan", "Gold"], ["open_ticket", "T-1182"]]


def test_a_forged_request_fails_the_firms_verification(line, sita, lookup_server):
    call_context_for(call=offered(line, sita), viewer=sita.user)
    (received,) = lookup_server.requests
    with pytest.raises(Exception, match="signature"):
        Webhook(secret_new()).verify(received["body"], received["headers"])


def test_values_become_text_cut_to_length_and_others_are_dropped(line, sita, lookup_server):
    fields = {"plan": "x" * 2000, "open_ticket": 42, "vip": True, "ignored": {"a": 1}}
    lookup_server.reply({"fields": fields})
    row = call_context_for(call=offered(line, sita), viewer=sita.user)
    rows = dict(context_rows(row))
    assert len(rows["plan"]) == FIELD_VALUE_MAX and rows["open_ticket"] == "42"
    assert rows["vip"] == "yes" and "ignored" not in rows


def test_an_unknown_caller_is_no_context_not_a_failure(line, sita, lookup_server):
    lookup_server.reply({"fields": {}})
    row = call_context_for(call=offered(line, sita), viewer=sita.user)
    assert (row.state, row.error, context_notice(row)) == (
        "none",
        "",
        "No context for this caller.",
    )


def test_the_lookup_is_sent_once_per_call(line, sita, lookup_server):
    lookup_server.reply({"fields": {"plan": "Gold"}})
    call = offered(line, sita)
    for _view in range(3):
        assert context_rows(call_context_for(call=call, viewer=sita.user)) == [["plan", "Gold"]]
    assert len(lookup_server.requests) == 1


def test_a_slow_firm_is_no_context_within_the_lookup_timeout(
    line,
    sita,
    lookup_server,
    settings,
):
    settings.CONTEXT_LOOKUP_TIMEOUT_SECONDS = 0.3
    lookup_server.reply({"fields": {"plan": "Gold"}}, delay=2)
    row = call_context_for(call=offered(line, sita), viewer=sita.user)
    assert row.state == "failed" and row.error == "No answer within 0.3 s."
    assert row.elapsed_ms < 1500  # the bound used was the setting, not the server's 2 s
    assert context_notice(row) == "No context (the firm's system did not answer)."


@pytest.mark.parametrize(
    ("body", "status", "location", "error"),
    [
        (b"<html>oops</html>", 200, "", "The answer was not a JSON object."),
        (b"[1, 2]", 200, "", "The answer was not a JSON object."),
        (b'{"plan": "Gold"}', 200, "", 'The answer has no "fields" object.'),
        (b'{"fields": {"plan": "Gold"}}', 500, "", "The server answered 500."),
        (b"", 302, "http://127.0.0.1:9/elsewhere", "The server answered 302."),
        (json.dumps({"fields": {"plan": "x" * 70000}}).encode(), 200, "", "longer than 64 kB"),
    ],
    ids=["html", "a-list", "no-fields", "500", "redirect", "huge"],
)
def test_anything_but_a_good_answer_is_a_failure_with_its_reason(
    line,
    sita,
    lookup_server,
    body,
    status,
    location,
    error,
):
    lookup_server.reply(body, status=status, location=location)
    row = call_context_for(call=offered(line, sita), viewer=sita.user)
    assert row.state == "failed" and error in row.error
    assert context_rows(row) == []
    assert context_notice(row) == "No context (the firm's system did not answer)."


def test_a_private_address_is_refused_at_send_time(line, sita, lookup_server):
    # Set behind the settings page's back (it refuses this address): the send checks again.
    line.context_url = "https://10.0.0.7/context"
    line.save(update_fields=["context_url"])
    row = call_context_for(call=offered(line, sita), viewer=sita.user)
    assert row.state == "failed" and "not on the public internet" in row.error
    assert lookup_server.requests == []


def test_the_cache_down_still_gives_the_agent_the_context(line, sita, lookup_server, monkeypatch):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "add", down)
    lookup_server.reply({"fields": {"plan": "Gold"}})
    row = call_context_for(call=offered(line, sita), viewer=sita.user)
    assert context_rows(row) == [["plan", "Gold"]]
