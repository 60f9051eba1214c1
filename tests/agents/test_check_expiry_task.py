import datetime as dt

import pytest

from agents.models import AgentProfile, VerificationCheck
from agents.services import agent_profile_create, check_decide
from agents.staff_selectors import agent_timeline
from agents.tasks import checks_expire_task
from tests.factories import UserFactory

# The service is durable-atomic; the task runs in-process (`apply`) so the clock applies.
pytestmark = pytest.mark.django_db(transaction=True)

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def verified_agent(victor):
    agent = agent_profile_create(user=UserFactory(email="hema@example.com"))
    for kind in VerificationCheck.Kind:
        check_decide(
            agent=agent,
            kind=kind,
            approve=True,
            actor=victor,
            expires_on=dt.date(2027, 6, 1) if kind in VerificationCheck.EXPIRING else None,
        )
    VerificationCheck.objects.filter(agent=agent, kind="background").update(
        expires_on=dt.date(2026, 12, 1)
    )
    AgentProfile.objects.filter(pk=agent.pk).update(
        status="verified", duty_status="available", compliant_until=dt.date(2026, 12, 1)
    )
    return agent


@pytest.fixture
def clock(monkeypatch):
    """Controls `timezone.localdate()` as the services see it."""

    def set_today(day: dt.date):
        monkeypatch.setattr("agents.services.timezone.localdate", lambda *a, **k: day)

    return set_today


def test_it_reminds_once_before_expiry(verified_agent, clock, mailoutbox):
    clock(TODAY)  # 8 days before the background check expires
    assert checks_expire_task.apply().get() == {"reminded": 1, "expired": 0}
    assert checks_expire_task.apply().get() == {"reminded": 0, "expired": 0}
    assert [m.subject for m in mailoutbox] == ["Homeshore: your background check expires soon"]
    verified_agent.refresh_from_db()
    assert verified_agent.is_compliant


def test_on_expiry_the_agent_drops_out_of_routing_with_the_reason(verified_agent, clock):
    clock(dt.date(2026, 12, 2))
    assert checks_expire_task.apply().get()["expired"] == 1
    verified_agent.refresh_from_db()
    assert not verified_agent.is_compliant
    assert verified_agent.duty_status == "offline"
    assert verified_agent.noncompliant_reason == "Background check expired on 01 Dec 2026"
    event = agent_timeline(agent=verified_agent).first()
    assert (event.action, event.actor, event.detail["check_kind"]) == (
        "check_expired",
        None,
        "background",
    )
    # Running again changes nothing.
    assert checks_expire_task.apply().get() == {"reminded": 0, "expired": 0}
    assert agent_timeline(agent=verified_agent).filter(action="check_expired").count() == 1


def test_nothing_happens_far_from_expiry(verified_agent, clock, mailoutbox):
    clock(dt.date(2026, 1, 1))
    assert checks_expire_task.apply().get() == {"reminded": 0, "expired": 0}
    assert mailoutbox == []


@pytest.fixture
def licence(verified_agent, settings, tmp_path, clock):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from agents.documents import document_upload

    settings.PRIVATE_MEDIA_ROOT = tmp_path
    clock(TODAY)
    pdf = SimpleUploadedFile("licence.pdf", b"%PDF-1.4\n%%EOF\n")
    return document_upload(
        agent=verified_agent,
        kind="certificate",
        title="IRDAI licence",
        file=pdf,
        expires_on=dt.date(2026, 11, 28),
    )


def test_a_certificate_is_reminded_then_expires_the_agent(verified_agent, licence, clock):
    verified_agent.refresh_from_db()
    assert verified_agent.compliant_until == dt.date(2026, 11, 28)  # the earliest expiry
    clock(TODAY)
    assert checks_expire_task.apply().get() == {"reminded": 2, "expired": 0}
    clock(dt.date(2026, 11, 29))
    assert checks_expire_task.apply().get() == {"reminded": 0, "expired": 1}
    verified_agent.refresh_from_db()
    assert not verified_agent.is_compliant
    assert verified_agent.noncompliant_reason == "IRDAI licence expired on 28 Nov 2026"
    assert checks_expire_task.apply().get() == {"reminded": 0, "expired": 0}


def test_an_already_expired_certificate_is_refused(verified_agent, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from agents.documents import document_upload
    from common.errors import ApplicationError

    settings.PRIVATE_MEDIA_ROOT = tmp_path
    with pytest.raises(ApplicationError, match="already expired"):
        document_upload(
            agent=verified_agent,
            kind="certificate",
            title="Old licence",
            file=SimpleUploadedFile("old.pdf", b"%PDF-1.4\n%%EOF\n"),
            expires_on=dt.date(2020, 1, 1),
        )
    assert not verified_agent.documents.exists()
