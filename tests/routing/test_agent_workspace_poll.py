"""The agent's workspace, polled every second: 204 while nothing changed (nothing rendered,
nothing audited), the fragment when it did — only ever the agent's own call, with the
firm's context and script."""

import re

import pytest
from django.urls import reverse

from clients.models import Contact, ContactNumber, ContextSource
from clients.scripts import script_save
from common.models import AuditRecord
from routing.models import Call
from tests.factories import PhoneLineFactory
from tests.routing.conftest import LANDLINE_MANGALURU, routable_agent
from tests.routing.workspace_calls import (
    answer,
    complete,
    offer,
    talking,
    with_codes,
    wrapping_up,
)

pytestmark = pytest.mark.django_db
STATE = reverse("agent_calls:workspace_state")


@pytest.fixture
def line(acme, carol):
    line = PhoneLineFactory(
        firm=acme,
        name="Claims helpline",
        wrap_up_seconds=60,
        context_source=ContextSource.CONTACTS,
        context_fields=["name", "plan"],
    )
    script_save(actor=carol, line=line, language="", body="# Greet\n\nSay **Acme Insurance**.")
    return line


@pytest.fixture
def sita(acme, line):
    return routable_agent(acme, "sita@example.com")


@pytest.fixture
def priya(acme):
    contact = Contact.objects.create(
        firm=acme, name="Priya Rao", fields={"plan": "Gold", "secret": "not chosen"}
    )
    ContactNumber.objects.create(contact=contact, firm=acme, number=LANDLINE_MANGALURU)
    return contact


def key_of(response) -> str:
    return re.search(r'data-key="([^"]+)"', response.content.decode()).group(1)


def poll(client, key: str):
    return client.get(STATE, {"v": key})


def views() -> int:
    return AuditRecord.objects.filter(action="context_viewed").count()


def test_an_idle_agent_polls_204_until_a_call_is_offered(client, line, sita, priya):
    client.force_login(sita.user)
    page = client.get(reverse("agent_calls:workspace"))
    assert b"No call right now" in page.content
    assert key_of(page) == "idle"
    assert poll(client, "idle").status_code == 204

    call, _action = offer(client, line)
    shown = poll(client, "idle")
    assert shown.status_code == 200
    html = shown.content.decode()
    assert (
        "Your phone is ringing" in html and "Claims helpline" in html and "Acme Insurance" in html
    )
    assert call.caller_masked in html and LANDLINE_MANGALURU not in html
    assert "<strong>Acme Insurance</strong>" in html  # the script, rendered
    assert "Priya Rao" in html and "Gold" in html and "not chosen" not in html
    assert views() == 1
    call.refresh_from_db()
    assert call.script.version == 1  # the version shown, recorded

    assert poll(client, key_of(shown)).status_code == 204
    assert views() == 1  # a 204 shows nothing, so it audits nothing


def test_the_204_costs_the_key_query_alone(client, line, sita, django_assert_max_num_queries):
    client.force_login(sita.user)
    client.get(STATE, {"v": "x"})
    with django_assert_max_num_queries(4):  # session, user, agent profile, the key
        assert poll(client, "idle").status_code == 204


def test_each_change_of_the_call_swaps_the_fragment(client, line, sita, priya):
    client.force_login(sita.user)
    with_codes(line)
    call, action = offer(client, line)
    ringing = key_of(poll(client, "idle"))
    answer(client, line, call)
    talking_now = poll(client, ringing)
    assert talking_now.status_code == 200 and b"On a call" in talking_now.content
    complete(client, line, action)
    wrap = poll(client, key_of(talking_now))
    assert wrap.status_code == 200
    html = wrap.content.decode()
    assert "Wrap-up" in html and "data-deadline" in html and 'name="disposition"' in html
    assert "Resolved" in html and 'name="notes"' in html


def test_another_agents_call_is_never_shown(client, acme, line, sita, priya):
    ravi = routable_agent(acme, "ravi@example.com")
    sita_call, _ = offer(client, line)  # the nearest/longest idle: one of them
    holder, other = (sita, ravi) if sita_call.agent_id == sita.pk else (ravi, sita)
    client.force_login(other.user)
    response = poll(client, "stale")
    assert b"No call right now" in response.content
    assert (
        b"Priya" not in response.content
        and sita_call.caller_masked.encode() not in response.content
    )
    assert views() == 0
    client.force_login(holder.user)
    assert b"Priya Rao" in poll(client, "stale").content


def test_a_caller_without_a_record_shows_no_context(client, line, sita):
    client.force_login(sita.user)
    offer(client, line)
    assert b"No context: the firm has no record of this caller" in poll(client, "idle").content


def test_a_returning_caller_is_pointed_out(client, line, sita):
    with_codes(line)
    client.force_login(sita.user)
    first = wrapping_up(client, line, "CA1")
    client.post(
        reverse("agent_calls:wrap_up", args=[first.pk]),
        {"disposition": line.dispositions.first().pk, "notes": "First call"},
    )
    offer(client, line, "CA2")
    text = " ".join(poll(client, "idle").content.decode().split())
    assert "Returning caller: called 1 time in 30 days; you served them on" in text


def test_the_wrap_up_form_posts_the_disposition(client, line, sita):
    codes = with_codes(line)
    client.force_login(sita.user)
    call = wrapping_up(client, line)
    response = client.post(
        reverse("agent_calls:wrap_up", args=[call.pk]),
        {"disposition": codes["ESC"].pk, "notes": "Sent to the claims desk", "back": "home"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("agents:home")
    call.refresh_from_db()
    assert (call.wrap_up, call.disposition, call.notes) == (
        "submitted",
        codes["ESC"],
        "Sent to the claims desk",
    )


def test_notes_missing_show_the_form_again_with_the_error(client, line, sita):
    codes = with_codes(line)
    client.force_login(sita.user)
    call = wrapping_up(client, line)
    response = client.post(
        reverse("agent_calls:wrap_up", args=[call.pk]), {"disposition": codes["ESC"].pk}
    )
    assert response.status_code == 400
    assert b"This field is required" in response.content
    assert Call.objects.get(pk=call.pk).wrap_up == "pending"


def test_another_agent_cannot_post_the_wrap_up(client, acme, line, sita):
    codes = with_codes(line)
    call = wrapping_up(client, line)
    ravi = routable_agent(acme, "ravi@example.com")
    client.force_login(ravi.user)
    response = client.post(
        reverse("agent_calls:wrap_up", args=[call.pk]),
        {"disposition": codes["RES"].pk, "notes": "x"},
    )
    assert response.status_code == 400
    assert Call.objects.get(pk=call.pk).wrap_up == "pending"


def test_the_home_page_shows_the_live_workspace(client, line, sita):
    client.force_login(sita.user)
    talking(client, line)
    home = client.get(reverse("agents:home")).content.decode()
    assert 'id="workspace"' in home and "On a call" in home and "every 1s" in home
    assert reverse("agent_calls:workspace") in home  # and the nav's link to the calls page


def test_firms_and_staff_cannot_poll(client, carol):
    client.force_login(carol)
    assert client.get(STATE, {"v": "idle"}).status_code in {302, 403}
