"""The TwiML answers routing gives Twilio (built with the twilio package's VoiceResponse)."""

from django.conf import settings
from django.urls import reverse
from twilio.twiml.voice_response import VoiceResponse

from clients.models import LineLanguage
from routing.models import Call

LANGUAGE_NAMES = dict(LineLanguage._meta.get_field("language").choices)


def public_url(request, path: str) -> str:
    """The URL Twilio calls for `path` (and signs): on TWILIO_PUBLIC_BASE_URL when set (a
    proxy in front rewrites Host), else on the request's own scheme and host."""
    base = settings.TWILIO_PUBLIC_BASE_URL.rstrip("/")
    return base + path if base else request.build_absolute_uri(path)


def _url(request, name: str, **query) -> str:
    path = reverse(name)
    if query:
        path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return public_url(request, path)


def not_in_service() -> VoiceResponse:
    response = VoiceResponse()
    response.say("Sorry, this number is not in service.")
    response.hangup()
    return response


def closed(call: Call) -> VoiceResponse:
    line = call.line
    response = VoiceResponse()
    response.say(
        f"Thank you for calling {call.firm.name}. We are open from "
        f"{line.opens_at:%H:%M} to {line.closes_at:%H:%M}. Please call again then."
    )
    response.hangup()
    return response


def language_menu(request, call: Call) -> VoiceResponse:
    response = VoiceResponse()
    gather = response.gather(
        num_digits=1, action=_url(request, "telephony:twilio_voice"), method="POST", timeout=6
    )
    gather.say(f"Welcome to {call.firm.name}.")
    for choice in call.line.languages.all():
        name = LANGUAGE_NAMES.get(choice.language, choice.language)
        gather.say(f"For {name}, press {choice.menu_digit}.")
    response.redirect(_url(request, "telephony:twilio_voice", menu=call.menu_tries + 1))
    return response


def dial(request, call: Call) -> VoiceResponse:
    response = VoiceResponse()
    dial = response.dial(
        action=_url(request, "telephony:twilio_dial_status", call=call.pk, attempt=call.attempts),
        method="POST",
        timeout=call.line.ring_timeout_seconds,
        caller_id=str(call.line.number),
    )
    dial.number(
        str(call.agent.phone),
        # Twilio reports the <Dial> only when it ends. The agent's leg saying "answered" marks
        # the talk's start, so the sweep never takes a long call for a lost reservation.
        status_callback_event="answered",
        status_callback=_url(request, "telephony:twilio_status", call=call.pk, leg="agent"),
        status_callback_method="POST",
    )
    return response


def hold(request, call: Call, *, wait: int) -> VoiceResponse:
    response = VoiceResponse()
    if wait == 1:
        response.say("All our agents are helping other callers. Please stay on the line.")
    response.pause(length=settings.ROUTING_HOLD_PAUSE_SECONDS)
    response.redirect(_url(request, "telephony:twilio_voice", wait=wait + 1), method="POST")
    return response


def voicemail(request, call: Call) -> VoiceResponse:
    response = VoiceResponse()
    response.say(
        "We are sorry to keep you waiting. Please leave your name and what you need after the "
        "tone, and we will call you back."
    )
    response.record(
        action=_url(request, "telephony:twilio_recording", call=call.pk),
        method="POST",
        max_length=120,
        play_beep=True,
    )
    response.hangup()
    return response


def goodbye() -> VoiceResponse:
    response = VoiceResponse()
    response.hangup()
    return response


def apology(*, retry_url: str | None, language: str = "en") -> VoiceResponse:
    """Something failed on our side: sorry, then the same step again (`retry_url`) or, after
    the last try (None), goodbye. Built from no data at all: the database may be down.
    `language` is the call's, when known; the words are English for now, so they are spoken
    with the en-IN voice whatever it is (an English text in a kn-IN voice fails the verb)."""
    spoken = {"language": "en-IN"}
    response = VoiceResponse()
    if retry_url is None:
        response.say(
            "We are sorry, we cannot take your call right now. Please call again later.", **spoken
        )
        response.hangup()
        return response
    response.say("We are sorry, please hold a moment.", **spoken)
    response.pause(length=2)
    response.redirect(retry_url, method="POST")
    return response
