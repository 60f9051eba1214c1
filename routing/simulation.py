"""Inbound calls simulated: the real Twilio webhook endpoints driven with signed requests, as
Twilio would (`manage.py simulate_calls`, demo.management, runs it; the demo seeds with it).

Callers ring the demo firms' lines from Indian landlines (the offline geocoder places them)
and mobiles (only the country: the line's region is used), choose a language when the line
offers several, and the simulated agent answers, rings out or is busy at random. By default
the requests go through Django's test client in this process; `--base-url` sends them over
HTTP to a running server instead (signed for that URL).

Time is compressed: after each answered call the agent's wrap-up is fast-forwarded, and with
`--days N` calls are spread over the last N days so the firms' charts have a history.

Some callers call a line again (its sticky rule then offers them to their last agent), and on
lines with the survey on most callers rate the call on the keypad. Those choices come from a
random stream of their own, so the calls themselves are the same for a given `--seed`.
"""

import datetime as dt
import random
import urllib.parse
import urllib.request
import uuid

from django.conf import settings
from django.test import Client
from django.utils import timezone
from twilio.request_validator import RequestValidator

from agents.models import AgentProfile
from agents.services import agent_duty_set
from clients.models import PhoneLine
from routing import services
from routing.models import Call

# Landline area codes of Indian cities (the geocoder resolves these), and mobile prefixes.
LANDLINES = ["+91824", "+91820", "+91452", "+91422", "+91484", "+9180", "+9144", "+91821"]
MOBILES = ["+9198", "+9199", "+9197"]
OUTCOMES = [("completed", 0.75), ("no-answer", 0.15), ("busy", 0.10)]
RETURNING_SHARE = 0.25  # callers who call the same line again
SURVEY_ANSWERED = 0.7  # callers who rate the call when asked
SCORES = [("1", 1), ("2", 1), ("3", 2), ("4", 4), ("5", 5)]


def allowed_host() -> str:
    """The first host ALLOWED_HOSTS names outright ("*" or a ".domain" wildcard is no name)."""
    for host in settings.ALLOWED_HOSTS:
        if host != "*" and not host.startswith("."):
            return host
    return "testserver"


def _back_on_duty() -> None:
    """Weeks of calls run in seconds: three offers that rang out in a row take an agent
    offline (agents.presence), as they would over weeks, but nobody comes back on duty in a
    simulation — the demo's last days went to voicemail. With --back-on-duty they do."""
    offline = AgentProfile.objects.filter(
        status=AgentProfile.Status.VERIFIED, duty_status=AgentProfile.Duty.OFFLINE
    )
    for agent in offline.order_by("pk"):
        agent_duty_set(agent=agent, available=True)


class SimulationError(Exception):
    """The simulation cannot run (no token to sign with, no lines, a bad base URL)."""


def base_url_check(base_url: str) -> None:
    if not settings.TWILIO_AUTH_TOKEN:
        raise SimulationError("Set TWILIO_AUTH_TOKEN: webhooks are signed with it.")
    if base_url and not base_url.startswith(("http://", "https://")):
        raise SimulationError("--base-url must be an http(s) URL.")


def simulate_inbound(
    *, calls: int, days: int = 0, seed: int | None = None, base_url: str = "", back_on_duty=False
) -> dict[str, int]:
    """Simulate `calls` inbound calls; returns how many ended in each status."""
    return InboundSimulator(seed=seed, base_url=base_url).run(
        calls=calls, days=days, back_on_duty=back_on_duty
    )


class SignedPoster:
    """Posts to our webhooks as Twilio does, signed with TWILIO_AUTH_TOKEN: through Django's
    test client in this process, or over HTTP to `base_url` (signed for that URL)."""

    def __init__(self, base_url: str = ""):
        base_url_check(base_url)
        # In-process requests are https, as Twilio's are: with DJANGO_DEBUG=false an http
        # request would only be redirected to https (SECURE_SSL_REDIRECT), and no call made.
        # On a host the settings allow: production's DJANGO_ALLOWED_HOSTS need not name
        # Django's "testserver", and a refused host routed none of the demo's calls.
        host = allowed_host()
        self.base_url = base_url.rstrip("/") or f"https://{host}"
        self.client = None if base_url else Client(HTTP_HOST=host)
        self.validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)

    def post(self, path: str, params: dict) -> str:
        url = self.base_url + path
        signature = self.validator.compute_signature(url, params)
        if self.client is not None:
            response = self.client.post(
                path, params, secure=True, HTTP_X_TWILIO_SIGNATURE=signature
            )
            return response.content.decode()
        request = urllib.request.Request(  # noqa: S310 (http(s) only: base_url_check)
            url,
            data=urllib.parse.urlencode(params).encode(),
            method="POST",
            # As the TLS proxy in front of gunicorn passes Twilio's requests on: without it a
            # production server (DJANGO_DEBUG=false) only redirects them to https (a 301 the
            # simulated provider cannot follow). Signed for `url`, as TWILIO_PUBLIC_BASE_URL.
            headers={"X-Twilio-Signature": signature, "X-Forwarded-Proto": "https"},
        )
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310 (our URL)
            return response.read().decode()


class InboundSimulator:
    def __init__(self, *, seed: int | None, base_url: str = ""):
        self.rng = random.Random(seed)
        # Returning callers and survey keypresses: their own stream (the calls stay the same).
        self.after_rng = random.Random(None if seed is None else seed + 16)
        self.served: dict[int, list[str]] = {}  # line -> callers an agent talked to
        # In-process requests are https, as Twilio's are: with DJANGO_DEBUG=false an http
        # request would only be redirected to https (SECURE_SSL_REDIRECT), and no call made.
        # On a host the settings allow: production's DJANGO_ALLOWED_HOSTS need not name
        # Django's "testserver", and a refused host routed none of the demo's calls.
        self.poster = SignedPoster(base_url)

    def run(self, *, calls: int, days: int = 0, back_on_duty: bool = False) -> dict[str, int]:
        lines = list(PhoneLine.objects.filter(is_active=True).prefetch_related("languages"))
        if not lines:
            raise SimulationError("No active phone lines: run `manage.py seed_demo` first.")
        tally: dict[str, int] = {}
        for n in range(calls):
            call = self._one_call(self.rng.choice(lines))
            if days and call is not None:
                self._backdate(call, n, calls, days)
            status = call.status if call else "not routed"
            tally[status] = tally.get(status, 0) + 1
            if back_on_duty:
                _back_on_duty()
        return tally

    # --- one call -------------------------------------------------------------------------

    def _post(self, path: str, params: dict) -> str:
        return self.poster.post(path, params)

    def _caller(self) -> str:
        prefix = self.rng.choice(LANDLINES if self.rng.random() < 0.6 else MOBILES)
        return prefix + "".join(self.rng.choice("0123456789") for _ in range(13 - len(prefix)))

    def _one_call(self, line: PhoneLine) -> Call | None:
        sid = "CA" + uuid.uuid4().hex
        caller = self._caller()
        if self.served.get(line.pk) and self.after_rng.random() < RETURNING_SHARE:
            caller = self.after_rng.choice(self.served[line.pk])  # calls this line again
        base = {
            "CallSid": sid,
            "From": caller,
            "To": str(line.number),
            "CallStatus": "ringing",
            "Direction": "inbound",
        }
        twiml = self._post("/telephony/twilio/voice/", base)
        if "<Gather" in twiml:
            digit = str(self.rng.choice([x.menu_digit for x in line.languages.all()]))
            twiml = self._post("/telephony/twilio/voice/", {**base, "Digits": digit})
        for _offer in range(settings.ROUTING_MAX_ATTEMPTS + 1):
            call = Call.objects.filter(provider="twilio", provider_call_id=sid).first()
            if call is None or "<Dial" not in twiml:
                break
            twiml = self._ring(call, base)
        call = Call.objects.filter(provider="twilio", provider_call_id=sid).first()
        if call is not None and call.answered_at is not None:
            self.served.setdefault(line.pk, []).append(caller)
        if call is not None and call.status == Call.Status.QUEUED:
            # Nobody free: most callers hang up while on hold, some leave a message.
            if "<Record" in twiml or self.rng.random() < 0.3:
                recording = {**base, "RecordingUrl": f"https://api.twilio.com/rec/{sid}"}
                self._post(f"/telephony/twilio/recording/?call={call.pk}", recording)
            self._post("/telephony/twilio/status/", {**base, "CallStatus": "completed"})
            call.refresh_from_db()
        return call

    def _ring(self, call: Call, base: dict) -> str:
        outcome = self.rng.choices([o for o, _ in OUTCOMES], [w for _, w in OUTCOMES])[0]
        params = {**base, "DialCallStatus": outcome}
        if outcome == "completed":
            params["DialCallDuration"] = str(self.rng.randint(40, 540))
        if outcome == "completed":
            # The agent's leg says "answered" first (<Number statusCallbackEvent="answered">),
            # as Twilio does: the answer is recorded after the offer, never worked back from
            # the talk time.
            answered = {"CallSid": "CA" + uuid.uuid4().hex, "ParentCallSid": base["CallSid"]}
            path = f"/telephony/twilio/status/?call={call.pk}&leg=agent"
            self._post(path, {**answered, "CallStatus": "in-progress"})
        path = f"/telephony/twilio/dial-status/?call={call.pk}&attempt={call.attempts}"
        twiml = self._post(path, params)
        if "/telephony/twilio/survey/" in twiml and self.after_rng.random() < SURVEY_ANSWERED:
            digit = self.after_rng.choices([d for d, _ in SCORES], [w for _, w in SCORES])[0]
            self._post(f"/telephony/twilio/survey/?call={call.pk}", {**base, "Digits": digit})
        if outcome == "completed":
            # Fast-forward the agent's wrap-up so the next simulated call can reach them.
            later = timezone.now() + dt.timedelta(seconds=call.line.wrap_up_seconds + 1)
            services.wrap_up_end(agent_id=call.agent_id, at=later)
            self._post("/telephony/twilio/status/", {**base, "CallStatus": "completed"})
        return twiml

    def _backdate(self, call: Call, n: int, total: int, days: int) -> None:
        """Lay the call out in the past (evenly over `days`) as long as it would have taken.

        The webhooks ran it in a moment; here each step gets a length of its own, in order —
        queued <= offered <= answered <= ended, as the Call's constraints require: the menu a
        few seconds, each offer that rang out up to the ring timeout, the answer a few rings,
        the talk its `talk_seconds`, a caller nobody took a minute or so on hold.
        """
        call.refresh_from_db()
        start = timezone.now() - dt.timedelta(
            days=days * (total - n) / total, minutes=self.rng.randint(0, 600)
        )
        times = {"created_at": start}
        if call.queued_at is None:  # after hours: over as it began
            times["ended_at"] = start
        else:
            clock = start + dt.timedelta(seconds=self.rng.randint(4, 12) if call.menu_tries else 0)
            times["queued_at"] = clock
            missed = call.attempts - (1 if call.answered_at else 0)
            for _offer in range(missed):
                clock += dt.timedelta(seconds=self.rng.randint(5, call.line.ring_timeout_seconds))
            if call.answered_at:
                times["offered_at"] = clock
                times["answered_at"] = clock + dt.timedelta(seconds=self.rng.randint(3, 15))
                times["ended_at"] = times["answered_at"] + dt.timedelta(
                    seconds=call.talk_seconds or 0
                )
                if call.surveyed_at:  # the keypress, a few seconds after the agent hung up
                    times["surveyed_at"] = times["ended_at"] + dt.timedelta(seconds=8)
            elif call.ended_at:
                times["ended_at"] = clock + dt.timedelta(seconds=self.rng.randint(10, 90))
        Call.objects.filter(pk=call.pk).update(**times)
