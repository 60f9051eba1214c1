"""The marketplace's notifications: an applicant waiting tells the partial-BPO firm's own users
(not another firm's, not agents); the firm's decision, the agency's assignment and an
engagement's end tell the agent concerned, once."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Notification
from clients.marketplace import (
    agents_assign,
    application_create,
    application_decide,
    engagement_end,
    engagements_expire,
)
from clients.models import Engagement
from tests.factories import FirmMemberFactory, StaffingRequestFactory, verified_agent

pytestmark = pytest.mark.django_db
Kind = Notification.Kind


@pytest.fixture
def ravi(db):
    return verified_agent("ravi@example.com")


def _told(kind=None):
    rows = Notification.objects.filter(**({"kind": kind} if kind else {}))
    return sorted(rows.values_list("recipient__email", flat=True))


def test_an_applicant_waiting_tells_the_firms_own_users(acme, carol, dave, ravi):
    colleague = FirmMemberFactory(firm=acme, user__email="cathy@firm.example").user
    request = StaffingRequestFactory(firm=acme, title="Claims desk")
    application_create(agent=ravi, request=request)
    assert _told() == sorted([carol.email, colleague.email])
    notice = Notification.objects.filter(recipient=carol).get()
    assert (notice.kind, notice.title) == (
        Kind.APPLICANT_WAITING,
        "An agent applied to Claims desk",
    )
    assert notice.url == f"/client/requests/{request.pk}/"


def test_a_complete_bpo_firm_is_not_asked_to_decide(globex, dave, ravi):
    application_create(agent=ravi, request=StaffingRequestFactory(firm=globex))
    assert _told() == []


def test_the_firms_decision_tells_the_agent(acme, carol, ravi):
    request = StaffingRequestFactory(firm=acme, title="Claims desk")
    first = application_create(agent=ravi, request=request)
    other = application_create(
        agent=verified_agent("sita@example.com"), request=StaffingRequestFactory(firm=acme)
    )
    application_decide(firm=acme, application_id=first.pk, approve=True, reason="", user=carol)
    application_decide(firm=acme, application_id=other.pk, approve=False, reason="Full", user=carol)
    approved, declined = Notification.objects.filter(kind=Kind.POOL_DECIDED).order_by("pk")
    assert (approved.recipient, approved.title) == (
        ravi.user,
        "Acme Insurance approved you for Claims desk",
    )
    assert "starts on" in approved.body
    assert declined.recipient.email == "sita@example.com" and declined.body == "Reason: Full"
    assert _told(Kind.ENGAGEMENT_STARTED) == []  # the approval says it


def test_the_agencys_assignment_tells_each_agent_engaged(globex, root, ravi):
    sita = verified_agent("sita@example.com")
    request = StaffingRequestFactory(firm=globex, headcount=5)
    agents_assign(request=request, agent_ids=[ravi.pk, sita.pk], user=root)
    assert _told(Kind.ENGAGEMENT_STARTED) == ["ravi@example.com", "sita@example.com"]
    assert _told(Kind.APPLICANT_WAITING) == []


def test_an_end_by_the_firm_or_by_its_date_tells_the_agent_once(acme, carol, ravi):
    request = StaffingRequestFactory(firm=acme)
    application = application_create(agent=ravi, request=request)
    application_decide(
        firm=acme, application_id=application.pk, approve=True, reason="", user=carol
    )
    engagement = Engagement.objects.get()
    engagement_end(engagement_id=engagement.pk, user=carol, reason="Season over", firm=acme)
    [notice] = Notification.objects.filter(kind=Kind.ENGAGEMENT_ENDED)
    assert notice.recipient == ravi.user and "Season over" in notice.body


def test_an_end_by_the_agent_tells_nobody_and_expiry_tells_once(acme, carol, ravi):
    for _ in range(2):
        request = StaffingRequestFactory(firm=acme)
        application = application_create(agent=ravi, request=request)
        application_decide(
            firm=acme, application_id=application.pk, approve=True, reason="", user=carol
        )
    mine, expiring = Engagement.objects.order_by("pk")
    engagement_end(engagement_id=mine.pk, user=ravi.user, reason="Moving", agent=ravi)
    assert _told(Kind.ENGAGEMENT_ENDED) == []
    later = timezone.localdate() + dt.timedelta(days=400)
    assert engagements_expire(today=later) == 1
    assert engagements_expire(today=later) == 0
    [notice] = Notification.objects.filter(kind=Kind.ENGAGEMENT_ENDED)
    assert notice.key == f"engagement:{expiring.pk}" and "end date passed" in notice.body
