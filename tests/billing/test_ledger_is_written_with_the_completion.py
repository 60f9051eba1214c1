"""The ledger row of an answered call is written in the transaction that completes the call:
no publish after commit (a broker down) can skip it, and a failing write keeps the call live."""

import kombu.exceptions
import pytest
from celery.app.task import Task

from billing import receivers
from billing.models import Transaction
from routing.models import Call
from routing.services import call_completed_with
from tests.billing.factories import answered_call
from tests.factories import PhoneLineFactory
from tests.routing.conftest import VOICE, routable_agent, twilio_post, twiml, voice_params


def test_the_transaction_is_there_before_anything_runs_on_commit(db, alice, acme):
    call = answered_call(alice, acme, status=Call.Status.IN_PROGRESS)
    call_completed_with(call_id=call.pk, duration=125)  # the test's transaction: no commit
    assert Transaction.objects.get(call=call).units == 1


def test_a_failing_ledger_write_rolls_the_completion_back_and_a_retry_bills_once(
    db, alice, acme, monkeypatch
):
    call = answered_call(alice, acme, status=Call.Status.IN_PROGRESS)

    def broken(**kwargs):
        raise RuntimeError("ledger unavailable")

    with monkeypatch.context() as patched:
        patched.setattr(receivers, "transaction_record", broken)
        with pytest.raises(RuntimeError):
            call_completed_with(call_id=call.pk, duration=125)
    call.refresh_from_db()
    assert call.status == "in_progress"  # still live: the retry (or the sweep) completes it
    assert not Transaction.objects.exists()
    call_completed_with(call_id=call.pk, duration=125)
    call_completed_with(call_id=call.pk, duration=125)
    assert Transaction.objects.filter(call=call).count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_answered_call_is_billed_and_answered_while_every_publish_fails(
    client, acme, settings, monkeypatch
):
    """Real commits (transaction=True): on_commit callbacks run as in production."""
    settings.TWILIO_AUTH_TOKEN = "test-twilio-auth-token"
    settings.CELERY_TASK_ALWAYS_EAGER = False  # a broker is configured… and it is down

    def broker_down(*args, **kwargs):
        raise kombu.exceptions.OperationalError("Error 111 connecting to redis: refused")

    monkeypatch.setattr(Task, "apply_async", broker_down)
    line = PhoneLineFactory(firm=acme, wrap_up_seconds=30)
    sita = routable_agent(acme, "sita@example.com")
    dial = twiml(twilio_post(client, VOICE, voice_params(line))).find("Dial")
    done = voice_params(line, DialCallStatus="completed", DialCallDuration="95")
    answer = twiml(twilio_post(client, dial.get("action"), done))
    assert answer.find("Hangup") is not None and answer.find("Redirect") is None  # no apology
    call = Call.objects.get()
    assert (call.status, call.talk_seconds) == ("completed", 95)
    row = Transaction.objects.get(call=call)
    assert (row.agent, row.units) == (sita, 1)
