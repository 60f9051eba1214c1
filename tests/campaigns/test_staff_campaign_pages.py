"""The agency's campaign pages (/staff/outbound/): an administrator runs a complete-BPO firm's
campaigns with the firm's own forms and buttons; other staff and firms' users are refused;
unknown ids and another firm's campaigns are 404s; the lists cost the same queries however
many rows they show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.models import Campaign
from tests.billing.factories import engaged
from tests.campaigns.conftest import attempt_made, contact_list
from tests.campaigns.test_campaign_pages import FORM
from tests.factories import CampaignFactory, ClientFirmFactory, PhoneLineFactory, verified_agent


@pytest.fixture
def globex_line(globex):
    return PhoneLineFactory(firm=globex, name="Globex outbound")


@pytest.fixture
def ravi(globex, globex_line):
    """An agent the agency engaged for globex on its outbound line."""
    agent = verified_agent("ravi@example.com", full_name="Ravi Kumar")
    engaged(agent, globex, lines=[globex_line])
    return agent


@pytest.fixture
def winback(globex, globex_line, ravi):
    """A draft service campaign of globex (complete BPO) with a list and ravi on its line."""
    campaign = CampaignFactory(firm=globex, line=globex_line, purpose="service", name="Winback")
    campaign.lists.set([contact_list(globex, "Lapsed", ["+919845012345", "+919845012346"])])
    campaign.assignments.create(engagement=ravi.engagements.get(), agent=ravi)
    return campaign


@pytest.fixture
def as_root(client, root):
    client.force_login(root)
    return client


def staff_url(name: str, firm, *args) -> str:
    return reverse(f"outbound_staff:{name}", args=[firm.pk, *args])


def test_an_administrator_creates_schedules_and_starts_a_complete_bpo_firms_campaign(
    as_root, globex, globex_line, ravi
):
    lapsed = contact_list(globex, "Lapsed", ["+919845012345"])
    data = FORM | {"line": globex_line.pk, "lists": [lapsed.pk], "starts_on": "", "ends_on": ""}
    form = as_root.get(staff_url("campaign_new", globex)).context["form"]
    data |= {"starts_on": form["starts_on"].value(), "ends_on": form["ends_on"].value()}

    response = as_root.post(staff_url("campaign_new", globex), data)

    campaign = Campaign.objects.get(name="December renewals")
    assert campaign.firm == globex and response.url == staff_url(
        "campaign_agents", globex, campaign.pk
    )
    as_root.post(response.url, {"engagements": [ravi.engagements.get().pk]})
    page = as_root.get(staff_url("campaign", globex, campaign.pk)).content.decode()
    assert staff_url("campaign_schedule", globex, campaign.pk) in page
    assert "The agency runs your campaigns" not in page
    as_root.post(staff_url("campaign_schedule", globex, campaign.pk))
    response = as_root.post(staff_url("campaign_start", globex, campaign.pk))

    campaign.refresh_from_db()
    assert campaign.status == "running"
    assert response.url == staff_url("campaign", globex, campaign.pk)


def test_the_campaign_page_links_to_the_staff_proof_and_its_downloads(as_root, globex, winback):
    contact = winback.lists.get().members.first().contact
    attempt_made(winback, contact)

    page = as_root.get(staff_url("campaign", globex, winback.pk)).content.decode()
    assert "Ravi Kumar" in page  # the agency sees its agent's full name
    assert staff_url("contact_proof", globex, contact.pk) in page
    assert reverse("outbound:contact_proof", args=[contact.pk]) not in page
    proof = as_root.get(staff_url("contact_proof", globex, contact.pk)).content.decode()
    assert staff_url("contact_proof_csv", globex, contact.pk) in proof
    download = as_root.get(staff_url("contact_proof_json", globex, contact.pk))
    assert download.status_code == 200 and download.json()["contact"]["id"] == contact.pk
    assert as_root.get(staff_url("contact_proof_csv", globex, contact.pk)).status_code == 200


def test_a_firms_campaigns_on_the_staff_pages_link_to_the_staff_pages(as_root, globex, winback):
    page = as_root.get(staff_url("campaigns", globex)).content.decode()
    assert "Globex Telecom: outbound campaigns" in page
    assert staff_url("campaign", globex, winback.pk) in page
    assert staff_url("campaign_new", globex) in page
    assert reverse("outbound:campaign", args=[winback.pk]) not in page


def test_an_administrator_edits_a_campaign_on_its_staff_form(as_root, globex, winback):
    url = staff_url("campaign_edit", globex, winback.pk)
    form = as_root.get(url).context["form"]
    data = {n: form[n].value() for n in form.fields if form[n].value() not in (None, "", [])}

    response = as_root.post(url, data | {"name": "Winback, December"})

    winback.refresh_from_db()
    assert winback.name == "Winback, December"
    assert response.url == staff_url("campaign", globex, winback.pk)


def test_a_refused_move_is_told_on_the_staff_page(as_root, globex, winback):
    response = as_root.post(staff_url("campaign_pause", globex, winback.pk), follow=True)
    assert "Only a running campaign can be paused" in response.content.decode()


# --- Who may ------------------------------------------------------------------------------


def _urls(firm, campaign, contact) -> list[tuple[str, str]]:
    return [
        ("get", reverse("outbound_staff:campaign_firms")),
        ("get", staff_url("campaigns", firm)),
        ("get", staff_url("campaign_new", firm)),
        ("get", staff_url("campaign", firm, campaign.pk)),
        ("get", staff_url("campaign_edit", firm, campaign.pk)),
        ("get", staff_url("campaign_agents", firm, campaign.pk)),
        ("post", staff_url("campaign_schedule", firm, campaign.pk)),
        ("get", staff_url("contact_proof", firm, contact.pk)),
        ("get", staff_url("contact_proof_csv", firm, contact.pk)),
    ]


@pytest.mark.parametrize("who", ["victor", "fiona", "dave", "carol"])
def test_vetting_finance_and_firms_users_are_refused_the_staff_pages(
    client, request, who, globex, winback
):
    client.force_login(request.getfixturevalue(who))
    contact = winback.lists.get().members.first().contact
    for method, url in _urls(globex, winback, contact):
        assert getattr(client, method)(url).status_code == 403, url
    winback.refresh_from_db()
    assert winback.status == "draft"


def test_unknown_ids_and_another_firms_campaign_are_not_found(as_root, globex, acme, winback):
    contact = winback.lists.get().members.first().contact
    gone = ClientFirmFactory.build(pk=999999)
    for method, url in _urls(gone, winback, contact)[1:]:
        assert getattr(as_root, method)(url).status_code == 404, url
    for method, url in _urls(acme, winback, contact)[3:]:  # globex's campaign under acme
        assert getattr(as_root, method)(url).status_code == 404, url
    assert as_root.get(staff_url("campaign", globex, 999999)).status_code == 404
    winback.refresh_from_db()
    assert winback.status == "draft"


def test_a_complete_bpo_firms_own_pages_say_the_agency_runs_them(client, dave, winback):
    client.force_login(dave)
    page = client.get(reverse("outbound:campaign", args=[winback.pk])).content.decode()
    assert "The agency runs your campaigns" in page
    assert reverse("outbound:campaign_edit", args=[winback.pk]) not in page
    assert reverse("outbound:campaign_schedule", args=[winback.pk]) not in page


# --- The lists ----------------------------------------------------------------------------


def test_the_outbound_home_links_each_complete_bpo_firms_campaigns(as_root, globex):
    page = as_root.get(reverse("outbound_staff:home")).content.decode()
    assert reverse("outbound_staff:campaign_firms") in page
    assert staff_url("campaigns", globex) in page


def test_complete_bpo_firms_come_first_with_their_running_campaigns(as_root, acme, globex):
    CampaignFactory(firm=acme, name="Acme drive", status="running")
    CampaignFactory(firm=globex, status="running")
    CampaignFactory(firm=globex)
    ClientFirmFactory(name="Idle partial", engagement_type="partial")
    quiet = ClientFirmFactory(name="Quiet complete", engagement_type="complete")

    page = as_root.get(reverse("outbound_staff:campaign_firms"))

    rows = [(f.name, f.campaigns_total, f.campaigns_running) for f in page.context["page"].rows]
    assert rows == [("Globex Telecom", 2, 1), (quiet.name, 0, 0), ("Acme Insurance", 1, 1)]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_staff_lists_cost_the_same_queries_however_many_rows(as_root, globex, winback):
    firms_url = reverse("outbound_staff:campaign_firms")
    campaigns_url = staff_url("campaigns", globex)
    firms, campaigns = _queries(as_root, firms_url), _queries(as_root, campaigns_url)

    for n in range(3):
        CampaignFactory(firm=ClientFirmFactory(engagement_type="complete"), status="running")
        CampaignFactory(firm=globex, line=winback.line)

    assert _queries(as_root, firms_url) == firms
    assert _queries(as_root, campaigns_url) == campaigns
