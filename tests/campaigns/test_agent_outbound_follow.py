"""Following the attempt: the poll answers 204 while nothing changed, sends the agent to the
workspace once the wrap-up is pending (on the change only), shows a progressive dial on the
outbound page, and the home panel counts what is due. Query counts pinned."""

import pytest
from django.urls import reverse

from campaigns import events
from campaigns.models import Campaign
from tests.campaigns.agent_outbound import *  # noqa: F403  (the fixtures)
from tests.campaigns.agent_outbound import HOME, connect, place
from tests.campaigns.dialing import running_campaign

pytestmark = pytest.mark.django_db


def test_the_poll_sends_the_agent_to_the_wrap_up_when_the_call_ends(client, meera, campaign):
    client.force_login(meera.user)
    client.get(HOME)
    attempt = place(client, campaign.targets.get())
    state = reverse("outbound_agent:attempt_state", args=[attempt.pk])
    events.attempt_agent_answered(attempt_id=attempt.pk)
    events.attempt_contact_answered(attempt_id=attempt.pk)
    talking = client.get(state, {"v": f"{attempt.pk}-contact-none"})
    assert "Talking" in talking.content.decode() and "HX-Redirect" not in talking
    events.attempt_dial_ended(attempt_id=attempt.pk, outcome="connected", talk_seconds=30)
    ended = client.get(state, {"v": f"{attempt.pk}-connected-none"})
    assert ended["HX-Redirect"] == reverse("agent_calls:workspace") + "?back=outbound"
    # Back on the page later: it shows the wrap-up link, and is not sent away again.
    page = client.get(reverse("outbound_agent:attempt", args=[attempt.pk])).content.decode()
    assert "Record the outcome" in page
    assert client.get(state, {"v": f"{attempt.pk}-ended-pending"}).status_code == 204


def test_an_unanswered_attempt_ends_with_its_outcome_and_the_next_contact(client, meera, campaign):
    client.force_login(meera.user)
    client.get(HOME)
    attempt = place(client, campaign.targets.get())
    events.attempt_agent_answered(attempt_id=attempt.pk)
    events.attempt_dial_ended(attempt_id=attempt.pk, outcome="no_answer")
    html = client.get(reverse("outbound_agent:attempt", args=[attempt.pk])).content.decode()
    assert "Ended</strong>: No answer" in html and "Next contact" in html
    assert "Asha Rao" not in html and "Gold" not in html  # the contact's data went with the call
    assert "+91••••••45" in html


def test_a_progressive_dial_shows_on_the_outbound_page(
    client, acme, line, meera, no_dial, eager, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the embedded setup: no beat, the poll ticks
    running_campaign(
        acme,
        line,
        agents=[meera],
        numbers=["+919845099999"],
        name="Auto renewals",
        mode=Campaign.Mode.PROGRESSIVE,
    )
    client.force_login(meera.user)
    html = client.get(HOME).content.decode()
    assert "dialled for you automatically" in html
    assert "Automatic while you" in html
    # The poll runs the dialer's tick inline (no beat in the embedded setup).
    shown = client.get(reverse("outbound_agent:state"), {"v": "none"})
    assert "Calling your phone…" in shown.content.decode()


def test_the_home_panel_counts_contacts_and_callbacks_due(client, meera, campaign):
    client.force_login(meera.user)
    html = " ".join(client.get(reverse("agents:home")).content.decode().split())
    assert "Outbound: 1 contact to call, 0 callbacks due." in html
    assert reverse("outbound_agent:home") in html


def test_an_agent_without_campaigns_has_no_outbound_panel(client, acme, line):
    from tests.routing.conftest import routable_agent

    sita = routable_agent(acme, "sita@example.com")
    client.force_login(sita.user)
    assert "Outbound:" not in client.get(reverse("agents:home")).content.decode()


def test_the_outbound_page_and_its_poll_take_a_fixed_number_of_queries(
    client, meera, campaign, django_assert_num_queries, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # the inline tick is not the page's own cost
    client.force_login(meera.user)
    client.get(HOME)  # the contact is claimed; from now on it is shown again
    with django_assert_num_queries(PAGE_QUERIES):
        assert "Asha Rao" in client.get(HOME).content.decode()
    with django_assert_num_queries(POLL_QUERIES):
        assert client.get(reverse("outbound_agent:state"), {"v": "none"}).status_code == 204
    attempt = connect(place(client, campaign.targets.get()))
    state = reverse("outbound_agent:attempt_state", args=[attempt.pk])
    with django_assert_num_queries(POLL_QUERIES):
        assert client.get(state, {"v": f"{attempt.pk}-ended-pending"}).status_code == 204


PAGE_QUERIES = 18
POLL_QUERIES = 4
