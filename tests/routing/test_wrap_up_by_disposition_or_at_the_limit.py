"""The agent's wrap-up ends with their disposition and notes, or at the line's limit with
"no disposition"; either way the firm's "call ended" event is written, the context goes, and
a "callback needed" code opens the callback request."""

import datetime as dt

import pytest
from django.utils import timezone

from agents.models import AgentProfile
from clients.models import ContextSource, WebhookDelivery
from common.errors import ApplicationError, ConflictError
from routing.models import Call, CallbackRequest, CallContext
from routing.services import call_wrap_up_submit, routing_sweep
from tests.factories import PhoneLineFactory
from tests.routing.conftest import routable_agent
from tests.routing.workspace_calls import (
    complete,
    endpoint_for_call_ended,
    talking,
    with_codes,
    wrapping_up,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(acme):
    return PhoneLineFactory(firm=acme, wrap_up_seconds=60)


@pytest.fixture
def sita(acme, line):
    return routable_agent(acme, "sita@example.com")


def test_a_submitted_disposition_ends_the_wrap_up_and_frees_the_agent(client, acme, line, sita):
    codes = with_codes(line)
    endpoint_for_call_ended(acme)
    call = wrapping_up(client, line)
    CallContext.objects.create(
        call=call, state="found", source="contacts", fetched_at=call.ended_at
    )

    call_wrap_up_submit(
        call_id=call.pk, agent=sita, disposition_id=codes["RES"].pk, notes="Claim status given."
    )

    call.refresh_from_db()
    sita.refresh_from_db()
    assert (call.wrap_up, call.disposition, call.notes) == (
        "submitted",
        codes["RES"],
        "Claim status given.",
    )
    assert call.wrapped_up_at is not None
    assert sita.duty_status == AgentProfile.Duty.AVAILABLE
    assert not CallContext.objects.filter(call=call).exists()  # the line keeps none
    delivery = WebhookDelivery.objects.get(event="call.ended")
    assert delivery.payload["data"]["disposition"] == {"code": "RES", "label": "Resolved"}
    assert delivery.payload["data"]["talk_seconds"] == 95
    assert not CallbackRequest.objects.exists()


def test_a_callback_needed_code_opens_the_callback_request(client, line, sita):
    codes = with_codes(line)
    call = wrapping_up(client, line)
    call_wrap_up_submit(
        call_id=call.pk, agent=sita, disposition_id=codes["CB"].pk, notes="Ring back"
    )
    callback = CallbackRequest.objects.get(call=call)
    assert (callback.reason, callback.status) == ("disposition", "open")


def test_the_line_keeping_context_keeps_it_after_the_wrap_up(client, line, sita):
    line.context_source, line.context_keep = ContextSource.CONTACTS, True
    line.save()
    codes = with_codes(line)
    call = wrapping_up(client, line)
    CallContext.objects.create(call=call, state="none", source="contacts", fetched_at=call.ended_at)
    call_wrap_up_submit(call_id=call.pk, agent=sita, disposition_id=codes["RES"].pk, notes="ok")
    assert CallContext.objects.filter(call=call).exists()


def test_it_refuses_another_agents_wrap_up(client, acme, line, sita):
    codes = with_codes(line)
    ravi = routable_agent(acme, "ravi@example.com")
    call = wrapping_up(client, line)
    with pytest.raises(ApplicationError, match="No such call"):
        call_wrap_up_submit(call_id=call.pk, agent=ravi, disposition_id=codes["RES"].pk, notes="x")
    call.refresh_from_db()
    assert call.wrap_up == "pending"


def test_it_refuses_a_code_of_another_line_or_firm_and_a_retired_code(
    client, acme, globex, line, sita
):
    with_codes(line)
    other_line = with_codes(PhoneLineFactory(firm=acme))
    other_firm = with_codes(PhoneLineFactory(firm=globex))
    retired = line.dispositions.get(code="SALE")
    retired.is_active = False
    retired.save()
    call = wrapping_up(client, line)
    for code in (other_line["RES"], other_firm["RES"], retired):
        with pytest.raises(ApplicationError, match="Choose one of the line's codes"):
            call_wrap_up_submit(call_id=call.pk, agent=sita, disposition_id=code.pk, notes="x")
    call.refresh_from_db()
    assert (call.wrap_up, call.disposition) == ("pending", None)


def test_notes_are_required_and_clean(client, line, sita):
    codes = with_codes(line)
    call = wrapping_up(client, line)
    for notes, message in [
        ("  ", "Write what the call was about"),
        ("a\x01b", "control character"),
    ]:
        with pytest.raises(Exception, match=message):
            call_wrap_up_submit(
                call_id=call.pk, agent=sita, disposition_id=codes["RES"].pk, notes=notes
            )


def test_the_limit_passing_first_closes_it_with_no_disposition(client, acme, line, sita):
    codes = with_codes(line)
    endpoint_for_call_ended(acme)
    call = wrapping_up(client, line)
    assert routing_sweep(at=timezone.now() + dt.timedelta(seconds=30))["wrap_ups_ended"] == 0
    assert routing_sweep(at=timezone.now() + dt.timedelta(seconds=61))["wrap_ups_ended"] == 1
    call.refresh_from_db()
    sita.refresh_from_db()
    assert (call.wrap_up, call.disposition) == ("missed", None)
    assert sita.duty_status == AgentProfile.Duty.AVAILABLE
    delivery = WebhookDelivery.objects.get(event="call.ended")
    assert delivery.payload["data"]["wrap_up"] == "missed"
    with pytest.raises(ConflictError, match="no disposition"):
        call_wrap_up_submit(call_id=call.pk, agent=sita, disposition_id=codes["RES"].pk, notes="x")


def test_a_line_without_wrap_up_time_has_no_disposition_at_once(client, acme):
    line = PhoneLineFactory(firm=acme, wrap_up_seconds=0)
    routable_agent(acme, "sita@example.com")
    call, action = talking(client, line)
    complete(client, line, action)
    call.refresh_from_db()
    assert (call.status, call.wrap_up) == ("completed", "missed")


def test_a_submitted_wrap_up_cannot_be_submitted_again(client, line, sita):
    codes = with_codes(line)
    call = wrapping_up(client, line)
    call_wrap_up_submit(call_id=call.pk, agent=sita, disposition_id=codes["RES"].pk, notes="one")
    with pytest.raises(ConflictError, match="already done"):
        call_wrap_up_submit(
            call_id=call.pk, agent=sita, disposition_id=codes["ESC"].pk, notes="two"
        )
    assert Call.objects.get(pk=call.pk).notes == "one"


def test_going_offline_in_wrap_up_and_back_closes_the_wrap_up_left_pending(
    client, acme, line, sita, django_capture_on_commit_callbacks
):
    from agents.services import agent_duty_set

    with_codes(line)
    endpoint_for_call_ended(acme)
    call = wrapping_up(client, line)
    agent_duty_set(agent=sita, available=False)
    with django_capture_on_commit_callbacks(execute=True):
        agent_duty_set(agent=sita, available=True)
    call.refresh_from_db()
    assert call.wrap_up == "missed"
    assert WebhookDelivery.objects.filter(event="call.ended").count() == 1


def test_a_wrap_up_left_pending_by_an_agent_who_never_comes_back_is_closed_by_the_sweep(
    client, acme, line, sita
):
    from agents.services import agent_duty_set
    from routing.services.wrapup import ABANDONED_AFTER

    with_codes(line)
    endpoint_for_call_ended(acme)
    call = wrapping_up(client, line)
    agent_duty_set(agent=sita, available=False)  # offline in wrap-up, and stays away
    ended = Call.objects.get(pk=call.pk).ended_at
    early = routing_sweep(at=ended + ABANDONED_AFTER - dt.timedelta(seconds=1))
    assert early["wrap_ups_abandoned"] == 0
    assert Call.objects.get(pk=call.pk).wrap_up == "pending"
    assert (
        routing_sweep(at=ended + ABANDONED_AFTER + dt.timedelta(seconds=1))["wrap_ups_abandoned"]
        == 1
    )
    assert Call.objects.get(pk=call.pk).wrap_up == "missed"
    assert WebhookDelivery.objects.filter(event="call.ended").count() == 1
    sita.refresh_from_db()
    assert sita.duty_status == AgentProfile.Duty.OFFLINE  # the sweep puts nobody on duty
