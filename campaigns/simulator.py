"""Outbound calls simulated: the provider's side of an attempt, played through our endpoints.

`TwilioStandIn` is a local stand-in for Twilio's REST API (a threaded http.server on
127.0.0.1): `calls.create` (POST /2010-04-01/Accounts/<sid>/Calls.json, basic auth with the
account SID and auth token) answers a call resource and records the call; `calls(sid).fetch()`
and `calls.list(parent_call_sid=…)` answer what it played, for the sweep's questions. The
placement itself is the real one (`campaigns.provider.attempt_dial`, with TWILIO_ACCOUNT_SID,
TWILIO_API_BASE_URL and TWILIO_PUBLIC_BASE_URL pointing at the stand-in and at us).

`CallPlayer` then plays a recorded call as Twilio would, signed with TWILIO_AUTH_TOKEN
(`routing.simulation.SignedPoster`: Django's test client in this process, or HTTP to a running
server): the agent answers (the create's `url`), the TwiML answer's `<Dial>` rings the contact
(its `<Number url>`), a promotional campaign's `<Gather>` may hear 9, the `<Dial>` reports
(`action`), the agent's leg ends (`status_callback`). Only the first URL comes from the create:
the others are read from the TwiML we answer. Outcomes come from a seeded random stream.

`OutboundSimulator` (`manage.py simulate_calls --outbound N`, and the demo's seed) makes the
attempts with the dialer's own services — preview (`target_next`, `attempt_place`) and
progressive (`agent_dial_next`) — plays them, and submits the agent's disposition through
routing's wrap-up service. Calls are made now, but promotional calls keep to 09:00-21:00 of
the contact's time: outside India's daytime they are placed at a simulated daytime moment (at
least two hours ago; contacts due by then) and laid out after as long as each took, as
routing's simulator lays out its `--days`.

`serve_twilio` keeps a stand-in running for `make run`: an agent's Call in the browser rings
through it, and it plays the provider's side over HTTP (the agent disposes themselves).
"""

import base64
import dataclasses
import datetime as dt
import json
import logging
import queue
import random
import threading
import time
import urllib.parse
import uuid
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Max
from django.test.utils import override_settings
from django.utils import timezone

from agents.models import AgentProfile
from campaigns import dialer, provider
from campaigns.models import Attempt, Campaign, CampaignAgent
from clients.models import DispositionCode
from common.errors import ApplicationError
from routing.models import Call
from routing.services.wrapup import call_wrap_up_submit
from routing.simulation import SignedPoster, SimulationError

logger = logging.getLogger(__name__)

# The stand-in's account (any "AC" + 32 hex digits: the twilio client checks nothing more).
SIMULATED_ACCOUNT_SID = "AC" + "5" * 30 + "17"
API_PATH = f"/2010-04-01/Accounts/{SIMULATED_ACCOUNT_SID}/Calls"
# What the contact does: weights in percent. Opting out needs the prompt (promotional
# campaigns offer it); without one that contact simply talks.
OUTCOMES = [("connected", 60), ("no-answer", 20), ("busy", 10), ("machine", 5), ("opt-out", 5)]
# What the agent records after a connected call (by the code's kind), in percent.
DISPOSED = [
    (DispositionCode.Kind.RESOLVED, 30),
    (DispositionCode.Kind.SALE, 20),
    (DispositionCode.Kind.CALLBACK, 25),
    (DispositionCode.Kind.DO_NOT_CALL, 10),
    (DispositionCode.Kind.COMPLAINT, 5),
    (DispositionCode.Kind.ESCALATED, 10),
]
NOTES = {
    DispositionCode.Kind.RESOLVED: "Explained the offer; the customer will think about it.",
    DispositionCode.Kind.SALE: "Agreed to the plan; the firm sends the papers.",
    DispositionCode.Kind.CALLBACK: "Busy now: asked to be called back.",
    DispositionCode.Kind.DO_NOT_CALL: "Asked never to be called again.",
    DispositionCode.Kind.COMPLAINT: "Unhappy about an earlier call; complaint noted.",
    DispositionCode.Kind.ESCALATED: "Wants a supervisor to call about the premium.",
}
INDIA = ZoneInfo("Asia/Kolkata")
DAYTIME = (dt.time(10, 0), dt.time(18, 30))  # where simulated promotional calls start
LAID_OUT_BEFORE = dt.timedelta(hours=2)  # the simulated daytime ends at least this long ago


# --- Twilio's REST endpoint, on 127.0.0.1 ------------------------------------------------------


@dataclasses.dataclass
class StandInCall:
    """A call the stand-in was asked to place: what Twilio would call back, and how it went."""

    sid: str
    to: str
    from_: str
    url: str
    status_callback: str
    status: str = "queued"
    duration: int = 0
    parent: str = ""
    legs: list = dataclasses.field(default_factory=list)

    @property
    def attempt_id(self) -> int | None:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.url).query)
        value = (query.get("attempt") or [""])[0]
        return int(value) if value.isdecimal() else None

    def resource(self) -> dict:
        """The JSON call resource Twilio answers (the fields the twilio client reads)."""
        return {
            "sid": self.sid,
            "account_sid": SIMULATED_ACCOUNT_SID,
            "to": self.to,
            "from": self.from_,
            "status": self.status,
            "duration": str(self.duration),
            "parent_call_sid": self.parent or None,
            "direction": "outbound-dial" if self.parent else "outbound-api",
            "api_version": "2010-04-01",
            "uri": f"{API_PATH}/{self.sid}.json",
        }


class TwilioStandIn:
    """Twilio's Calls API on 127.0.0.1 (port 0: any free one), in a thread. `created` is a
    queue of the calls to play, in the order they were asked for."""

    def __init__(self, *, port: int = 0, auth_token: str | None = None):
        self.calls: dict[str, StandInCall] = {}
        self.created: queue.Queue[StandInCall] = queue.Queue()
        self.lock = threading.Lock()
        token = settings.TWILIO_AUTH_TOKEN if auth_token is None else auth_token
        expected = base64.b64encode(f"{SIMULATED_ACCOUNT_SID}:{token}".encode()).decode()
        self.authorization = f"Basic {expected}"
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> "TwilioStandIn":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def leg_add(self, parent: StandInCall, *, to: str, status: str, duration: int) -> StandInCall:
        leg = StandInCall(
            sid=new_sid(), to=to, from_=parent.from_, url="", status_callback="", parent=parent.sid
        )
        leg.status, leg.duration = status, duration
        with self.lock:
            self.calls[leg.sid] = leg
            parent.legs.append(leg.sid)
        return leg

    def _create(self, form: dict[str, list[str]]) -> tuple[int, dict]:
        def one(key: str) -> str:
            return (form.get(key) or [""])[0]

        missing = [k for k in ("To", "From", "Url") if not one(k)]
        if missing:
            return 400, _error(21205, f"Missing {', '.join(missing)}.", 400)
        call = StandInCall(
            sid=new_sid(),
            to=one("To"),
            from_=one("From"),
            url=one("Url"),
            status_callback=one("StatusCallback"),
        )
        with self.lock:
            self.calls[call.sid] = call
        self.created.put(call)
        return 201, call.resource()

    def _read(self, path: str, query: dict[str, list[str]]) -> tuple[int, dict]:
        if path == f"{API_PATH}.json":  # calls.list(parent_call_sid=…)
            parent = (query.get("ParentCallSid") or [""])[0]
            with self.lock:
                legs = [c.resource() for c in self.calls.values() if parent and c.parent == parent]
            return 200, {"calls": legs, "page": 0, "page_size": 50, "next_page_uri": None}
        sid = path.removeprefix(f"{API_PATH}/").removesuffix(".json")
        with self.lock:
            call = self.calls.get(sid)
        if call is None:
            return 404, _error(20404, f"The requested resource {path} was not found", 404)
        return 200, call.resource()

    def _handler(self):
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, code: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _authorised(self) -> bool:
                if self.headers.get("Authorization", "") == stand_in.authorization:
                    return True
                self._answer(401, _error(20003, "Authenticate", 401))
                return False

            def do_POST(self):
                if not self._authorised():
                    return
                if urllib.parse.urlsplit(self.path).path != f"{API_PATH}.json":
                    self._answer(404, _error(20404, "Only new calls are simulated.", 404))
                    return
                length = int(self.headers.get("Content-Length") or 0)
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                self._answer(*stand_in._create(form))

            def do_GET(self):
                if not self._authorised():
                    return
                parts = urllib.parse.urlsplit(self.path)
                self._answer(*stand_in._read(parts.path, urllib.parse.parse_qs(parts.query)))

            def log_message(self, *args):
                pass

        return Handler


def _error(code: int, message: str, status: int) -> dict:
    return {"code": code, "message": message, "more_info": "", "status": status}


def new_sid() -> str:
    return "CA" + uuid.uuid4().hex


# --- Playing one call, as Twilio would -----------------------------------------------------------


@dataclasses.dataclass
class Played:
    attempt_id: int | None
    outcome: str  # connected | no-answer | busy | machine | opt-out | over (no <Dial> came)
    agent_ring: int  # seconds
    contact_ring: int
    talk: int


def _twiml(text: str) -> ET.Element | None:
    try:
        return ET.fromstring(text)  # noqa: S314 (our own answers, parsed by the simulator)
    except ET.ParseError:
        return None


def _path(url: str) -> str:
    """Our URL without its scheme and host: the poster puts its own base back (signed)."""
    parts = urllib.parse.urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class CallPlayer:
    """Plays a call the stand-in placed through our webhooks; touches no database, so it also
    runs beside a server (`serve_twilio`). `hold`: seconds a connected call stays in progress
    (a live demo's agent sees the conversation), 0 for the seeded simulation."""

    def __init__(self, *, rng: random.Random, poster: SignedPoster, stand_in: TwilioStandIn):
        self.rng, self.poster, self.stand_in = rng, poster, stand_in

    def play(
        self, call: StandInCall, *, hold: float = 0, rng: random.Random | None = None
    ) -> Played:
        """Play the call (`rng`: a stream of its own, else the player's)."""
        rng = rng or self.rng
        outcome = rng.choices([o for o, _ in OUTCOMES], [w for _, w in OUTCOMES])[0]
        agent_ring, contact_ring, talk = rng.randint(3, 9), rng.randint(4, 22), rng.randint(45, 420)
        base = {
            "AccountSid": SIMULATED_ACCOUNT_SID,
            "CallSid": call.sid,
            "From": call.from_,
            "To": call.to,
            "Direction": "outbound-api",
            "ApiVersion": "2010-04-01",
        }
        call.status = "in-progress"  # the agent picks up
        answer = _twiml(self.poster.post(_path(call.url), {**base, "CallStatus": "in-progress"}))
        dial = answer.find("Dial") if answer is not None else None
        number = dial.find("Number") if dial is not None else None
        if dial is None or number is None or not dial.get("action"):
            # No bridge (the attempt was over meanwhile): the agent hears goodbye, hangs up.
            self._agent_leg_ends(call, base, duration=agent_ring)
            return Played(call.attempt_id, "over", agent_ring, 0, 0)
        contact = (number.text or "").strip()
        child = {
            **base,
            "CallSid": new_sid(),
            "ParentCallSid": call.sid,
            "From": dial.get("callerId") or call.from_,
            "To": contact,
            "Direction": "outbound-dial",
        }
        if outcome in {"connected", "machine", "opt-out"}:
            outcome, talk = self._contact_answers(number, child, outcome, talk, rng)
        else:
            talk = 0
            contact_ring = rng.randint(20, 30) if outcome == "no-answer" else 2
        if outcome == "connected" and hold:
            time.sleep(min(hold, talk))
        report = {
            **base,
            "CallStatus": "in-progress",
            "DialCallSid": child["CallSid"],
            "DialCallStatus": {"no-answer": "no-answer", "busy": "busy"}.get(outcome, "completed"),
            "DialCallDuration": str(talk),
        }
        if outcome == "machine":
            report["AnsweredBy"] = "machine_start"
        self.poster.post(_path(dial.get("action")), report)
        leg_status = report["DialCallStatus"]
        self.stand_in.leg_add(call, to=contact, status=leg_status, duration=talk)
        self._agent_leg_ends(call, base, duration=agent_ring + contact_ring + talk)
        return Played(call.attempt_id, outcome, agent_ring, contact_ring, talk)

    def _contact_answers(
        self, number: ET.Element, child: dict, outcome: str, talk: int, rng: random.Random
    ) -> tuple[str, int]:
        """The contact's phone is picked up (by a machine, perhaps): the `<Number url>` runs
        on their leg; a `<Gather>` there is the opt-out offer."""
        answered = {**child, "CallStatus": "in-progress"}
        if outcome == "machine":
            answered["AnsweredBy"] = "machine_start"
        reply = _twiml(self.poster.post(_path(number.get("url", "")), answered))
        gather = reply.find("Gather") if reply is not None else None
        if outcome == "machine":
            return outcome, rng.randint(3, 8)
        if outcome == "opt-out":
            if gather is None or not gather.get("action"):
                return "connected", talk  # no prompt offered (a service call): they talk
            self.poster.post(_path(gather.get("action")), {**answered, "Digits": "9"})
            return outcome, rng.randint(4, 9)
        return outcome, talk  # no key pressed: the prompt times out and they are bridged

    def _agent_leg_ends(self, call: StandInCall, base: dict, *, duration: int) -> None:
        call.status, call.duration = "completed", duration
        if call.status_callback:
            params = {**base, "CallStatus": "completed", "CallDuration": str(duration)}
            self.poster.post(_path(call.status_callback), params)


@contextmanager
def stand_in_installed(*, poster: SignedPoster, port: int = 0) -> Iterator[TwilioStandIn]:
    """A stand-in running, with this process's settings pointing the provider at it and the
    webhook URLs it builds at the poster's base."""
    with (
        TwilioStandIn(port=port) as stand_in,
        override_settings(
            TWILIO_ACCOUNT_SID=SIMULATED_ACCOUNT_SID,
            TWILIO_API_BASE_URL=stand_in.url,
            TWILIO_PUBLIC_BASE_URL=poster.base_url,
        ),
    ):
        yield stand_in


# --- The seeded outbound simulation --------------------------------------------------------------


def india_daytime(now: dt.datetime) -> bool:
    """Promotional calls to India may be placed now, for the next hour or two (the demo's
    campaign calls 09:30-20:30; TRAI allows 09:00-21:00)."""
    start, end = DAYTIME
    return start <= now.astimezone(INDIA).time() < end


def daytime_clock(now: dt.datetime) -> dt.datetime:
    """Where simulated promotional calls start: the latest moment at 10:00-18:30 India time
    at least two hours before now (promotional calls keep to 09:00-21:00 local time)."""
    local = (now - LAID_OUT_BEFORE).astimezone(INDIA)
    start, end = DAYTIME
    if local.time() < start:
        return dt.datetime.combine(local.date() - dt.timedelta(days=1), end, tzinfo=INDIA)
    if local.time() > end:
        return dt.datetime.combine(local.date(), end, tzinfo=INDIA)
    return local


def simulate_outbound(*, attempts: int, seed: int | None = None, base_url: str = "") -> Counter:
    """Make `attempts` attempts across the running campaigns and play them; returns how many
    ended each way (refused ones too)."""
    poster = SignedPoster(base_url)
    with stand_in_installed(poster=poster) as stand_in:
        return OutboundSimulator(seed=seed, poster=poster, stand_in=stand_in).run(attempts=attempts)


class OutboundSimulator:
    def __init__(self, *, seed: int | None, poster: SignedPoster, stand_in: TwilioStandIn):
        self.seed, self.rng = seed, random.Random(seed)
        self.player = CallPlayer(rng=self.rng, poster=poster, stand_in=stand_in)
        self.stand_in = stand_in
        self.in_process = poster.client is not None
        self.first_id = Attempt.objects.aggregate(m=Max("pk"))["m"] or 0
        self.clock = daytime_clock(timezone.now())
        self.laid_out: dict[int, dt.datetime] = {}  # attempt -> its simulated placement
        self.turn: Counter = Counter()  # campaign -> agents' turns taken

    def run(self, *, attempts: int) -> Counter:
        campaigns = list(
            Campaign.objects.filter(status=Campaign.Status.RUNNING, kind=Campaign.Kind.CAMPAIGN)
            .select_related("line")
            .order_by("pk")
        )
        if not campaigns:
            raise SimulationError("No running campaign: run `manage.py seed_demo` first.")
        done: set[int] = set()
        while self._made() < attempts and len(done) < len(campaigns):
            for campaign in campaigns:  # one attempt each in turn
                more = campaign.pk not in done and self._made() < attempts
                if more and not self._one(campaign):
                    done.add(campaign.pk)  # nobody free, or nothing due
        self._drain()
        made = Attempt.objects.filter(pk__gt=self.first_id)
        return Counter(o or s for o, s in made.values_list("outcome", "status"))

    def _made(self) -> int:
        return Attempt.objects.filter(pk__gt=self.first_id).count()

    def _agent(self, campaign: Campaign) -> AgentProfile | None:
        """The campaign's free agents in turn."""
        free = list(
            AgentProfile.objects.filter(
                pk__in=CampaignAgent.objects.filter(campaign=campaign).values("agent_id"),
                duty_status=AgentProfile.Duty.AVAILABLE,
            ).order_by("pk")
        )
        if not free:
            return None
        self.turn[campaign.pk] += 1
        return free[self.turn[campaign.pk] % len(free)]

    def _one(self, campaign: Campaign) -> bool:
        """One attempt on the campaign (refusals made on the way count): False if none."""
        before = self._made()
        agent = self._agent(campaign)
        if agent is None:
            return False
        now = timezone.now()
        clocked = campaign.purpose == Campaign.Purpose.PROMOTIONAL and not india_daytime(now)
        at = self.clock if clocked else now
        attempt = None
        try:
            if campaign.mode == Campaign.Mode.PROGRESSIVE:
                attempt = dialer.agent_dial_next(agent_id=agent.pk, at=at)
            else:
                target = dialer.target_next(agent=agent, at=at)
                if target is not None:
                    attempt = dialer.attempt_place(agent=agent, target_id=target.pk, at=at)
        except ApplicationError as error:  # not free for it after all, a caller waiting…
            logger.info("Simulated attempt on %s not placed: %s", campaign, error)
        if attempt is not None and attempt.status != Attempt.Status.REFUSED:
            if clocked:
                self._placed_now(attempt, at)
            self._drain()
        return self._made() > before

    def _placed_now(self, attempt: Attempt, at: dt.datetime) -> None:
        """While it plays, a clocked attempt looks placed now: the sweep (inline in the
        webhooks) would close one placed hours ago as lost. Laid out at `at` once over."""
        self.laid_out[attempt.pk] = at
        now = timezone.now()
        Attempt.objects.filter(pk=attempt.pk).update(placed_at=now)
        Call.objects.filter(pk=attempt.call_id).update(offered_at=now)

    def _undialled(self) -> list[int]:
        """This run's placed attempts the provider was not asked about yet: inside a
        transaction (the demo's seed) the dial task waits for its commit, so it is asked
        here (the task, when it runs, finds the attempt taken and does nothing)."""
        if not self.in_process:
            return []
        return list(
            Attempt.objects.filter(
                pk__gt=self.first_id, status=Attempt.Status.AGENT, provider_call_id=""
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )

    def _drain(self) -> None:
        """Play every call placed so far (the webhooks' inline tick may place more)."""
        while True:
            for attempt_id in self._undialled():
                provider.attempt_dial(attempt_id=attempt_id)
            try:
                call = self.stand_in.created.get_nowait()
            except queue.Empty:
                return
            attempt = Attempt.objects.filter(pk=call.attempt_id).select_related("target").first()
            if attempt is None:  # a call no attempt names: played all the same
                self.player.play(call)
                continue
            rng = self._stream(attempt)
            played = self.player.play(call, rng=rng)
            self._dispose(attempt.pk, rng)
            if attempt.pk in self.laid_out:
                self._lay_out(played, self.laid_out.pop(attempt.pk), rng)

    def _stream(self, attempt: Attempt) -> random.Random:
        """A random stream per contact and try: with a seed, each call goes the same way
        whichever order the calls come in (the webhooks' inline tick dials some itself)."""
        if self.seed is None:
            return self.rng
        return random.Random(f"{self.seed}:{attempt.number}:{attempt.target.attempts}")

    def _dispose(self, attempt_id: int, rng: random.Random) -> None:
        """The agent's wrap-up of a connected call: one of the line's codes, notes, and for
        "callback" sometimes a time (tomorrow late morning, the contact's India time)."""
        attempt = Attempt.objects.select_related("call", "agent").get(pk=attempt_id)
        call = attempt.call
        if attempt.outcome != Attempt.Outcome.CONNECTED or call.wrap_up != Call.WrapUp.PENDING:
            return
        codes = {
            c.kind: c for c in DispositionCode.objects.filter(line_id=call.line_id, is_active=True)
        }
        kinds = [(k, w) for k, w in DISPOSED if k in codes]
        if not kinds:
            return
        kind = rng.choices([k for k, _ in kinds], [w for _, w in kinds])[0]
        callback_at = None
        if kind == DispositionCode.Kind.CALLBACK and rng.random() < 0.6:
            tomorrow = timezone.now().astimezone(INDIA).date() + dt.timedelta(days=1)
            hour = rng.choice([10, 11, 12, 15, 16])
            callback_at = dt.datetime.combine(tomorrow, dt.time(hour), tzinfo=INDIA)
        call_wrap_up_submit(
            call_id=call.pk,
            agent=attempt.agent,
            disposition_id=codes[kind].pk,
            notes=NOTES[kind],
            callback_at=callback_at,
        )

    def _lay_out(self, played: Played, start: dt.datetime, rng: random.Random) -> None:
        """Give a clocked attempt (and its call) the times it would have taken from `start`,
        in order; its contact's retry moves with it; the clock goes on after it."""
        attempt = Attempt.objects.select_related("call", "target").get(pk=played.attempt_id)
        call, target = attempt.call, attempt.target
        answered = start + dt.timedelta(seconds=played.agent_ring)
        connected = answered + dt.timedelta(seconds=played.contact_ring)
        if attempt.connected_at is not None:
            ended = connected + dt.timedelta(seconds=played.talk)
        elif attempt.agent_answered_at is not None:
            ended = connected
        else:
            ended = start + dt.timedelta(seconds=played.agent_ring)
        moved = (attempt.ended_at or ended) - ended
        Attempt.objects.filter(pk=attempt.pk).update(
            created_at=start,
            placed_at=start,
            agent_answered_at=answered if attempt.agent_answered_at else None,
            connected_at=connected if attempt.connected_at else None,
            ended_at=ended if attempt.ended_at else None,
        )
        wrapped = ended + dt.timedelta(seconds=rng.randint(15, 70))
        times = {
            "created_at": start,
            "offered_at": start,
            "answered_at": connected if call.answered_at else None,
            "ended_at": ended if call.ended_at else None,
        }
        if call.wrapped_up_at:
            times["wrapped_up_at"] = wrapped
        if call.caller_left_at:
            times["caller_left_at"] = ended
        Call.objects.filter(pk=call.pk).update(**times)
        latest = target.tries.order_by("-pk").values_list("pk", flat=True).first()
        if latest == attempt.pk and attempt.callback_at is None and target.agent_id is None:
            # Retried "in N minutes" counted from the real end: from the laid-out one.
            type(target).objects.filter(pk=target.pk, state="pending").update(
                next_attempt_at=target.next_attempt_at - moved
            )
        self.clock = wrapped + dt.timedelta(seconds=rng.randint(20, 90))


# --- A stand-in for `make run` -------------------------------------------------------------------


def serve_twilio(*, port: int, base_url: str, seed: int | None = None, hold: float = 20) -> None:
    """Run a stand-in on `port` until interrupted, playing each call placed through it over
    HTTP to the server at `base_url` (which has TWILIO_API_BASE_URL pointing here). The agent
    is "answered" a moment after the dial; a connected call stays up `hold` seconds."""
    poster = SignedPoster(base_url)
    rng = random.Random(seed)
    with TwilioStandIn(port=port) as stand_in:
        player = CallPlayer(rng=rng, poster=poster, stand_in=stand_in)

        def play(call: StandInCall) -> None:
            time.sleep(2)  # the agent's phone rings, they pick up
            try:
                player.play(call, hold=hold)
            except Exception:  # one call's trouble must not stop the stand-in
                logger.exception("The simulated call %s failed", call.sid)

        while True:
            try:
                call = stand_in.created.get(timeout=1)
            except queue.Empty:
                continue
            threading.Thread(target=play, args=(call,), daemon=True).start()
