"""Twilio's webhooks for outbound attempts (/telephony/outbound/twilio/…), all through routing's
`twilio_webhook`: signature checked (403), input bounded (400), one answer per step (a retry
gets the stored one), TwiML apology when anything fails; in the embedded setup the campaigns
tick runs first, at most every 2 s.

The order of a call: Twilio rings the agent (`provider.attempt_dial`); `agent` when they
answer (we answer a `<Dial>` to the contact); `contact` on the contact's leg when they answer,
before the bridge (the opt-out offer, promotional campaigns: `opt_out`); `dial_status`, the
`<Dial>`'s report of the contact's leg; `status`, the agent's leg's status callback. Reports
come repeated, late or out of order: each events service re-checks on the locked attempt the
status it moves from, so a report about a step that is over changes nothing.

Every URL names our attempt (`?attempt=id`), checked against Twilio's call ids: the agent's
leg is `CallSid` (`ParentCallSid` on the contact's leg).
"""

from django.http import HttpResponse, HttpResponseBadRequest

from campaigns import events, twiml
from campaigns.models import Attempt
from campaigns.sweep import NOT_ANSWERED, campaigns_tick_inline
from routing.webhooks import twilio_webhook

PROVIDER = "twilio"
Status = Attempt.Status
Outcome = Attempt.Outcome
AGENT_LEG_OVER = {"completed", "busy", "failed", "no-answer", "canceled"}
LONGEST_CALL_SECONDS = 6  # digits of a DialCallDuration (over 11 days)


def _xml(response) -> HttpResponse:
    return HttpResponse(str(response), content_type="text/xml")


def _no_content() -> HttpResponse:
    return HttpResponse(status=204, content_type="text/plain")


def _attempt_id(request) -> int | None:
    value = request.GET.get("attempt", "")
    return int(value) if value.isdecimal() and len(value) <= 18 else None


def _attempt(request, *, leg: str) -> Attempt | None:
    """The attempt a request is about: our id in the URL, matching Twilio's ids. On the
    agent's leg (`leg="agent"`), an attempt whose id has not come back from the REST request
    yet takes the CallSid (Twilio may ask before its answer to us arrives)."""
    attempt_id = _attempt_id(request)
    if attempt_id is None:
        return None
    attempt = (
        Attempt.objects.select_related("campaign__line", "contact", "agent")
        .filter(pk=attempt_id, provider=PROVIDER)
        .first()
    )
    if attempt is None:
        return None
    sid, parent = request.POST.get("CallSid", ""), request.POST.get("ParentCallSid", "")
    if leg == "agent":
        if attempt.provider_call_id in {"", events.DIALLING}:
            events.attempt_dialled(attempt_id=attempt.pk, provider_call_id=sid)
            attempt.refresh_from_db(fields=["provider_call_id"])
        return attempt if attempt.provider_call_id == sid else None
    if parent and parent == attempt.provider_call_id:
        return attempt
    if attempt.contact_call_id and sid == attempt.contact_call_id:
        return attempt
    return None


def _machine(request) -> bool:
    return request.POST.get("AnsweredBy", "").startswith("machine")


def _fresh(attempt: Attempt, moved: Attempt | None) -> Attempt:
    """The attempt as the service left it, with the relations the TwiML reads."""
    if moved is not None:
        attempt.status = moved.status
    return attempt


@twilio_webhook(tick=campaigns_tick_inline)
def agent(request):
    """The agent answered: who they will speak to, then the `<Dial>` to the contact (or, if
    the attempt ended meanwhile, a goodbye)."""
    attempt = _attempt(request, leg="agent")
    if attempt is None:
        return HttpResponseBadRequest("Unknown attempt.")
    attempt = _fresh(attempt, events.attempt_agent_answered(attempt_id=attempt.pk))
    if attempt.status == Status.CONTACT:
        return _xml(twiml.agent_bridge(request, attempt))
    return _xml(twiml.agent_over(attempt))


@twilio_webhook(tick=campaigns_tick_inline)
def contact(request):
    """The contact answered (their leg, before the bridge): the conversation starts; a
    promotional campaign offers the opt-out first. A machine is hung up on."""
    attempt = _attempt(request, leg="contact")
    if attempt is None:
        return HttpResponseBadRequest("Unknown attempt.")
    if _machine(request):
        events.attempt_dial_ended(attempt_id=attempt.pk, outcome=Outcome.MACHINE)
        return _xml(twiml.hangup())
    moved = events.attempt_contact_answered(
        attempt_id=attempt.pk, contact_call_id=request.POST.get("CallSid", "")
    )
    attempt = _fresh(attempt, moved)
    if attempt.status != Status.CONNECTED:
        return _xml(twiml.hangup())  # the agent left, or it was closed meanwhile
    return _xml(twiml.contact_answered(request, attempt))


@twilio_webhook(tick=campaigns_tick_inline)
def opt_out(request):
    """The contact's key after the opt-out offer: 9 is never called again by the firm; any
    other key (or none) goes on to the agent."""
    attempt = _attempt(request, leg="contact")
    if attempt is None:
        return HttpResponseBadRequest("Unknown attempt.")
    digits = request.POST.get("Digits", "")
    if digits != twiml.OPT_OUT_DIGIT:
        return _xml(twiml.bridge())
    events.attempt_opted_out(attempt_id=attempt.pk)
    return _xml(twiml.opted_out(attempt))


@twilio_webhook(tick=campaigns_tick_inline)
def dial_status(request):
    """The `<Dial>`'s report of the contact's leg; then the agent's leg ends too."""
    attempt = _attempt(request, leg="agent")
    if attempt is None:
        return HttpResponseBadRequest("Unknown attempt.")
    status = request.POST.get("DialCallStatus", "")
    talk = None
    if _machine(request):
        outcome = Outcome.MACHINE
    elif status in {"completed", "answered"}:
        raw = request.POST.get("DialCallDuration") or "0"
        if not raw.isdecimal() or len(raw) > LONGEST_CALL_SECONDS:
            return HttpResponseBadRequest("DialCallDuration must be a whole number of seconds.")
        outcome, talk = Outcome.CONNECTED, int(raw)
    elif status in NOT_ANSWERED:
        outcome = NOT_ANSWERED[status]
    else:
        return HttpResponseBadRequest(f"Unknown DialCallStatus {status[:20]!r}.")
    events.attempt_dial_ended(attempt_id=attempt.pk, outcome=outcome, talk_seconds=talk)
    return _xml(twiml.hangup())


@twilio_webhook(tick=campaigns_tick_inline)
def status(request):
    """The agent's leg's status callback: over before they answered is a missed call (a
    strike; the contact was never rung); over after, it is noted for the `<Dial>`'s report."""
    attempt = _attempt(request, leg="agent")
    if attempt is None:
        return HttpResponseBadRequest("Unknown attempt.")
    if request.POST.get("CallStatus", "") in AGENT_LEG_OVER:
        events.attempt_agent_leg_ended(attempt_id=attempt.pk)
    return _no_content()
