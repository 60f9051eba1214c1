"""The campaigns API for firms: its campaigns with figures, pausing and resuming, attempts a
page at a time, a contact's proof; another firm's ids are 404s and its key sees nothing."""

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns import lifecycle
from clients.services import api_key_create
from tests.campaigns.conftest import attempt_made, suppress
from tests.factories import CampaignFactory


def _key(firm, admin) -> dict:
    _row, raw = api_key_create(firm=firm, user=admin, name="CRM")
    return {"HTTP_AUTHORIZATION": f"Api-Key {raw}"}


@pytest.fixture
def acme_key(acme, carol):
    return _key(acme, carol)


@pytest.fixture
def globex_key(globex, dave):
    return _key(globex, dave)


@pytest.fixture
def running(ready, carol):
    ready.starts_on = timezone.localdate()
    ready.save()
    lifecycle.campaign_schedule(actor=carol, campaign=ready)
    lifecycle.campaign_start(actor=carol, campaign=ready)
    ready.refresh_from_db()
    return ready


def test_a_firm_lists_its_campaigns_and_reads_one_with_its_figures(client, acme_key, running):
    contact = running.lists.get().members.first().contact
    attempt_made(running, contact)

    listed = client.get(reverse("api-campaigns"), **acme_key).json()
    assert [c["id"] for c in listed["results"]] == [running.pk]
    assert listed["results"][0]["line"]["number"] == str(running.line.number)

    one = client.get(reverse("api-campaign", args=[running.pk]), **acme_key).json()
    assert one["status"] == "running"
    assert one["figures"]["targets_total"] == 2
    assert one["figures"]["connects"] == 1


def test_a_firm_pauses_and_resumes_a_campaign_and_a_wrong_move_is_a_conflict(
    client, acme_key, running
):
    pause = reverse("api-campaign-pause", args=[running.pk])
    resume = reverse("api-campaign-resume", args=[running.pk])
    assert client.post(pause, **acme_key).json()["status"] == "paused"
    again = client.post(pause, **acme_key)
    assert again.status_code == 409
    assert again.json()["message"].startswith("Only a running campaign can be paused")
    assert client.post(resume, **acme_key).json()["status"] == "running"


def test_attempts_come_a_page_at_a_time_with_their_proof(client, acme, acme_key, running, sita):
    contacts = [m.contact for m in running.lists.get().members.order_by("pk")]
    attempt_made(running, contacts[0])
    suppress(acme, str(contacts[1].numbers.get().number), "opt_out")
    attempt_made(running, contacts[1])

    page = client.get(reverse("api-campaign-attempts", args=[running.pk]), **acme_key).json()

    assert [a["outcome"] for a in page["results"]] == ["refused", "connected"]
    assert page["results"][1]["agent_first_name"] == "Sita"
    assert page["results"][1]["number"] == "+919845012345"
    assert page["results"][0]["checks"]["rule"] == "suppression"
    assert page["next_cursor"] is None
    bad = client.get(
        reverse("api-campaign-attempts", args=[running.pk]), {"cursor": "x"}, **acme_key
    )
    assert bad.status_code == 400


def test_a_contacts_proof_lists_every_attempt_with_its_checks(client, acme_key, running):
    contact = running.lists.get().members.first().contact
    attempt_made(running, contact)

    body = client.get(reverse("api-contact-proof", args=[contact.pk]), **acme_key).json()

    assert body["contact"] == contact.pk
    [row] = body["attempts"]
    assert row["verdict"] == "allowed"
    assert row["registry_result"] == "not applied (service call)"
    assert row["lists"] == ["Customers (version 1)"]


def test_another_firms_key_finds_none_of_our_campaigns_or_contacts(
    client, globex_key, running, globex
):
    CampaignFactory(firm=globex, name="Theirs")
    contact = running.lists.get().members.first().contact
    listed = client.get(reverse("api-campaigns"), **globex_key).json()
    assert [c["name"] for c in listed["results"]] == ["Theirs"]
    for url in (
        reverse("api-campaign", args=[running.pk]),
        reverse("api-campaign-attempts", args=[running.pk]),
        reverse("api-contact-proof", args=[contact.pk]),
    ):
        assert client.get(url, **globex_key).status_code == 404, url
    for url in (
        reverse("api-campaign-pause", args=[running.pk]),
        reverse("api-campaign-resume", args=[running.pk]),
    ):
        assert client.post(url, **globex_key).status_code == 404, url
    running.refresh_from_db()
    assert running.status == "running"


def test_a_complete_bpo_firms_key_reads_but_may_not_pause_the_agencys_campaign(
    client, globex, globex_key, root
):
    campaign = CampaignFactory(firm=globex, status="running")
    assert client.get(reverse("api-campaign", args=[campaign.pk]), **globex_key).status_code == 200
    refused = client.post(reverse("api-campaign-pause", args=[campaign.pk]), **globex_key)
    assert refused.status_code == 403
    assert "agency runs your campaigns" in refused.json()["message"]


def test_the_api_needs_a_key(client, running):
    assert client.get(reverse("api-campaigns")).status_code == 401
