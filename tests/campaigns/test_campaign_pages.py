"""The firm's campaign pages: creating one, choosing its agents, the buttons of its life, its
figures and attempts, a contact's consent proof and its download; each page the firm's own
(another firm's ids are 404s) and run only by those who may."""

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.models import Campaign, category_bit
from tests.campaigns.conftest import attempt_made, registry, suppress
from tests.factories import CampaignFactory, FirmMemberFactory

FORM = {
    "name": "December renewals",
    "purpose": "service",
    "category": "1",
    "mode": "preview",
    "starts_on": "2026-12-01",
    "ends_on": "2026-12-31",
    "window_start": "09:00",
    "window_end": "18:00",
    "excluded_weekdays": ["6"],
    "excluded_dates": "2026-12-25",
    "fields_shown": "plan, renewal_date",
    "retry_no_answer_minutes": "120",
    "retry_busy_minutes": "30",
    "retry_failed_minutes": "240",
    "retry_machine_minutes": "240",
    "max_attempts": "3",
    "max_attempts_per_day": "2",
}


@pytest.fixture
def signed_in(client, carol):
    client.force_login(carol)
    return client


def test_a_firm_admin_creates_a_campaign_then_chooses_its_agents(signed_in, acme_line, sita, ready):
    data = FORM | {"line": acme_line.pk, "lists": [ready.lists.get().pk]}
    response = signed_in.post(reverse("outbound:campaign_new"), data)

    campaign = Campaign.objects.get(name="December renewals")
    assert response.url == reverse("outbound:campaign_agents", args=[campaign.pk])
    assert campaign.excluded_weekdays == [6] and campaign.excluded_dates == ["2026-12-25"]
    assert campaign.fields_shown == ["plan", "renewal_date"]
    engagement = sita.engagements.get()
    page = signed_in.get(response.url)
    assert "Sita Rao" in page.content.decode()
    signed_in.post(response.url, {"engagements": [engagement.pk]})
    assert list(campaign.assignments.values_list("agent", flat=True)) == [sita.pk]


def test_a_promotional_window_past_nine_in_the_evening_is_refused_on_the_form(signed_in, acme_line):
    data = FORM | {"line": acme_line.pk, "purpose": "promotional", "window_end": "21:30"}
    response = signed_in.post(reverse("outbound:campaign_new"), data)
    assert response.status_code == 200
    assert "09:00 to 21:00" in response.content.decode()
    assert not Campaign.objects.filter(name="December renewals").exists()


def test_the_buttons_move_the_campaign_and_refusals_are_told(signed_in, ready):
    url = reverse("outbound:campaign", args=[ready.pk])
    signed_in.post(reverse("outbound:campaign_schedule", args=[ready.pk]))
    ready.refresh_from_db()
    assert ready.status == "scheduled"

    response = signed_in.post(reverse("outbound:campaign_pause", args=[ready.pk]), follow=True)
    assert "Only a running campaign can be paused" in response.content.decode()
    signed_in.post(reverse("outbound:campaign_start", args=[ready.pk]))
    signed_in.post(reverse("outbound:campaign_pause", args=[ready.pk]))
    ready.refresh_from_db()
    assert ready.status == "paused"
    assert signed_in.get(url).status_code == 200


def test_the_campaign_page_shows_figures_and_attempts_with_the_contacts_number(
    signed_in, acme, ready, sita
):
    contacts = [m.contact for m in ready.lists.get().members.select_related("contact")]
    attempt_made(ready, contacts[0])
    suppress(acme, "+919845012346", "opt_out")
    attempt_made(ready, contacts[1])

    page = signed_in.get(reverse("outbound:campaign", args=[ready.pk])).content.decode()

    assert "+91 98450 12345" in page  # the firm's own contact, in full
    assert "Sita" in page and "Connected" in page
    assert "On the do-not-call list" in page  # refused, by rule
    assert reverse("outbound:contact_proof", args=[contacts[0].pk]) in page


def test_a_contacts_proof_downloads_one_row_per_attempt(signed_in, acme, ready):
    contact = ready.lists.get().members.first().contact
    attempt_made(ready, contact)
    suppress(acme, str(contact.numbers.get().number), "disposition")
    attempt_made(ready, contact)

    response = signed_in.get(reverse("outbound:contact_proof_csv", args=[contact.pk]))
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    assert [r["verdict"] for r in rows] == [
        "allowed",
        "refused: On the do-not-call list: The contact asked an agent.",
    ]
    assert rows[0]["campaign"] == "Renewals"
    assert rows[0]["registry_result"] == "not applied (service call)"
    assert rows[0]["window"] == "09:00–21:00"
    assert rows[0]["zones"] == "Asia/Kolkata"
    assert rows[0]["lists"] == "Customers (version 1)"
    assert rows[1]["suppression_listed"] == "True"

    body = json.loads(
        signed_in.get(reverse("outbound:contact_proof_json", args=[contact.pk])).content
    )
    assert body["contact"]["id"] == contact.pk
    assert [a["verdict"] for a in body["attempts"]] == [r["verdict"] for r in rows]
    assert " 12:00 " in body["attempts"][0]["local_times"]["Asia/Kolkata"]

    page = signed_in.get(reverse("outbound:contact_proof", args=[contact.pk])).content.decode()
    assert "national do-not-call registry" in page and "not applied (service call)" in page


# --- Ownership and roles ------------------------------------------------------------------


def _acme_urls(ready) -> list[tuple[str, str]]:
    contact = ready.lists.get().members.first().contact
    pk = [ready.pk]
    return [
        ("get", reverse("outbound:campaign", args=pk)),
        ("get", reverse("outbound:campaign_edit", args=pk)),
        ("get", reverse("outbound:campaign_agents", args=pk)),
        ("post", reverse("outbound:campaign_schedule", args=pk)),
        ("post", reverse("outbound:campaign_pause", args=pk)),
        ("get", reverse("outbound:contact_proof", args=[contact.pk])),
        ("get", reverse("outbound:contact_proof_csv", args=[contact.pk])),
        ("get", reverse("outbound:contact_proof_json", args=[contact.pk])),
    ]


def test_another_firms_campaigns_and_contacts_are_not_found(client, dave, ready):
    client.force_login(dave)
    for method, url in _acme_urls(ready):
        assert getattr(client, method)(url).status_code == 404, url
    ready.refresh_from_db()
    assert ready.status == "draft"


def test_the_list_shows_only_the_firms_own_campaigns(signed_in, ready, globex):
    CampaignFactory(firm=globex, name="Globex winback")
    page = signed_in.get(reverse("outbound:campaigns")).content.decode()
    assert "Renewals" in page and "Globex winback" not in page


def test_a_plain_member_reads_campaigns_but_may_not_run_them(client, acme, ready):
    client.force_login(FirmMemberFactory(firm=acme, role="member").user)
    assert client.get(reverse("outbound:campaign", args=[ready.pk])).status_code == 200
    assert client.get(reverse("outbound:campaign_new")).status_code == 403
    assert client.get(reverse("outbound:campaign_edit", args=[ready.pk])).status_code == 403
    client.post(reverse("outbound:campaign_schedule", args=[ready.pk]))
    ready.refresh_from_db()
    assert ready.status == "draft"


def test_a_complete_bpo_firm_sees_its_campaigns_run_by_the_agency(client, globex, dave):
    campaign = CampaignFactory(firm=globex, name="Globex winback")
    client.force_login(dave)
    page = client.get(reverse("outbound:campaigns")).content.decode()
    assert "Globex winback" in page and "The agency runs your campaigns" in page
    assert client.get(reverse("outbound:campaign_new")).status_code == 403
    response = client.post(reverse("outbound:campaign_schedule", args=[campaign.pk]), follow=True)
    assert "The agency runs your campaigns" in response.content.decode()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_list_and_a_campaigns_page_cost_the_same_queries_however_many_rows(
    signed_in, acme, ready
):
    contacts = [m.contact for m in ready.lists.get().members.all()]
    attempt_made(ready, contacts[0])
    campaigns_url = reverse("outbound:campaigns")
    campaign_url = reverse("outbound:campaign", args=[ready.pk])
    few = _queries(signed_in, campaigns_url)
    one = _queries(signed_in, campaign_url)

    for _ in range(3):
        CampaignFactory(firm=acme, line=ready.line)
    attempt_made(ready, contacts[1])

    assert _queries(signed_in, campaigns_url) == few
    assert _queries(signed_in, campaign_url) == one


def test_a_running_campaign_is_renamed_on_its_form_but_its_settings_wait_for_a_pause(
    signed_in, ready
):
    signed_in.post(reverse("outbound:campaign_schedule", args=[ready.pk]))
    signed_in.post(reverse("outbound:campaign_start", args=[ready.pk]))
    url = reverse("outbound:campaign_edit", args=[ready.pk])
    form = signed_in.get(url).context["form"]
    data = {
        name: form[name].value() for name in form.fields if form[name].value() not in (None, "", [])
    }

    signed_in.post(url, data | {"name": "Renewals, December"})
    refused = signed_in.post(url, data | {"category": "2"})

    ready.refresh_from_db()
    assert ready.name == "Renewals, December" and ready.category == "1"
    assert "pause it first" in refused.content.decode()


def test_another_firm_cannot_post_our_campaigns_forms(client, dave, ready):
    client.force_login(dave)
    for name in ("outbound:campaign_edit", "outbound:campaign_agents"):
        assert client.post(reverse(name, args=[ready.pk]), {"name": "x"}).status_code == 404
    ready.refresh_from_db()
    assert ready.name == "Renewals"


def test_a_registry_refusal_is_proved_with_the_extract_it_was_checked_against(signed_in, ready):
    ready.purpose = "promotional"
    ready.save()
    contact = ready.lists.get().members.first().contact
    number = str(contact.numbers.get().number)
    extract = registry((number, False, category_bit(ready.category)))
    attempt_made(ready, contact)

    body = json.loads(
        signed_in.get(reverse("outbound:contact_proof_json", args=[contact.pk])).content
    )

    [row] = body["attempts"]
    assert row["registry_version"] == extract.pk
    assert row["registry_result"] == "blocks categories 1"
    assert row["purpose"] == "Promotional (marketing)"
    assert row["category"] == "Banking, insurance and financial products"
    assert row["verdict"] == "refused: The national registry: blocks this campaign's category."
    assert row["window"] == "" and row["zones"] == []  # stopped before the hours were checked
