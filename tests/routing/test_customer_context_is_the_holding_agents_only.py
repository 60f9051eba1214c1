"""Customer context from the firm's contacts: seen only by the agent holding the call (never
another agent, never another firm's), every view audited and listed on the firm's call page,
forgotten at the wrap-up's end and by the sweep, kept only when the line says so."""

import datetime as dt
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.models import Contact, ContactNumber
from common.errors import NotAllowed
from common.models import AuditAction, AuditRecord
from routing.models import Call, CallContext
from routing.services import routing_sweep
from routing.services.context import call_context_for, context_forget, context_rows
from tests.factories import AgentProfileFactory, PhoneLineFactory

pytestmark = pytest.mark.django_db
CALLER = "+919845012345"
_ids = itertools.count(1)


@pytest.fixture
def line(acme):
    line = PhoneLineFactory(
        firm=acme, context_source="contacts", context_fields=["name", "plan", "open_ticket"]
    )
    contact = Contact.objects.create(
        firm=acme, name="Ravi Kumar", fields={"plan": "Gold", "pan": "ABCDE1234F"}
    )
    ContactNumber.objects.create(contact=contact, firm=acme, number=CALLER)
    return line


@pytest.fixture
def sita():
    return AgentProfileFactory(full_name="Sita Agent")


@pytest.fixture
def tara():
    return AgentProfileFactory(full_name="Tara Agent")


def a_call(line, agent, status=Call.Status.OFFERED, **extra) -> Call:
    return Call.objects.create(
        provider="twilio",
        provider_call_id=f"CA-hold-{next(_ids)}",
        line=line,
        firm_id=line.firm_id,
        domain=line.domain,
        caller=CALLER,
        status=status,
        agent=agent,
        **extra,
    )


def test_the_agent_holding_the_call_sees_the_chosen_fields_only(line, sita):
    row = call_context_for(call=a_call(line, sita), viewer=sita.user)
    assert context_rows(row) == [["name", "Ravi Kumar"], ["plan", "Gold"]]  # no "pan"


def test_another_agent_never_sees_the_context(line, sita, tara):
    call = a_call(line, sita)
    with pytest.raises(NotAllowed):
        call_context_for(call=call, viewer=tara.user)
    assert not CallContext.objects.exists()  # nothing fetched for them
    assert not AuditRecord.objects.filter(action=AuditAction.CONTEXT_VIEWED).exists()


def test_an_agent_never_sees_another_firms_context(line, globex, sita):
    """Sita holds a call of globex's: acme's contact with the same number is not globex's."""
    other = PhoneLineFactory(firm=globex, context_source="contacts", context_fields=["name"])
    row = call_context_for(call=a_call(other, sita), viewer=sita.user)
    assert (row.state, context_rows(row)) == ("none", [])
    acme_call = a_call(line, AgentProfileFactory())
    with pytest.raises(NotAllowed):
        call_context_for(call=acme_call, viewer=sita.user)


def test_the_firms_users_and_staff_are_not_agents_on_the_call(line, sita, carol, root):
    call = a_call(line, sita)
    for someone in (carol, root):
        with pytest.raises(NotAllowed):
            call_context_for(call=call, viewer=someone)


def test_the_agent_sees_it_during_the_wrap_up_and_not_after(line, sita):
    call = a_call(line, sita, status=Call.Status.COMPLETED, wrap_up=Call.WrapUp.PENDING)
    assert call_context_for(call=call, viewer=sita.user).state == "found"
    Call.objects.filter(pk=call.pk).update(wrap_up=Call.WrapUp.MISSED)  # the limit passed
    with pytest.raises(NotAllowed):
        call_context_for(call=call, viewer=sita.user)
    ended = a_call(line, sita, status=Call.Status.ABANDONED)  # no wrap-up: never answered
    with pytest.raises(NotAllowed):
        call_context_for(call=ended, viewer=sita.user)


def test_every_view_is_audited_and_listed_on_the_firms_call_page(client, line, sita, carol):
    call = a_call(line, sita)
    call_context_for(call=call, viewer=sita.user)
    call_context_for(call=call, viewer=sita.user)
    views = AuditRecord.objects.about(call).filter(action=AuditAction.CONTEXT_VIEWED)
    assert [(r.actor, r.detail["state"]) for r in views] == [(sita.user, "found")] * 2
    client.force_login(carol)
    page = client.get(reverse("calls:detail", args=[call.pk])).content.decode()
    assert page.count("Sita Agent at") == 2
    assert "Not kept after the call" in page and "Ravi Kumar" not in page  # the line keeps none


def test_a_line_that_keeps_the_context_shows_it_on_the_call_page(client, line, sita, carol):
    line.context_keep = True
    line.save(update_fields=["context_keep"])
    call = a_call(line, sita)
    call_context_for(call=call, viewer=sita.user)
    context_forget(call)  # the wrap-up ended: kept
    client.force_login(carol)
    page = client.get(reverse("calls:detail", args=[call.pk])).content.decode()
    assert "Ravi Kumar" in page and "Gold" in page and "ABCDE1234F" not in page


def test_another_firms_call_page_is_a_404(client, line, sita, dave):
    call = a_call(line, sita)
    client.force_login(dave)
    assert client.get(reverse("calls:detail", args=[call.pk])).status_code == 404


def test_the_wrap_up_end_forgets_the_context(line, sita):
    call = a_call(line, sita)
    call_context_for(call=call, viewer=sita.user)
    context_forget(call)
    assert not CallContext.objects.filter(call=call).exists()


def test_the_sweep_forgets_contexts_an_hour_after_calls_that_never_had_a_wrap_up(line, sita):
    now = timezone.now()
    lost = a_call(line, sita)
    call_context_for(call=lost, viewer=sita.user)
    Call.objects.filter(pk=lost.pk).update(status=Call.Status.LOST, agent=None, ended_at=now)
    recent = a_call(line, sita)
    call_context_for(call=recent, viewer=sita.user)
    kept_line = PhoneLineFactory(firm=line.firm, context_source="contacts", context_keep=True)
    kept = a_call(kept_line, AgentProfileFactory())
    call_context_for(call=kept, viewer=kept.agent.user)
    Call.objects.filter(pk__in=[kept.pk]).update(status="completed", agent=None, ended_at=now)

    assert routing_sweep(at=now + dt.timedelta(minutes=59))["contexts_forgotten"] == 0
    assert routing_sweep(at=now + dt.timedelta(minutes=61))["contexts_forgotten"] == 1
    assert set(CallContext.objects.values_list("call_id", flat=True)) == {recent.pk, kept.pk}


def test_nobody_signed_in_sees_nothing(line, sita):
    from django.contrib.auth.models import AnonymousUser

    call = a_call(line, None, status=Call.Status.COMPLETED, wrap_up=Call.WrapUp.PENDING)
    with pytest.raises(NotAllowed):
        call_context_for(call=call, viewer=AnonymousUser())
