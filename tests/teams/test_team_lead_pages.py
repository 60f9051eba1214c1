"""A team lead's pages (issue 19): their team live and its figures, coaching notes on its
calls, taking an agent off duty. Their own team only: another team's agent, call or note is a
404; agents and firms are refused."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from agents.models import AgentProfile
from common.models import AuditAction, AuditRecord
from routing.models import Call, CoachingNote
from tests.factories import PhoneLineFactory, verified_agent
from tests.routing.analytics_data import at, make_call
from tests.teams.conftest import CHENNAI_ID, team

pytestmark = pytest.mark.django_db
Duty = AgentProfile.Duty


@pytest.fixture
def kochi(leo):
    asha = verified_agent("asha@example.com", full_name="Asha Nair")
    ravi = verified_agent("ravi@example.com", full_name="Ravi Menon")
    return team("Kochi Coast", leo, asha, ravi)


@pytest.fixture
def chennai(lena):
    uma = verified_agent("uma@example.com", full_name="Uma Rajan")
    return team("Chennai Central", lena, uma, where=(13.08, 80.27), geoname_id=CHENNAI_ID)


def member(franchise, name):
    return AgentProfile.objects.get(franchise_seat__franchise=franchise, full_name=name)


def test_the_team_page_shows_who_is_on_duty_on_a_call_and_missed_today(client, leo, kochi, acme):
    asha, ravi = member(kochi, "Asha Nair"), member(kochi, "Ravi Menon")
    AgentProfile.objects.filter(pk=asha.pk).update(duty_status=Duty.ON_CALL)
    AgentProfile.objects.filter(pk=ravi.pk).update(duty_status=Duty.WRAP_UP)
    line = PhoneLineFactory(firm=acme, name="Claims helpline")
    now = timezone.now()
    talking = make_call(line, now, status="in_progress", agent=asha, offers=(asha,))
    Call.objects.filter(pk=talking.pk).update(answered_at=now)  # answered, still talking
    make_call(line, now, status="abandoned", agent=ravi, offers=(ravi,))  # rang out: missed
    client.force_login(leo)
    response = client.get(reverse("lead:team"))
    live = response.context["live"]
    assert (live["on_duty"], live["on_call"], live["wrap_up"], live["missed"]) == (2, 1, 1, 1)
    page = response.content.decode()
    assert "Claims helpline" in page and "Wrap-up" in page
    assert "Adherence this week" in page  # teams/_team_adherence.html, a row per agent
    assert [row["agent"] for row in response.context["adherence_rows"]] == [asha, ravi]


def test_the_figures_page_shows_the_teams_service_level_and_handle_time(client, leo, kochi, acme):
    asha = member(kochi, "Asha Nair")
    line = PhoneLineFactory(firm=acme, service_level_target_seconds=20)
    make_call(line, at(0, 0, 1), agent=asha, wait=10, talk=100, offers=(asha,))
    make_call(line, at(0, 0, 2), agent=asha, wait=40, talk=200, offers=(asha,))
    client.force_login(leo)
    figures = client.get(reverse("lead:figures"), {"period": "today"}).context["figures"]
    assert (figures["calls"], figures["answered"], figures["service_level"]) == (2, 2, 0.5)
    assert figures["handle_seconds"] == 150
    assert [r["agent"].full_name for r in figures["rows"]] == ["Asha Nair", "Ravi Menon"]


def test_a_lead_writes_a_coaching_note_the_agent_reads(client, leo, kochi, acme):
    asha = member(kochi, "Asha Nair")
    call = make_call(PhoneLineFactory(firm=acme), at(1, 10), agent=asha)
    client.force_login(leo)
    url = reverse("lead:call", args=[call.pk])
    assert client.post(url, {"text": "Greet by name first."}).status_code == 302
    assert "Greet by name first." in client.get(url).content.decode()
    note = CoachingNote.objects.get()
    assert (note.call, note.author) == (call, leo)
    client.force_login(asha.user)
    assert "Greet by name first." in client.get(reverse("agent_calls:quality")).content.decode()


def test_a_lead_takes_an_agent_off_duty_with_a_reason(client, leo, kochi):
    asha = member(kochi, "Asha Nair")
    AgentProfile.objects.filter(pk=asha.pk).update(duty_status=Duty.AVAILABLE)
    client.force_login(leo)
    url = reverse("lead:agent", args=[asha.pk])
    response = client.post(url, {"reason": "Headset fault reported"})
    assert response.status_code == 302
    asha.refresh_from_db()
    assert asha.duty_status == Duty.OFFLINE
    record = AuditRecord.objects.get(action=AuditAction.TAKEN_OFF_DUTY)
    assert (record.actor, record.reason, record.after) == (
        leo,
        "Headset fault reported",
        {"duty_status": "offline"},
    )
    notice = Notification.objects.get(recipient=asha.user)
    assert notice.kind == Notification.Kind.TAKEN_OFF_DUTY
    assert "Headset fault reported" in notice.body


def test_an_agent_already_off_duty_is_not_taken_off_again(client, leo, kochi):
    asha = member(kochi, "Asha Nair")
    AgentProfile.objects.filter(pk=asha.pk).update(duty_status=Duty.OFFLINE)
    client.force_login(leo)
    for _ in range(2):  # the page hides the form then; a second tab or a resend does not
        response = client.post(reverse("lead:agent", args=[asha.pk]), {"reason": "Break"})
        assert response.status_code == 400
        assert "is already off duty" in response.content.decode()
    assert not AuditRecord.objects.filter(action=AuditAction.TAKEN_OFF_DUTY).exists()
    assert not Notification.objects.filter(recipient=asha.user).exists()


def test_an_agent_on_a_call_is_not_taken_off_duty(client, leo, kochi):
    asha = member(kochi, "Asha Nair")
    AgentProfile.objects.filter(pk=asha.pk).update(duty_status=Duty.ON_CALL)
    client.force_login(leo)
    response = client.post(reverse("lead:agent", args=[asha.pk]), {"reason": "Break"})
    assert response.status_code == 400
    assert "is on a call" in response.content.decode()
    assert not AuditRecord.objects.filter(action=AuditAction.TAKEN_OFF_DUTY).exists()


def test_a_lead_opening_another_teams_agent_call_or_note_gets_404(
    client, leo, kochi, chennai, acme
):
    uma = member(chennai, "Uma Rajan")
    call = make_call(PhoneLineFactory(firm=acme), at(1, 10), agent=uma)
    client.force_login(leo)
    assert client.get(reverse("lead:agent", args=[uma.pk])).status_code == 404
    assert client.post(reverse("lead:agent", args=[uma.pk]), {"reason": "x"}).status_code == 404
    assert client.get(reverse("lead:call", args=[call.pk])).status_code == 404
    assert client.post(reverse("lead:call", args=[call.pk]), {"text": "x"}).status_code == 404
    assert not CoachingNote.objects.exists()
    assert "Uma Rajan" not in client.get(reverse("lead:team")).content.decode()
    assert "Uma Rajan" not in client.get(reverse("lead:figures")).content.decode()


def test_a_lead_without_a_franchise_gets_404(client, lena):
    client.force_login(lena)
    assert client.get(reverse("lead:team")).status_code == 404


@pytest.mark.parametrize("who", ["alice", "carol", "victor"])
def test_agents_firms_and_staff_are_refused_the_lead_pages(client, request, who, kochi):
    asha = member(kochi, "Asha Nair")
    client.force_login(request.getfixturevalue(who))
    for url in [
        reverse("lead:team"),
        reverse("lead:figures"),
        reverse("lead:agent", args=[asha.pk]),
    ]:
        assert client.get(url).status_code == 403, url


def test_signed_out_visitors_are_sent_to_sign_in(client, kochi):
    response = client.get(reverse("lead:team"))
    assert response.status_code == 302 and reverse("account_login") in response.url
