"""Races on real PostgreSQL row locks: the last seat, one link clicked twice, the last admin.

Each test starts two threads with their own database connections and releases them together
at a barrier; only the locks in the services keep the outcome right.
"""

import contextlib
import threading

import pytest
from django.db import connection

from accounts.models import User
from clients.marketplace import application_create, application_decide
from clients.models import Application, Engagement, FirmMember
from clients.services import invite_accept, invite_create, member_remove
from common.errors import ApplicationError, ConflictError
from tests.factories import FirmMemberFactory, StaffingRequestFactory, verified_agent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(*calls) -> list:
    """Run the calls in threads released at once; returns each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index: int, call) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as error:
            outcomes[index] = error
        finally:
            connection.close()  # each thread opened its own connection

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck on a lock"
    return outcomes


def _split(outcomes: list) -> tuple[list, list]:
    failures = [o for o in outcomes if isinstance(o, Exception)]
    return [o for o in outcomes if not isinstance(o, Exception)], failures


def test_two_approvals_for_the_last_seat_engage_exactly_one_agent(acme, carol):
    request = StaffingRequestFactory(firm=acme, headcount=1)
    applications = [
        application_create(agent=verified_agent(f"{name}@example.com"), request=request)
        for name in ("ravi", "sita")
    ]

    def approve(application):
        return lambda: application_decide(
            firm=acme, application_id=application.pk, approve=True, reason="", user=carol
        )

    won, lost = _split(_race(*(approve(a) for a in applications)))
    assert len(won) == 1, lost
    assert len(lost) == 1 and isinstance(lost[0], ConflictError), lost
    assert "asks for 1 agents" in lost[0].message
    assert Engagement.objects.filter(request=request, status="active").count() == 1
    assert sorted(Application.objects.values_list("status", flat=True)) == ["applied", "approved"]


def test_one_invitation_accepted_twice_at_once_creates_one_account(acme, carol):
    _invite, token = invite_create(
        firm=acme,
        email="erin@acme.example",
        role="member",
        invited_by=carol,
        base_url="https://homeshore.example",
    )

    def accept():
        return invite_accept(token=token, name="Erin", password="a-long-pass-phrase-42")

    won, lost = _split(_race(accept, accept))
    assert len(won) == 1, lost
    assert len(lost) == 1 and isinstance(lost[0], ConflictError), lost
    assert User.objects.filter(email="erin@acme.example").count() == 1
    assert FirmMember.objects.filter(firm=acme, user__email="erin@acme.example").count() == 1


def test_two_admins_removing_each_other_at_once_leave_one_admin(acme, carol, monkeypatch):
    ann = FirmMemberFactory(firm=acme, user__email="ann@firm.example").user
    # Hold both threads after each has locked the seat it removes, before the admin count:
    # the interleaving a real race needs, every time. A fixed service that locks first
    # simply makes one thread wait here in vain (the barrier times out and it goes on).
    meet = threading.Barrier(2)
    is_admin = FirmMember.is_admin

    def is_admin_after_both_arrive(member) -> bool:
        with contextlib.suppress(threading.BrokenBarrierError):
            meet.wait(timeout=3)
        return is_admin.fget(member)

    monkeypatch.setattr(FirmMember, "is_admin", property(is_admin_after_both_arrive))

    def remove(user, member):
        return lambda: member_remove(firm=acme, user=user, member_id=member.firm_membership.pk)

    _won, lost = _split(_race(remove(carol, ann), remove(ann, carol)))
    assert len(lost) == 1 and isinstance(lost[0], ApplicationError), lost
    assert FirmMember.objects.filter(firm=acme, role="admin").count() == 1
