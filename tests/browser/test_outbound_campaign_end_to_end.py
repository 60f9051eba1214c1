"""Outbound calling end to end in a real browser, on a phone and a laptop (issue 17).

Carol, the admin of acme (a partial-BPO firm), makes a contact list and uploads a CSV with
one bad row: the import is refused with the row's number and reason, and nothing is
imported; the corrected file imports. She makes a service campaign on that list and line,
picks the engaged agent, schedules and starts it. Meera, the agent (a second browser),
sees the contact in preview with a masked number, presses Call; the test plays the
provider's events (campaigns.events); she saves a disposition and notes on the workspace.
Carol then sees the attempt on the campaign's page and the contact's consent proof, and
downloads it as CSV with her session. No page is wider than the screen.
Screenshots: var/screens/e2e-<step>-<width>.png.
"""

import csv
import datetime as dt
import io
import re
from pathlib import Path
from urllib.parse import urljoin

import pytest
from django.utils import timezone

from campaigns import events
from campaigns.models import Attempt, Campaign, ImportJob
from clients.models import Contact
from routing.models import number_masked
from tests.browser.conftest import sign_in
from tests.campaigns.agent_outbound import *  # noqa: F403  (the fixtures: line, meera, no_dial)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens"
ASHA, RAVI = "+919845012345", "+919845012399"
HEADER = "number,name,language,plan\n"
BAD = HEADER + f"{ASHA},Asha Rao,en,Gold\n12345,Ravi Kumar,en,Silver\n"
GOOD = HEADER + f"{ASHA},Asha Rao,en,Gold\n{RAVI},Ravi Kumar,en,Silver\n"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _inside_the_window():
    """The campaign calls 00:00-23:59 in the contact's time (India): the last minute of
    the day is outside it, whatever the purpose."""
    if timezone.localtime().time() >= dt.time(23, 58):
        pytest.skip("too close to midnight in India for a 00:00-23:59 window")


def shot(page, width: int, step: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"e2e-{step}-{width}.png"), full_page=True)
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= width, f"{step}: the page is {wide} px wide on a {width} px screen"


def csp_watch(page) -> list[str]:
    """What the Content-Security-Policy refused on `page` (as the `page` fixture does)."""
    refused: list[str] = []
    page.on(
        "console",
        lambda m: (
            refused.append(m.text)
            if "Content Security Policy" in m.text or m.text.startswith("Refused to")
            else None
        ),
    )
    return refused


def upload(page, text: str, name: str) -> None:
    files = {"name": name, "mimeType": "text/csv", "buffer": text.encode()}
    page.get_by_label("File (CSV in UTF-8, or XLSX)").set_input_files(files)
    page.get_by_role("button", name="Upload").click()
    page.wait_for_url(re.compile(r"/client/outbound/imports/\d+/$"))


def firm_uploads_a_list(page, url: str, width: int) -> None:
    page.goto(f"{url}/client/outbound/lists/")
    assert page.locator('a[href="/client/outbound/lists/"]').count()  # in the navigation
    page.get_by_label("New list").fill("Renewals December")
    page.get_by_role("button", name="Make the list").click()
    page.wait_for_url(re.compile(r"/client/outbound/lists/\d+/$"))
    shot(page, width, "list")

    upload(page, BAD, "renewals.csv")
    page.locator("#import-progress label", has_text="Not imported: bad rows").wait_for()
    bad_rows = page.get_by_role("table", name="Bad rows")
    assert bad_rows.locator("tbody tr").count() == 1
    assert bad_rows.locator("tbody td").all_inner_texts() == ["3", "“12345” is not a phone number"]
    assert page.get_by_role("status").inner_text() == "1 bad row: nothing was imported."
    assert not Contact.objects.exists()  # nothing half-imported
    shot(page, width, "bad-rows")

    page.get_by_role("link", name="← Back").click()
    upload(page, GOOD, "renewals-fixed.csv")
    page.locator("#import-progress label", has_text="Imported").wait_for()
    assert page.locator("#import-progress-bar").get_attribute("value") == "100"
    assert "2 rows read: 2 good, 0 bad" in page.locator("#import-progress").inner_text()
    assert ImportJob.objects.filter(status=ImportJob.Status.DONE).count() == 1
    shot(page, width, "imported")

    page.get_by_role("link", name="← Back").click()
    page.get_by_role("link", name="See the contacts").click()
    page.get_by_role("cell", name="Asha Rao").wait_for()
    assert page.get_by_role("cell", name="Ravi Kumar").is_visible()
    assert "+91 98450 12345" in page.content()  # the firm's own data: numbers whole
    shot(page, width, "contacts")


def firm_starts_a_campaign(page, url: str, width: int, line, meera) -> Campaign:
    page.goto(f"{url}/client/outbound/campaigns/new/")
    page.get_by_label("Name").fill("December renewals")
    page.get_by_label("Service (customers' own matters)").check()
    page.get_by_label("Preview: the agent presses Call").check()
    page.get_by_label("Category").select_option(label="Banking, insurance and financial products")
    page.get_by_label("Caller ID").select_option(value=str(line.pk))
    page.get_by_label("Renewals December").check()
    page.get_by_label("Contact fields agents see").fill("plan")
    page.get_by_label("Calls from").fill("00:00")
    page.get_by_label("Calls until").fill("23:59")
    shot(page, width, "campaign-form")
    page.get_by_role("button", name="Save campaign").click()

    page.wait_for_url(re.compile(r"/client/outbound/campaigns/\d+/agents/$"))
    page.get_by_label(re.compile(re.escape(meera.full_name))).check()
    shot(page, width, "campaign-agents")
    page.get_by_role("button", name="Save agents").click()
    page.wait_for_url(re.compile(r"/client/outbound/campaigns/\d+/$"))
    page.get_by_role("button", name="Schedule").click()
    page.get_by_role("button", name="Start").click()
    page.get_by_text("Campaign started: agents get its contacts now.").wait_for()
    shot(page, width, "campaign-running")
    campaign = Campaign.objects.get()
    assert campaign.status == Campaign.Status.RUNNING and campaign.targets.count() == 2
    return campaign


def agent_calls_and_disposes(agent, url: str, width: int, meera) -> Attempt:
    sign_in(agent, url, meera.user.email)
    agent.goto(f"{url}/agent/outbound/")
    heading = agent.locator("#preview header strong")
    heading.wait_for()
    name = heading.inner_text().removeprefix("Next: ")
    number = {"Asha Rao": ASHA, "Ravi Kumar": RAVI}[name]
    facts = agent.locator("#preview .workspace-facts").inner_text()
    assert number_masked(number) in facts and ("Gold" in facts or "Silver" in facts)
    for whole in (ASHA, RAVI, "98450 12345", "98450 12399", "9845012345", "9845012399"):
        assert whole not in agent.content()  # never the full number
    shot(agent, width, "agent-preview")

    agent.get_by_role("button", name="Call", exact=True).click()
    agent.get_by_text("Answer your phone").wait_for()
    attempt = Attempt.objects.get()
    assert attempt.contact.name == name
    events.attempt_agent_answered(attempt_id=attempt.pk)
    agent.locator(".step-current", has_text="Calling the contact…").wait_for()
    events.attempt_contact_answered(attempt_id=attempt.pk)
    agent.locator(".step-current", has_text="Talking").wait_for()
    shot(agent, width, "agent-talking")
    events.attempt_dial_ended(attempt_id=attempt.pk, outcome="connected", talk_seconds=95)

    agent.wait_for_url(re.compile(r"/agent/calls/workspace/"))
    agent.get_by_text("December renewals").first.wait_for()
    agent.get_by_label("Disposition").select_option(label="Sale")
    agent.get_by_label("Notes").fill("Renewed for a year; sends the form today.")
    shot(agent, width, "agent-wrap-up")
    agent.get_by_role("button", name="Save wrap-up").click()
    agent.wait_for_url(re.compile(r"/agent/outbound/$"))
    shot(agent, width, "agent-after")
    attempt.refresh_from_db()
    assert attempt.disposition.label == "Sale" and attempt.outcome == Attempt.Outcome.CONNECTED
    return attempt


def firm_sees_the_attempt_and_its_proof(page, width: int, attempt: Attempt, meera) -> None:
    page.reload()
    row = page.locator("tr", has_text=attempt.contact.name).filter(has_text="Proof")
    assert "Connected" in row.inner_text() and "Sale" in row.inner_text()
    for shown in (meera.phone.as_e164, meera.phone.as_international, meera.phone.as_national):
        assert shown not in page.content()  # firms never see an agent's number
    shot(page, width, "campaign-attempt")

    row.get_by_role("link", name="Proof").click()
    page.wait_for_url(re.compile(rf"/client/outbound/contacts/{attempt.contact_id}/proof/$"))
    proof = page.locator("article").inner_text()
    for seen in (
        "Service (customers' own matters)",
        "not applied (service call)",  # the registry: a service call
        "version 0: not listed",  # the firm's do-not-call list
        "Renewals December (version",
        "00:00–23:59",
        "allowed",
    ):
        assert seen in proof, seen
    # The contact's zone (phonenumbers names India's by its old name) and its local time.
    assert re.search(r"Asia/Kolkata: \d{4}-\d\d-\d\d \d\d:\d\d", proof), proof
    shot(page, width, "proof")

    assert page.get_by_role("link", name="JSON").get_attribute("href").endswith("proof.json")
    href = page.get_by_role("link", name="spreadsheet (CSV)").get_attribute("href")
    answer = page.request.get(urljoin(page.url, href))  # with the page's session
    assert answer.ok and answer.headers["content-type"].startswith("text/csv")
    (found,) = list(csv.DictReader(io.StringIO(answer.text().lstrip("\ufeff"))))
    assert found["attempt"] == str(attempt.pk)
    assert found["number"] == f"'{attempt.number}"  # common.csvfile: no formula starts a cell
    assert found["registry_result"] == "not applied (service call)"
    assert found["verdict"] == "allowed" and found["outcome"] == "Connected"


@pytest.mark.parametrize("width", [390, 1366])
def test_a_firm_uploads_a_list_starts_a_campaign_and_sees_the_agents_call_and_its_proof(
    page, browser, live_server, eager, carol, line, meera, no_dial, width
):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, carol.email)
    firm_uploads_a_list(page, live_server.url, width)
    firm_starts_a_campaign(page, live_server.url, width, line, meera)

    context = browser.new_context(viewport={"width": width, "height": 900})
    context.set_default_timeout(15_000)
    try:
        agent = context.new_page()
        refused = csp_watch(agent)
        attempt = agent_calls_and_disposes(agent, live_server.url, width, meera)
    finally:
        context.close()
    assert not refused, refused

    firm_sees_the_attempt_and_its_proof(page, width, attempt, meera)
