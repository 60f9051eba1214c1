"""The pool: agents apply, partial-BPO firms decide, the agency assigns; engagements end."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from clients.marketplace import (
    agents_assign,
    application_create,
    application_decide,
    application_withdraw,
    engagement_end,
    engagements_expire,
)
from clients.models import Application, Engagement
from common.errors import ApplicationError, ConflictError
from tests.factories import PhoneLineFactory, StaffingRequestFactory, verified_agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_(acme):
    return StaffingRequestFactory(
        firm=acme, rate=Decimal("33.36"), minimum_per_call=Decimal("5.00"), currency="USD"
    )


@pytest.fixture
def ravi(db):
    return verified_agent("ravi@example.com")


@pytest.fixture
def sita(db):
    return verified_agent("sita@example.com")


def _approve(firm, user, application, approve=True, reason=""):
    return application_decide(
        firm=firm, application_id=application.pk, approve=approve, reason=reason, user=user
    )


@pytest.fixture
def engagement(acme, carol, request_, ravi):
    _approve(acme, carol, application_create(agent=ravi, request=request_))
    return Engagement.objects.get()


def test_a_verified_matching_agent_joins_the_pool(request_, ravi):
    application = application_create(agent=ravi, request=request_)
    assert (application.request, application.agent, application.status) == (
        request_,
        ravi,
        "applied",
    )


@pytest.mark.parametrize(
    "make_agent",
    [
        lambda: verified_agent("hindi@example.com", languages=[("hi", 5)]),
        lambda: verified_agent("far@example.com", city="Delhi", latitude=28.65, longitude=77.23),
        lambda: verified_agent("bank@example.com", domain="banking"),
    ],
    ids=["another language", "1000 km away", "another skill"],
)
def test_an_agent_who_does_not_match_cannot_apply(request_, make_agent):
    with pytest.raises(ConflictError, match="skill, language or region"):
        application_create(agent=make_agent(), request=request_)
    assert not Application.objects.exists()


def test_an_unverified_agent_cannot_apply(request_, alice):
    with pytest.raises(ConflictError, match="verified"):
        application_create(agent=alice.agent_profile, request=request_)


def test_applying_twice_is_a_conflict_but_after_withdrawing_one_may_apply_again(request_, ravi):
    first = application_create(agent=ravi, request=request_)
    with pytest.raises(ConflictError, match="already applied"):
        application_create(agent=ravi, request=request_)
    application_withdraw(agent=ravi, application_id=first.pk)
    again = application_create(agent=ravi, request=request_)
    assert (again.pk, again.status) == (first.pk, "applied")


def test_approving_engages_the_agent_at_the_requests_rate_card(acme, carol, request_, ravi):
    line = PhoneLineFactory(firm=acme)
    PhoneLineFactory(firm=acme)  # not on the request
    request_.lines.set([line])
    application = _approve(acme, carol, application_create(agent=ravi, request=request_))
    e = Engagement.objects.get()
    assert (application.status, application.decided_by) == ("approved", carol)
    assert (e.firm, e.agent, e.request, e.application) == (acme, ravi, request_, application)
    # The agent earns the rate less 20 % commission, rounded half up to the cent.
    assert (e.client_rate, e.agent_rate, e.currency) == (Decimal("33.36"), Decimal("26.69"), "USD")
    assert (e.minimum_per_call, e.agent_minimum_per_call) == (Decimal("5.00"), Decimal("4.00"))
    assert (e.starts_on, e.ends_on, e.status) == (timezone.localdate(), request_.end_date, "active")
    assert list(e.lines.all()) == [line]


def test_without_lines_of_its_own_it_engages_on_the_firms_lines_of_that_skill(
    acme, carol, globex, request_, ravi
):
    claims = PhoneLineFactory(firm=acme, domain="insurance")
    PhoneLineFactory(firm=acme, domain="telecom")
    PhoneLineFactory(firm=acme, domain="insurance", is_active=False)
    PhoneLineFactory(firm=globex, domain="insurance")
    _approve(acme, carol, application_create(agent=ravi, request=request_))
    assert list(Engagement.objects.get().lines.all()) == [claims]


def test_declining_needs_a_reason(acme, carol, request_, ravi):
    application = application_create(agent=ravi, request=request_)
    with pytest.raises(ApplicationError) as raised:
        _approve(acme, carol, application, approve=False, reason="  ")
    assert raised.value.field == "reason"
    declined = _approve(acme, carol, application, approve=False, reason="Need Kannada")
    assert (declined.status, declined.reason) == ("declined", "Need Kannada")
    assert not Engagement.objects.exists()


def test_a_firm_cannot_decide_another_firms_application(carol, acme, globex, ravi):
    theirs = application_create(agent=ravi, request=StaffingRequestFactory(firm=globex))
    with pytest.raises(ApplicationError, match="No such application"):
        _approve(acme, carol, theirs)
    theirs.refresh_from_db()
    assert theirs.status == "applied" and not Engagement.objects.exists()


def test_approvals_stop_at_the_headcount_and_nothing_is_half_saved(acme, carol, ravi, sita):
    request = StaffingRequestFactory(firm=acme, headcount=1)
    first = application_create(agent=ravi, request=request)
    second = application_create(agent=sita, request=request)
    _approve(acme, carol, first)
    with pytest.raises(ConflictError, match="asks for 1 agents") as raised:
        _approve(acme, carol, second)
    assert raised.value.extra == {"headcount": 1, "engaged": 1}
    second.refresh_from_db()
    assert (second.status, second.decided_by) == ("applied", None)
    assert Engagement.objects.count() == 1


def test_a_complete_bpo_firm_cannot_approve_and_the_agency_cannot_assign_to_a_partial_one(
    globex, dave, root, request_, ravi
):
    application = application_create(agent=ravi, request=StaffingRequestFactory(firm=globex))
    with pytest.raises(ConflictError, match="agency assigns"):
        _approve(globex, dave, application)
    with pytest.raises(ConflictError, match="approve their own"):
        agents_assign(request=request_, agent_ids=[ravi.pk], user=root)
    assert not Engagement.objects.exists()


def test_an_agent_suspended_since_applying_cannot_be_approved(acme, carol, request_, ravi):
    application = application_create(agent=ravi, request=request_)
    ravi.status = "suspended"
    ravi.save()
    with pytest.raises(ConflictError):
        _approve(acme, carol, application)
    assert not Engagement.objects.exists()


def test_approving_after_the_end_date_says_the_request_is_over(acme, carol, request_, ravi):
    application = application_create(agent=ravi, request=request_)
    request_.start_date = request_.end_date = timezone.localdate() - dt.timedelta(days=1)
    request_.save()
    with pytest.raises(ConflictError, match="no longer open"):
        _approve(acme, carol, application)


def test_the_agency_assigns_several_agents_to_a_complete_bpo_request(globex, root, ravi, sita):
    request = StaffingRequestFactory(firm=globex, headcount=2)
    engagements = agents_assign(request=request, agent_ids=[sita.pk, ravi.pk], user=root)
    assert {e.agent for e in engagements} == {ravi, sita}
    assert set(Application.objects.values_list("status", "assigned_by_agency")) == {
        ("approved", True)
    }


@pytest.mark.parametrize("headcount", [1, 3], ids=["over the headcount", "one does not match"])
def test_assigning_is_all_or_none(globex, root, ravi, sita, headcount):
    request = StaffingRequestFactory(firm=globex, headcount=headcount)
    banker = verified_agent("bank@example.com", domain="banking")
    with pytest.raises(ConflictError):
        agents_assign(request=request, agent_ids=[ravi.pk, sita.pk, banker.pk], user=root)
    assert not Engagement.objects.exists() and not Application.objects.exists()


def test_a_firm_ends_its_own_engagement_once_with_a_reason(engagement, acme, carol, globex, dave):
    def end(**kwargs):
        return engagement_end(engagement_id=engagement.pk, **kwargs)

    with pytest.raises(ApplicationError, match="No such engagement"):
        end(user=dave, reason="Mine now", firm=globex)
    with pytest.raises(ApplicationError) as raised:
        end(user=carol, reason=" ", firm=acme)
    assert raised.value.field == "reason"
    assert Engagement.objects.get().status == "active"
    ended = end(user=carol, reason="Project done", firm=acme)
    assert (ended.status, ended.ended_by, ended.end_reason) == ("ended", carol, "Project done")
    assert ended.ends_on == timezone.localdate()
    with pytest.raises(ConflictError, match="already ended"):
        end(user=carol, reason="Again", firm=acme)


def test_an_agent_ends_their_own_engagement_only(engagement, ravi, sita):
    with pytest.raises(ApplicationError, match="No such engagement"):
        engagement_end(engagement_id=engagement.pk, user=sita.user, reason="x", agent=sita)
    engagement_end(engagement_id=engagement.pk, user=ravi.user, reason="Moving city", agent=ravi)
    engagement.refresh_from_db()
    assert (engagement.status, engagement.ended_by) == ("ended", ravi.user)


def test_engagements_past_their_end_date_expire(engagement, acme, carol, sita):
    today = timezone.localdate()
    current = _approve(acme, carol, application_create(agent=sita, request=engagement.request))
    Engagement.objects.filter(pk=engagement.pk).update(
        starts_on=today - dt.timedelta(days=9), ends_on=today - dt.timedelta(days=1)
    )
    assert engagements_expire(today=today) == 1
    engagement.refresh_from_db()
    assert (engagement.status, engagement.end_reason) == ("ended", "The end date passed.")
    assert current.engagement.status == "active"
    assert engagements_expire(today=today) == 0
