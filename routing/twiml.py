"""The TwiML answers routing gives Twilio (built with the twilio package's VoiceResponse).

Every `<Say>` names its language and voice (Twilio reads a bare one in US English): the texts
and the voices are clients.prompts', or the firm's own for its line (clients.models.LinePrompt).
A call speaks its caller's language; before one is chosen, the line's first language. The
menu reads each option in its own language.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import Error as DatabaseFailure
from django.urls import reverse
from twilio.twiml.voice_response import VoiceResponse

from clients.prompts import ENGLISH, NOT_IN_SERVICE, VOICES, PromptKey, prompt_for
from clients.selectors import line_prompts_of
from routing import provider
from routing.models import Call


@dataclass(frozen=True)
class _Line:
    """What a line's prompts need: its languages in menu order and the firm's own texts."""

    offered: list[str]
    overrides: dict[tuple[str, str], str]

    @classmethod
    def of(cls, call: Call) -> "_Line":
        offered = [x.language for x in call.line.languages.all()]
        return cls(offered, line_prompts_of(firm=call.firm, line=call.line))

    def language_of(self, call: Call) -> str:
        """The call's language, else (no choice made yet) the line's first."""
        return call.language or (self.offered[0] if self.offered else ENGLISH)

    def say(self, node, key: str, language: str, **values) -> None:
        prompt = prompt_for(key, language, offered=self.offered, overrides=self.overrides, **values)
        node.say(prompt.text, language=prompt.language, voice=prompt.voice)


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
    """A number that is no line of ours: no language to choose, Indian English."""
    response = VoiceResponse()
    english = VOICES[ENGLISH]
    response.say(NOT_IN_SERVICE, language=english.language, voice=english.voice)
    response.hangup()
    return response


def closed(call: Call) -> VoiceResponse:
    line = _Line.of(call)
    response = VoiceResponse()
    line.say(
        response,
        PromptKey.CLOSED,
        line.language_of(call),
        firm=call.firm.name,
        opens=f"{call.line.opens_at:%H:%M}",
        closes=f"{call.line.closes_at:%H:%M}",
    )
    response.hangup()
    return response


def language_menu(request, call: Call) -> VoiceResponse:
    """Welcome in the line's first language, then each option in its own."""
    line = _Line.of(call)
    response = VoiceResponse()
    gather = response.gather(
        num_digits=1, action=_url(request, "telephony:twilio_voice"), method="POST", timeout=6
    )
    line.say(gather, PromptKey.WELCOME, line.language_of(call), firm=call.firm.name)
    for choice in call.line.languages.all():
        line.say(gather, PromptKey.MENU_OPTION, choice.language, digit=choice.menu_digit)
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


def transfer(call: Call) -> VoiceResponse:
    """The agent sent the caller on (routing.services.transfer): the same <Dial> the live
    call was redirected to, for a request about the interrupted leg that comes after it."""
    return provider.transfer_twiml(str(call.transferred_to), str(call.line.number))


def bridge_gather(request) -> VoiceResponse:
    """The bridge number answered a firm's PBX: read its one-time code (DTMF, then `#`).
    Nothing is said: a machine is calling."""
    response = VoiceResponse()
    response.gather(
        action=_url(request, "telephony:twilio_bridge"),
        method="POST",
        finish_on_key="#",
        timeout=10,
    )
    response.hangup()
    return response


def bridge_dial(call: Call) -> VoiceResponse:
    """Connect the bridge leg to the reserved agent, from the agency's own account. No action
    URL: the firm's PBX reports the offer's outcome on the call API, as for any of its calls."""
    response = VoiceResponse()
    dial = response.dial(timeout=call.line.ring_timeout_seconds, caller_id=str(call.line.number))
    dial.number(str(call.agent.phone))
    return response


def hold(request, call: Call, *, wait: int) -> VoiceResponse:
    response = VoiceResponse()
    if wait == 1:
        line = _Line.of(call)
        line.say(response, PromptKey.HOLD, line.language_of(call))
    response.pause(length=settings.ROUTING_HOLD_PAUSE_SECONDS)
    response.redirect(_url(request, "telephony:twilio_voice", wait=wait + 1), method="POST")
    return response


def voicemail(request, call: Call) -> VoiceResponse:
    line = _Line.of(call)
    response = VoiceResponse()
    line.say(response, PromptKey.VOICEMAIL, line.language_of(call))
    response.record(
        action=_url(request, "telephony:twilio_recording", call=call.pk),
        method="POST",
        max_length=120,
        play_beep=True,
    )
    response.hangup()
    return response


def survey(request, call: Call, *, again: bool = False) -> VoiceResponse:
    """The agent hung up and the caller is still here: rate the call, one keypress 1-5, in
    the call's language. No keypress: the <Gather> falls through to the hang-up (no score).
    `again`: the caller pressed another key; asked once more, then thanked either way."""
    line = _Line.of(call)
    response = VoiceResponse()
    query = {"call": call.pk} | ({"again": 1} if again else {})
    gather = response.gather(
        num_digits=1,
        action=_url(request, "telephony:twilio_survey", **query),
        method="POST",
        timeout=6,
    )
    line.say(gather, PromptKey.SURVEY, line.language_of(call), firm=call.firm.name)
    response.hangup()
    return response


def survey_thanks(call: Call) -> VoiceResponse:
    line = _Line.of(call)
    response = VoiceResponse()
    line.say(response, PromptKey.SURVEY_THANKS, line.language_of(call), firm=call.firm.name)
    response.hangup()
    return response


def goodbye() -> VoiceResponse:
    response = VoiceResponse()
    response.hangup()
    return response


def apology(*, retry_url: str | None, call: Call | None = None) -> VoiceResponse:
    """Something failed on our side: sorry, then the same step again (`retry_url`) or, after
    the last try (None), sorry and goodbye — never Twilio's own "an application error has
    occurred". In the call's language when the call can still be read (the failure may be the
    database's: then the catalogue's English words, without the line's own)."""
    line, language = _Line([], {}), ENGLISH
    if call is not None:
        language = call.language or ENGLISH
        try:
            line = _Line.of(call)
            language = line.language_of(call)
        except DatabaseFailure:  # OperationalError, InterfaceError: the database is gone
            pass
    response = VoiceResponse()
    if retry_url is None:
        line.say(response, PromptKey.APOLOGY, language)
        response.hangup()
        return response
    line.say(response, PromptKey.APOLOGY_RETRY, language)
    response.pause(length=2)
    response.redirect(retry_url, method="POST")
    return response
