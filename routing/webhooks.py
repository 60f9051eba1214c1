"""Twilio voice webhooks. Every request is signature-checked first: a missing or wrong
X-Twilio-Signature is a 403 that records nothing. A retry of an answered request (same call,
same step) gets the stored answer, so nothing happens twice.

Input Twilio would never send (values longer than our columns, NUL bytes) is a 400 before
anything is read. Anything failing after that (the database or the broker down) is answered
in TwiML, never with an HTML 500, which Twilio would play to the caller as "an application
error has occurred": an apology and a <Redirect> to the same step, then a goodbye."""

import hashlib
import logging
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import Error as DatabaseFailure
from django.db import connection
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from common.errors import ApplicationError
from routing import services, twiml
from routing.models import Call, ProviderRequest
from routing.selectors import provider_request_get

logger = logging.getLogger(__name__)
PROVIDER = "twilio"
NOT_ANSWERED = {
    "no-answer": "no answer",
    "busy": "busy",
    "failed": "failed",
    "canceled": "canceled",
}
HUNG_UP = {"completed", "busy", "failed", "no-answer", "canceled"}
# What a step's own request carries and a <Redirect> would not send again: an apology's
# retry URL carries them (signed by Twilio with the URL), and the retry reads them back.
CARRIED = ("Digits", "DialCallStatus", "DialCallDuration", "RecordingUrl")
# No value is longer than the column it goes to; anything else: at most this many characters.
LIMITS = {
    "CallSid": Call._meta.get_field("provider_call_id").max_length,
    "ParentCallSid": Call._meta.get_field("provider_call_id").max_length,
    "From": Call._meta.get_field("caller").max_length,
    "To": Call._meta.get_field("caller").max_length,
    "RecordingUrl": Call._meta.get_field("recording_url").max_length,
}
LONGEST_VALUE = 1024


def _signed(request) -> bool:
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature or not settings.TWILIO_AUTH_TOKEN:
        return False
    # Behind the proxy: https via SECURE_PROXY_SSL_HEADER, or the public base URL Twilio
    # calls when the proxy rewrites Host (TWILIO_PUBLIC_BASE_URL).
    url = twiml.public_url(request, request.get_full_path())
    # request.POST, not .dict(): Twilio signs every value of a repeated key.
    return RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(url, request.POST, signature)


def _refused(request) -> str:
    """Why this input cannot be Twilio's ("" when it can): NUL bytes (PostgreSQL refuses them
    in text), values longer than their column (a DataError on PostgreSQL)."""
    for params in (request.GET, request.POST):
        for key, values in params.lists():
            for value in values:
                if "\x00" in key or "\x00" in value:
                    return "Parameters cannot contain NUL bytes."
                if len(value) > LIMITS.get(key, LONGEST_VALUE):
                    return f"{key[:40]} is too long."
    return ""


def _step_key(request) -> str:
    """A step is the URL and every parameter: a retry repeats them all, the next step (a digit
    pressed, a redirect number, a new CallStatus) changes one."""
    identity = "|".join(
        [request.path, request.META.get("QUERY_STRING", "")]
        + [f"{k}={v}" for k, values in sorted(request.POST.lists()) for v in values]
    )
    return hashlib.sha256(identity.encode()).hexdigest()


def _carried_back(request) -> None:
    """On an apology's retry, the step's own parameters come back from the URL."""
    if "retry" not in request.GET:
        return
    post = request.POST.copy()
    for key in CARRIED:
        if key in request.GET and key not in post:
            post[key] = request.GET[key]
    request.POST = post


def _apology(request, error: Exception) -> HttpResponse:
    """Something failed: say sorry, then try the same step again (a few times), or hang up.
    In the call's language, unless the database is what failed (then no query is tried;
    `django.db.Error` covers both OperationalError and InterfaceError)."""
    call = None
    if not isinstance(error, DatabaseFailure):
        try:
            call = Call.objects.filter(
                provider=PROVIDER, provider_call_id=request.POST["CallSid"]
            ).first()
        except DatabaseFailure:
            call = None
    tries = _whole(request.GET.get("retry", ""), digits=3) or 0
    if tries >= settings.ROUTING_WEBHOOK_RETRIES:
        return _twiml(twiml.apology(retry_url=None, call=call))
    query = {k: v for k, v in request.GET.items() if k != "retry"}
    query |= {k: request.POST[k] for k in CARRIED if request.POST.get(k)}
    query["retry"] = tries + 1
    retry_url = twiml.public_url(request, f"{request.path}?{urlencode(query)}")
    return _twiml(twiml.apology(retry_url=retry_url, call=call))


def _twiml(response) -> HttpResponse:
    return HttpResponse(str(response), content_type="text/xml")


def twilio_webhook(handler=None, *, tick=None):
    """Signature check, required CallSid, then answer once per (call, step).

    `tick` (an app above routing: campaigns' outbound webhooks) runs before the handler in the
    embedded setup, as routing's sweep does: `@twilio_webhook(tick=…)`. It must rate-limit
    itself (the setup has no beat)."""
    if handler is None:
        return lambda handler: twilio_webhook(handler, tick=tick)

    @csrf_exempt
    @require_POST
    def view(request):
        if not _signed(request):
            logger.warning("Twilio webhook with a missing or wrong signature: %s", request.path)
            return HttpResponseForbidden("Invalid Twilio signature.")
        if not request.POST.get("CallSid"):
            return HttpResponseBadRequest("CallSid is required.")
        if refused := _refused(request):
            return HttpResponseBadRequest(refused)
        _carried_back(request)
        try:
            return _answer_once(request, handler, tick)
        except Exception as error:
            # The database or the broker is down, or a bug: the caller hears an apology and
            # Twilio tries the step again, never "an application error has occurred".
            logger.exception("Twilio webhook failed, answered with an apology: %s", request.path)
            if not connection.in_atomic_block:
                connection.close_if_unusable_or_obsolete()  # the retry connects afresh
            return _apology(request, error)

    return view


# The embedded setup's inline sweep runs when a webhook can add this key (routing.forecast
# holds it, to keep the sweep off its simulated clock).
INLINE_SWEEP_KEY = "routing:sweep"


def _answer_once(request, handler, tick=None) -> HttpResponse:
    key = _step_key(request)
    stored = provider_request_get(provider=PROVIDER, key=key)
    if stored is not None:
        return _replay(stored)
    if settings.CELERY_TASK_ALWAYS_EAGER and cache.add(INLINE_SWEEP_KEY, 1, timeout=5):
        services.routing_sweep()  # no beat in the embedded setup: sweep, at most every 5 s
    if tick is not None and settings.CELERY_TASK_ALWAYS_EAGER:
        tick()
    response = handler(request)
    if response.status_code >= 400:
        return response  # refused input changed nothing: a retry is checked afresh
    kept = services.provider_request_record(
        provider=PROVIDER,
        key=key,
        content_type=response["Content-Type"],
        body=response.content.decode(),
        status_code=response.status_code,
    )
    return _replay(kept)  # ours, or a concurrent retry's that was kept first


def _whole(value: str, *, digits: int) -> int | None:
    """A whole number of at most `digits` digits, else None: "-5", "ninety", "²" or a number
    overflowing the column are a 400, never a ValueError or DataError (a 500)."""
    return int(value) if value.isdecimal() and len(value) <= digits else None


def _replay(stored: ProviderRequest) -> HttpResponse:
    return HttpResponse(stored.body, content_type=stored.content_type, status=stored.status_code)


def _call_of(request, sid: str = "CallSid") -> Call | None:
    """The call a follow-up request is about: our id in the URL, matching Twilio's CallSid
    (ParentCallSid for the agent's leg)."""
    call_id = _whole(request.GET.get("call", ""), digits=18)
    if call_id is None:
        return None  # not our URL
    return Call.objects.filter(
        pk=call_id, provider=PROVIDER, provider_call_id=request.POST.get(sid, "")
    ).first()


def _answer(request, step: services.NextStep):
    """The TwiML for what routing decided (services.call_next_step): nothing decided here."""
    call, kind = step.call, step.kind
    if kind == services.Kind.MENU:
        return twiml.language_menu(request, call)
    if kind == services.Kind.CLOSED:
        return twiml.closed(call)
    if kind == services.Kind.DIAL:
        return twiml.dial(request, call)
    if kind == services.Kind.VOICEMAIL:
        return twiml.voicemail(request, call)
    if kind == services.Kind.TRANSFER:
        return twiml.transfer(call)
    if kind == services.Kind.WAIT:
        # `wait` counts the holds so far (our own redirect URL sets it): a garbled one is a
        # first hold, never a 500 to a caller on the line.
        wait = _whole(request.GET.get("wait", ""), digits=6) or 1
        return twiml.hold(request, call, wait=wait)
    return twiml.goodbye()  # over, or talking: the caller's leg has nothing left to do here


@twilio_webhook
def voice(request):
    post = request.POST
    try:
        # call_start returns the call as it is when Twilio asks about it again (hold loop,
        # menu digit): no lookup of our own first.
        call = services.call_start(
            provider=PROVIDER,
            provider_call_id=post["CallSid"],
            to=post.get("To", ""),
            caller=post.get("From", ""),
            provider_location={
                "city": post.get("FromCity", ""),
                "state": post.get("FromState", ""),
                "country": post.get("FromCountry", ""),
            },
        )
    except ApplicationError:
        return _twiml(twiml.not_in_service())
    if call.status == Call.Status.MENU:
        if post.get("Digits"):
            call = services.call_language_choose(call_id=call.pk, digit=post["Digits"])
        elif request.GET.get("menu"):  # the menu timed out: count it as a try
            call = services.call_language_choose(call_id=call.pk, digit="")
    return _twiml(_answer(request, services.call_next_step(call=call)))


@twilio_webhook
def dial_status(request):
    """The <Dial> action: how the agent leg ended."""
    call = _call_of(request)
    if call is None:
        return HttpResponseBadRequest("Unknown call.")
    status = request.POST.get("DialCallStatus", "")
    if status in {"completed", "answered"}:
        duration = _whole(request.POST.get("DialCallDuration") or "0", digits=6)
        if duration is None:
            return HttpResponseBadRequest("DialCallDuration must be a whole number of seconds.")
        call = services.call_completed_with(call_id=call.pk, duration=duration)
        if call.transferred_at:  # the interrupted leg of a transfer: the new <Dial> stands
            return _twiml(twiml.transfer(call))
        # The agent's leg is over and its duration is the talk billed; a caller still on
        # the line (no status callback said they left) may rate the call, if the line asks.
        if services.survey_offered(call):
            return _twiml(twiml.survey(request, call))
        return _twiml(twiml.goodbye())
    if status not in NOT_ANSWERED:
        return HttpResponseBadRequest(f"Unknown DialCallStatus {status!r}.")
    call = services.call_not_answered(call_id=call.pk, reason=NOT_ANSWERED[status])
    return _twiml(_answer(request, services.call_next_step(call=call)))


@twilio_webhook
def status_callback(request):
    """The caller's leg changed state; a final state ends the call (abandoned if waiting).

    With ?leg=agent it is the agent's leg (<Number statusCallback>): answered, the talk began.
    """
    if request.GET.get("leg") == "agent":
        call = _call_of(request, sid="ParentCallSid")
        if call is None:
            return HttpResponseBadRequest("Unknown call.")
        if request.POST.get("CallStatus") == "in-progress":
            services.call_answered(call_id=call.pk)
        return HttpResponse(status=204, content_type="text/plain")
    call = Call.objects.filter(provider=PROVIDER, provider_call_id=request.POST["CallSid"]).first()
    if call is not None and request.POST.get("CallStatus") in HUNG_UP:
        services.call_caller_left(call_id=call.pk)
    return HttpResponse(status=204, content_type="text/plain")


@twilio_webhook
def recording(request):
    """The caller left a message after the hold ran out."""
    call = _call_of(request)
    if call is None:
        return HttpResponseBadRequest("Unknown call.")
    services.call_voicemail(call_id=call.pk, recording_url=request.POST.get("RecordingUrl", ""))
    return _twiml(twiml.goodbye())


@twilio_webhook
def bridge(request):
    """The agency's bridge number (ROUTING_BRIDGE_NUMBER): a firm's PBX calls it with the
    one-time code its call API answer gave (routing.services.bridge) and is connected to the
    agent, whose number stays with Twilio. A wrong, used or stale code hears a hang-up."""
    digits = request.POST.get("Digits", "")
    if not digits:
        return _twiml(twiml.bridge_gather(request))
    call = services.bridge_claim(code=digits)
    if call is None:
        logger.warning("Bridge call with a wrong, used or stale code.")
        return _twiml(twiml.goodbye())
    return _twiml(twiml.bridge_dial(call))


@twilio_webhook
def survey(request):
    """The caller's keypress after the survey's prompt: 1-5 is stored (the first score wins:
    a retry or a second rating changes nothing), another key is asked about once more."""
    call = _call_of(request)
    if call is None:
        return HttpResponseBadRequest("Unknown call.")
    digit = request.POST.get("Digits", "")
    if not digit:
        return _twiml(twiml.goodbye())  # nothing pressed: no score
    score = _whole(digit, digits=1)
    if score is None or not 1 <= score <= 5:
        if request.GET.get("again"):
            return _twiml(twiml.survey_thanks(call))
        return _twiml(twiml.survey(request, call, again=True))
    try:
        services.call_survey_record(call_id=call.pk, score=score)
    except ApplicationError:
        # Rated already (another score), or the call or the line changed meanwhile: the
        # caller is thanked either way, and the stored score stays.
        logger.info("Survey keypress not stored for call %s", call.pk)
    return _twiml(twiml.survey_thanks(call))
