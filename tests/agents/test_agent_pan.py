"""The agent's PAN (issue 15): validated by python-stdnum, stored, shown masked to the agent's
pages and whole only on their own statement PDF and to finance; audited masked; a change
sends the identity check back to review."""

import pytest
from django.urls import reverse

from agents.enrolment import agent_pan_set
from common.errors import ApplicationError
from common.models import AuditAction, AuditRecord
from common.taxids import pan_clean


def test_an_agent_saves_their_pan_and_sees_it_masked(client, alice):
    client.force_login(alice)
    response = client.post(reverse("agents:pan"), {"pan": "abcpa1234f"})
    assert response.status_code == 302
    alice.agent_profile.refresh_from_db()
    assert alice.agent_profile.pan == "ABCPA1234F"
    page = client.get(reverse("agents:bank")).content.decode()
    assert "ABCPAXXXXF" in page and "ABCPA1234F" not in page
    record = AuditRecord.objects.get(action=AuditAction.PAN_SET)
    assert record.after == {"pan": "ABCPAXXXXF"}


@pytest.mark.parametrize(
    "pan", ["ABCPA1234", "ABCPA12345", "ABCXA1234F", "ABCPA0000F", "1234567890"]
)
def test_a_bad_pan_is_a_form_error(client, alice, pan):
    client.force_login(alice)
    response = client.post(reverse("agents:pan"), {"pan": pan})
    assert response.status_code == 200
    assert "not a valid PAN" in response.content.decode()
    alice.agent_profile.refresh_from_db()
    assert alice.agent_profile.pan == ""


def test_the_service_refuses_a_bad_pan_itself(alice):
    with pytest.raises(ApplicationError) as error:
        agent_pan_set(agent=alice.agent_profile, pan="nonsense")
    assert error.value.field == "pan"


def test_a_changed_pan_is_audited_masked(alice):
    agent_pan_set(agent=alice.agent_profile, pan="ABCPA1234F")
    agent_pan_set(agent=alice.agent_profile, pan="ABCPA1234F")  # unchanged: no record
    agent_pan_set(agent=alice.agent_profile, pan="ABCPA5678G")
    changed = AuditRecord.objects.get(action=AuditAction.PAN_CHANGED)
    assert changed.before == {"pan": "ABCPAXXXXF"} and changed.after == {"pan": "ABCPAXXXXG"}
    assert AuditRecord.objects.filter(action=AuditAction.PAN_SET).count() == 1


def test_pan_validation_follows_stdnum():
    assert pan_clean(" abcpa 1234f ") == "ABCPA1234F"


def test_the_django_admin_shows_the_pan_masked_and_cannot_change_it(client, root, alice):
    agent_pan_set(agent=alice.agent_profile, pan="ABCPA1234F")
    client.force_login(root)
    page = client.get(f"/admin/agents/agentprofile/{alice.agent_profile.pk}/change/")
    body = page.content.decode()
    assert page.status_code == 200 and "ABCPAXXXXF" in body and "ABCPA1234F" not in body
    assert "pan" not in page.context["adminform"].form.fields
