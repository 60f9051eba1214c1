"""A line's after-call settings: the survey, the sticky agent's days and the escalation
number. Firm admins set them (audited); members read them; another firm's line is a 404."""

import pytest
from django.urls import reverse

from clients.models import PhoneLine
from clients.services import line_after_call_set
from common.errors import ApplicationError
from common.models import AuditAction, AuditRecord
from tests.factories import AgentProfileFactory, FirmMemberFactory, PhoneLineFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(acme):
    return PhoneLineFactory(firm=acme)


def page(line):
    return reverse("clients:line_after_call", args=[line.pk])


def post(client, line, **overrides):
    data = {"survey_enabled": "on", "sticky_days": "30", "escalation_number": "080 4000 1234"}
    return client.post(page(line), data | overrides)


def test_an_admin_turns_the_survey_on_and_sets_sticky_days_and_escalation(client, carol, line):
    client.force_login(carol)
    response = post(client, line)
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.survey_enabled, line.sticky_days, str(line.escalation_number)) == (
        True,
        30,
        "+918040001234",
    )
    record = AuditRecord.objects.get(action=AuditAction.LINE_WORKSPACE_SET)
    assert (record.actor, record.after["sticky_days"], record.before["sticky_days"]) == (
        carol,
        30,
        0,
    )


def test_the_lines_page_links_to_its_after_call_settings(client, carol, line):
    client.force_login(carol)
    response = client.get(reverse("clients:line", args=[line.pk]))
    assert page(line) in response.content.decode()


@pytest.mark.parametrize("days", ["-1", "91", "many"])
def test_sticky_days_outside_the_models_bounds_are_a_form_error(client, carol, line, days):
    client.force_login(carol)
    response = post(client, line, sticky_days=days)
    assert response.status_code == 200 and "sticky_days" in response.context["form"].errors
    line.refresh_from_db()
    assert line.sticky_days == 0


def test_the_escalation_number_is_never_a_line_or_an_agents_phone(client, carol, acme, line):
    other = PhoneLineFactory(firm=acme)
    agent = AgentProfileFactory(phone="+919845001111")
    client.force_login(carol)
    for number in (str(other.number), str(line.number), str(agent.phone)):
        response = post(client, line, escalation_number=number)
        errors = response.context["form"].errors["escalation_number"]
        assert "already in use on Homeshore" in errors[0]
        assert "agent" not in errors[0]  # whose number it is stays unsaid
    line.refresh_from_db()
    assert (line.escalation_number, line.survey_enabled) == ("", False)


def test_the_escalation_number_is_never_premium_rate(client, carol, line):
    client.force_login(carol)
    for number in ("+1 900 555 0100", "+44 909 876 5432"):  # US 1-900, UK 09: premium rate
        response = post(client, line, escalation_number=number)
        errors = response.context["form"].errors["escalation_number"]
        assert "premium-rate" in errors[0]
    line.refresh_from_db()
    assert line.escalation_number == ""
    assert post(client, line, escalation_number="+44 20 7946 0000").status_code == 302


def test_a_member_reads_the_settings_but_cannot_change_them(client, acme, line):
    erin = FirmMemberFactory(firm=acme, role="member", user__email="erin@acme.example").user
    client.force_login(erin)
    response = client.get(page(line))
    assert response.status_code == 200 and "Only your firm's admins" in response.content.decode()
    assert post(client, line).status_code == 403
    with pytest.raises(ApplicationError):
        line_after_call_set(firm=acme, user=erin, line=line, survey_enabled=True, sticky_days=5)
    assert PhoneLine.objects.get(pk=line.pk).sticky_days == 0


def test_another_firms_line_is_a_404(client, dave, line):
    client.force_login(dave)
    assert client.get(page(line)).status_code == 404
    assert post(client, line).status_code == 404
    line.refresh_from_db()
    assert line.sticky_days == 0


def test_an_admin_of_another_firm_cannot_set_this_firms_line(dave, globex, line):
    with pytest.raises(ApplicationError):
        line_after_call_set(firm=globex, user=dave, line=line, survey_enabled=True, sticky_days=5)
    assert PhoneLine.objects.get(pk=line.pk).survey_enabled is False
