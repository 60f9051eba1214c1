"""Issue 19's browser cases, at 1366 and 390 px: an agent books half-hours across a week on
their grid, and their team lead (signed in with TOTP) watches the team live and takes an
agent off duty with a reason."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Notification
from agents.models import AgentProfile
from teams.models import Booking, Slot
from teams.slots import slots_open
from tests.browser.conftest import ARTIFACTS, sign_in, sign_out
from tests.conftest import STAFF_TOTP_SECRET, totp_now
from tests.factories import verified_agent
from tests.teams.conftest import engage, lead_user, request_for, team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Duty = AgentProfile.Duty


def next_monday() -> dt.date:
    today = timezone.localdate()
    return today + dt.timedelta(days=7 - today.weekday())


@pytest.fixture
def week_open(acme):
    """Acme's claims desk, Monday to Friday 09:00-10:00 in Kolkata next week, its slots open
    since two days (both booking rounds)."""
    monday = next_monday()
    desk = request_for(
        acme,
        days="01234",
        starts_at=dt.time(9),
        ends_at=dt.time(10),
        start_date=monday - dt.timedelta(days=7),
        end_date=monday + dt.timedelta(days=30),
    )
    assert slots_open(request=desk, week_start=monday) == 10  # 5 days x 2 half-hours
    Slot.objects.filter(request=desk).update(opened_at=timezone.now() - dt.timedelta(days=2))
    return desk, monday


@pytest.mark.parametrize("width", [1366, 390])
def test_an_agent_books_half_hours_across_next_week(page, live_server, eager, week_open, width):
    desk, monday = week_open
    asha = verified_agent("asha@example.com", full_name="Asha Nair")
    engage(asha, desk)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, asha.user.email)
    page.get_by_role("link", name="Schedule").first.click()
    page.get_by_role("link", name="Next week →").click()
    assert f"Week of {monday:%a} {monday.day} {monday:%b %Y}" in page.content()
    for booked in range(1, 6):
        page.get_by_role("button", name="Book").first.click()
        page.get_by_text(
            f"{booked} half-hour{'s' if booked > 1 else ''} booked this week"
        ).wait_for()
    assert page.get_by_role("button", name="Release").count() == 5
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    bookings = Booking.objects.filter(agent=asha, status=Booking.Status.BOOKED)
    assert bookings.count() == 5
    assert {b.slot.request_id for b in bookings} == {desk.pk}


@pytest.mark.parametrize("width", [1366, 390])
def test_a_lead_watches_the_team_and_takes_an_agent_off_duty(page, live_server, eager, width):
    leo = lead_user("leo@homeshore.example")
    asha = verified_agent("asha@example.com", full_name="Asha Nair")
    ravi = verified_agent("ravi@example.com", full_name="Ravi Menon")
    uma = verified_agent("uma@example.com", full_name="Uma Rajan")  # another team's
    team("Kochi Coast", leo, asha, ravi)
    team("Chennai Central", None, uma, where=(13.08, 80.27))
    AgentProfile.objects.filter(pk__in=[asha.pk, ravi.pk]).update(
        duty_status=Duty.AVAILABLE, duty_changed_at=timezone.now()
    )
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, leo.email)
    page.get_by_label("Code:", exact=True).fill(totp_now(STAFF_TOTP_SECRET))
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("heading", name="Kochi Coast").wait_for()
    rows = page.locator("table").first
    assert "Asha Nair" in rows.inner_text() and "Uma Rajan" not in page.content()
    # Asha takes a call: the lead's next look shows it.
    AgentProfile.objects.filter(pk=asha.pk).update(duty_status=Duty.ON_CALL)
    page.reload()
    asha_now = page.locator("table").first.get_by_role("row").filter(has_text="Asha Nair")
    assert "On a call" in asha_now.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"lead_team_live_{width}.png"), full_page=True)
    # Ravi is taken off duty, with a reason he is told.
    page.get_by_role("link", name="Ravi Menon").click()
    page.get_by_label("Reason").fill("Headset fault: get it replaced before the next shift")
    page.get_by_role("button", name="Take Ravi Menon off duty").click()
    page.get_by_text("Ravi Menon is off duty and has been told why.").wait_for()
    ravi.refresh_from_db()
    assert ravi.duty_status == Duty.OFFLINE
    told = Notification.objects.get(recipient=ravi.user, kind="taken_off_duty")
    assert "Headset fault" in f"{told.title} {told.body}"
    sign_out(page, live_server.url)
