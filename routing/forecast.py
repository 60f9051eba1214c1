"""The forecast, checked: a staffing request's demand replayed through the real Twilio
webhooks on a simulated clock, next to Erlang C's prediction for the same traffic and agents
(`manage.py simulate_calls --forecast REQUEST_ID`; `bench/forecast_bench.py`).

Callers arrive at random (Poisson at the request's calls per hour: exponential gaps), each
with a talk time around the request's handle time (exponential, as Erlang C assumes; another
spread is lognormal with that coefficient of variation). Every step a caller and their agent
take is a signed request to the webhooks Twilio calls (`routing.simulation.SignedPoster`): the
call arriving, the hold's redirect each time its pause ends, the agent's leg answering, the
<Dial> reporting, the caller's leg ending. What routing answers decides what happens next: a
<Dial> rings the reserved agent, a hold comes back after its <Pause>. A queued caller is
answered only as routing's queue has it: a freed agent is reserved for the longest-waiting
caller (`queue_dispatch`), who reaches them when their hold's pause ends and the redirect asks
again. The agent then submits a disposition (`call_wrap_up_submit`, as the workspace does)
after `wrap_up` seconds, or, on a line without codes, the wrap-up limit ends it (the countdown
task's `wrap_up_end`). The sweep runs every 10 simulated seconds, as beat runs it.

Time: discrete events on a simulated clock. While the run lasts, `django.utils.timezone.now`
answers the clock's time in this process, so routing, presence, billing and the Call's own
times read simulated time, and an hour of calls takes seconds to minutes. Hence in-process
only (a server's clock cannot be driven: no `--base-url`). What it does not model: the time
TwiML takes to speak (the hold message, the menu), the network, agents who do not answer, go
offline or pick calls; model defaults written `default=timezone.now` (bound at import, read
the real clock: none of the rows the figures come from); a caller's patience once the agent's
phone rings. The webhooks' inline sweep (rate-limited by the real clock) is held off during a
run, so the same seed gives the same figures.
"""

import contextlib
import datetime as dt
import heapq
import itertools
import math
import random
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from unittest import mock
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone

from agents.models import AgentProfile
from agents.services import agent_duty_set
from clients import erlang
from clients.models import DispositionCode, Engagement, StaffingRequest
from common.errors import ApplicationError
from routing import services
from routing.models import Call
from routing.simulation import LANDLINES, SignedPoster, SimulationError
from routing.webhooks import INLINE_SWEEP_KEY
from teams.models import Booking
from teams.selectors import slot_start

VOICE = "/telephony/twilio/voice/"
STATUS = "/telephony/twilio/status/"
SWEEP_SECONDS = 10  # beat's period for routing.sweep
NOTES = "Simulated call (forecast)."
Duty = AgentProfile.Duty


class SimulatedClock:
    """`start` plus the seconds simulated so far; while `running()`, what
    `django.utils.timezone.now()` answers in this process (modules calling `timezone.now()`
    and Django's auto_now fields read it; `localdate()`/`localtime()` follow)."""

    def __init__(self, start: dt.datetime):
        self.start, self.seconds = start, 0.0

    def now(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=self.seconds)

    @contextmanager
    def running(self) -> Iterator[None]:
        with mock.patch.object(timezone, "now", self.now):
            yield


@dataclass
class Caller:
    sid: str
    number: str
    arrives: float  # seconds after the start
    talk: int  # seconds, once an agent answers
    patience: float | None  # seconds of waiting before hanging up (None: waits for ever)
    measured: bool = True  # arrived inside the measured window (not in the warm-up)
    state: str = "new"  # waiting, ringing, talking, done
    call_id: int | None = None
    dial_action: str = ""  # the <Dial action> URL, read from the TwiML
    agent_leg: str = ""  # the agent leg's statusCallback URL
    talk_began: float = 0.0
    cut_off: bool = False  # still waiting when the run ended: hung up by the run


@dataclass(frozen=True)
class ForecastReport:
    request_id: int
    agents: int
    agents_source: str  # "booked" or "engaged"
    calls_per_hour: float
    aht_seconds: int
    target_seconds: int
    minutes: float
    seed: int | None
    patience: float | None
    hold_pause: int
    traffic: float
    predicted_service_level: float
    predicted_waiting: float  # Erlang C: chance a caller waits at all
    predicted_average_wait: float  # ASA over all callers, seconds
    offered: int
    answered: int
    answered_within_target: int
    abandoned: int  # ended unanswered: hung up, voicemail, lost, closed
    still_waiting: int  # waiting when the run (and its drain) ended
    service_level: float | None  # answered within target / answered
    average_wait: float | None  # seconds from queue to answer, answered calls
    waited_at_all: float | None  # share of answered calls that waited more than a second
    average_talk: float | None
    # seconds from reservation to answer, calls that waited: the rest of the hold's pause
    average_reserved: float | None
    unanswered: dict = field(default_factory=dict)  # by the Call's status

    def lines(self) -> list[str]:
        """The report as the command prints it."""

        def pct(x):
            return "—" if x is None else f"{x:.1%}"

        def sec(x):
            return "—" if x is None else f"{x:.1f} s"

        patience = "infinite (Erlang C)" if self.patience is None else f"{self.patience:g} s"
        why = ", ".join(f"{status} {n}" for status, n in self.unanswered.items())
        why = f" ({why})" if why else ""
        return [
            f"Forecast of request {self.request_id}: {self.calls_per_hour:g} calls/h x "
            f"{self.aht_seconds} s = {self.traffic:.2f} Erlang on {self.agents} "
            f"{self.agents_source} agents, {self.minutes:g} min, seed {self.seed}, patience "
            f"{patience}, hold pause {self.hold_pause} s",
            f"  service level ({self.target_seconds} s): simulated {pct(self.service_level)} "
            f"(of answered), Erlang C {pct(self.predicted_service_level)}",
            f"  average wait: simulated {sec(self.average_wait)}, Erlang C "
            f"{sec(self.predicted_average_wait)}; waited at all: {pct(self.waited_at_all)}, "
            f"Erlang C {pct(self.predicted_waiting)}",
            f"  calls offered {self.offered}: answered {self.answered} "
            f"({self.answered_within_target} within {self.target_seconds} s), abandoned "
            f"{self.abandoned}{why}, still waiting {self.still_waiting}",
            f"  talk {sec(self.average_talk)} on average; an agent freed for a waiting caller "
            f"was reserved {sec(self.average_reserved)} until the caller's hold asked again",
        ]


def _handle_sampler(rng: random.Random, mean: float, spread: float):
    """Talk times with mean `mean`: exponential at spread 1 (Erlang C's), fixed at 0, else
    lognormal with coefficient of variation `spread`."""
    if spread == 1:
        return lambda: rng.expovariate(1 / mean)
    if spread == 0:
        return lambda: mean
    sigma = math.sqrt(math.log(1 + spread * spread))
    mu = math.log(mean) - sigma * sigma / 2
    return lambda: rng.lognormvariate(mu, sigma)


def forecast_agents(
    *, request: StaffingRequest, line_id: int, at: dt.datetime, count: int | None = None
) -> tuple[list[AgentProfile], str]:
    """Who takes the calls: the agents booked on the request's slot at `at`; with `count`,
    or when nobody is booked, `count` (default the request's Erlang C agents) verified agents
    engaged on the line, those on duty first."""
    today = timezone.localdate(at)
    engaged = AgentProfile.objects.filter(
        status=AgentProfile.Status.VERIFIED,
        engagements__firm_id=request.firm_id,
        engagements__status=Engagement.Status.ACTIVE,
        engagements__lines=line_id,
        engagements__starts_on__lte=today,
        engagements__ends_on__gte=today,
    ).distinct()
    if count is None:
        booked = Booking.objects.filter(
            status=Booking.Status.BOOKED, slot__request=request, slot__starts_at=slot_start(at)
        ).values("agent")
        chosen = list(engaged.filter(pk__in=booked).order_by("pk"))
        if chosen:
            return chosen, "booked"
        count = (
            request.agents_needed
            or erlang.staffing_estimate(
                calls_per_hour=float(request.calls_per_hour),
                aht_seconds=request.aht_seconds,
                target_seconds=request.target_seconds,
                target_level=request.target_level / 100,
            ).agents
        )
    on_duty = sorted(engaged, key=lambda a: (a.duty_status == Duty.OFFLINE, a.pk))
    return on_duty[:count], "engaged"


class ForecastSimulator:
    def __init__(
        self,
        *,
        request: StaffingRequest,
        agents: int | None = None,
        minutes: float = 60,
        seed: int | None = None,
        patience: float | None = None,
        handle_spread: float = 1.0,
        wrap_up: int = 0,
        answer_after: int = 0,
        hold_pause: int | None = None,
        warm_up: float = 0,
        drain_minutes: float = 60,
        start: dt.datetime | None = None,
    ):
        if minutes <= 0 or (agents is not None and agents < 1):
            raise SimulationError("--minutes and --agents must be positive.")
        if patience is not None and patience <= 0:
            raise SimulationError("--patience must be a positive number of seconds.")
        if handle_spread < 0 or wrap_up < 0 or answer_after < 0 or warm_up < 0:
            raise SimulationError("Spreads and times cannot be negative.")
        if connection.in_atomic_block:
            # Routing offers a freed agent to the waiting callers once a transaction commits
            # (transaction.on_commit): inside one, nobody waiting would ever be served.
            raise SimulationError("The forecast needs autocommit: run it outside a transaction.")
        self.request = request
        self.count, self.minutes, self.seed = agents, minutes, seed
        self.patience_mean, self.wrap_up, self.answer_after = patience, wrap_up, answer_after
        self.hold_pause = hold_pause or settings.ROUTING_HOLD_PAUSE_SECONDS
        self.warm_up, self.drain = warm_up * 60, drain_minutes * 60
        self.clock = SimulatedClock(start or timezone.now())
        # Three streams: arrivals, talk times and patience each their own, so a run with
        # patience has the same callers and talks as one without (common random numbers).
        self.arrivals = random.Random(seed)
        self.talks = _handle_sampler(
            random.Random(None if seed is None else seed + 1),
            float(request.aht_seconds),
            handle_spread,
        )
        self.patiences = random.Random(None if seed is None else seed + 2)
        self.numbers = random.Random(None if seed is None else seed + 3)
        self.events: list = []
        self.order = itertools.count()

    # --- the run --------------------------------------------------------------------------

    def run(self) -> ForecastReport:
        line = self.request.lines.filter(is_active=True).order_by("pk").first()
        if line is None:
            raise SimulationError(f"Request {self.request.pk} has no active line to call.")
        self.line = line
        self.digit = line.languages.order_by("menu_digit", "pk").first()
        agents, source = forecast_agents(
            request=self.request, line_id=line.pk, at=self.clock.now(), count=self.count
        )
        if not agents:
            raise SimulationError(f"No verified agent is engaged on line {line.pk}.")
        self.disposition = (
            DispositionCode.objects.filter(line=line, is_active=True)
            .exclude(kind=DispositionCode.Kind.CALLBACK)
            .order_by("position", "pk")
            .first()
        )
        callers = self._callers()
        restore = self._duty_for(agents, line)
        try:
            with self._settings(), self.clock.running():
                self.poster = SignedPoster("")
                self._play(callers)
        finally:
            cache.delete(INLINE_SWEEP_KEY)
            self._restore(restore)
        return self._report(callers, len(agents), source)

    @contextmanager
    def _settings(self) -> Iterator[None]:
        # No Twilio account: the sweep asks nobody (a real account would be asked about the
        # simulated calls) and closes what it must by its bounds.
        with override_settings(TWILIO_ACCOUNT_SID="", ROUTING_HOLD_PAUSE_SECONDS=self.hold_pause):
            # The webhooks sweep inline at most every 5 real seconds: at random moments of a
            # simulated hour. Held off; the simulated beat sweeps every 10 simulated seconds.
            cache.set(INLINE_SWEEP_KEY, 1, timeout=None)
            yield

    def _duty_for(self, agents: list[AgentProfile], line) -> list[tuple[AgentProfile, bool]]:
        """The chosen agents on duty, the line's other engaged agents off it, for the run;
        returns how to put each back."""
        chosen = {a.pk for a in agents}
        restore = []
        for agent in agents:
            if agent.duty_status == Duty.OFFLINE:
                try:
                    agent_duty_set(agent=agent, available=True)
                except ApplicationError as error:  # not compliant today
                    self._restore(restore)
                    raise SimulationError(f"{agent} cannot go on duty: {error}") from error
                restore.append((agent, False))
        others = AgentProfile.objects.filter(
            engagements__lines=line, duty_status=Duty.AVAILABLE
        ).exclude(pk__in=chosen)
        for agent in others.distinct().order_by("pk"):
            agent_duty_set(agent=agent, available=False)
            restore.append((agent, True))
        return restore

    @staticmethod
    def _restore(restore: list[tuple[AgentProfile, bool]]) -> None:
        for agent, available in restore:
            agent.refresh_from_db()
            with contextlib.suppress(ApplicationError):  # on a call meanwhile: leave them
                agent_duty_set(agent=agent, available=available)

    def _callers(self) -> list[Caller]:
        rate = float(self.request.calls_per_hour) / 3600
        if rate <= 0:
            raise SimulationError("The request expects no calls.")
        callers, t = [], 0.0
        window = self.warm_up + self.minutes * 60
        while True:
            t += self.arrivals.expovariate(rate)
            if t >= window:
                return callers
            prefix = self.numbers.choice(LANDLINES)
            digits = "".join(self.numbers.choice("0123456789") for _ in range(13 - len(prefix)))
            patience = (
                None
                if self.patience_mean is None
                else self.patiences.expovariate(1 / self.patience_mean)
            )
            callers.append(
                Caller(
                    sid="CA" + uuid.uuid4().hex,  # unique in the database, run after run
                    number=prefix + digits,
                    arrives=t,
                    talk=max(1, round(self.talks())),
                    patience=patience,
                    measured=t >= self.warm_up,
                )
            )

    def _at(self, seconds: float, kind: str, caller: Caller | None = None, url: str = "") -> None:
        heapq.heappush(self.events, (seconds, next(self.order), kind, caller, url))

    def _play(self, callers: list[Caller]) -> None:
        for caller in callers:
            self._at(caller.arrives, "arrive", caller)
            if caller.patience is not None:
                self._at(caller.arrives + caller.patience, "patience", caller)
        self._at(SWEEP_SECONDS, "sweep")
        last = self.warm_up + self.minutes * 60 + self.drain
        while self.events:
            seconds, _n, kind, caller, url = heapq.heappop(self.events)
            if seconds > last:
                break
            self.clock.seconds = seconds
            getattr(self, f"_on_{kind}")(caller, url)
            if kind == "sweep" and (
                self.events or any(c.state not in {"done", "new"} for c in callers)
            ):
                self._at(seconds + SWEEP_SECONDS, "sweep")
        for caller in callers:  # the drain's bound passed: whoever is left, the run ends
            if caller.state in {"waiting", "ringing", "talking"}:
                caller.cut_off = caller.state != "talking"
                self._cut_off(caller)

    # --- what routing's answers lead to ---------------------------------------------------

    def _base(self, caller: Caller, status: str = "in-progress") -> dict:
        return {
            "CallSid": caller.sid,
            "From": caller.number,
            "To": str(self.line.number),
            "CallStatus": status,
            "Direction": "inbound",
        }

    def _post(self, url: str, params: dict) -> str:
        parts = urlsplit(url)  # TwiML's URLs are absolute; the poster signs for its own host
        return self.poster.post(parts.path + (f"?{parts.query}" if parts.query else ""), params)

    def _follow(self, caller: Caller, twiml: str) -> None:
        """Do what the TwiML says: ring the agent, hold then ask again, or it is over."""
        # Our own webhooks' answer, not untrusted input.
        root = ET.fromstring(twiml) if twiml.strip() else ET.Element("Response")  # noqa: S314
        now = self.clock.seconds
        dial, redirect, pause = root.find("Dial"), root.find("Redirect"), root.find("Pause")
        if dial is not None and dial.find("Number") is not None:
            caller.state, caller.dial_action = "ringing", dial.get("action", "")
            caller.agent_leg = dial.find("Number").get("statusCallback", "")
            self._at(now + self.answer_after, "answer", caller)
        elif redirect is not None and root.find("Record") is None:
            # A hold (or the menu's or an apology's redirect): ask again when it is over.
            caller.state = "waiting"
            length = int(pause.get("length", "1")) if pause is not None else 1
            self._at(now + length, "redirect", caller, redirect.text or VOICE)
        else:  # voicemail, closed, goodbye: the caller hangs up (leaving no message)
            self._hang_up(caller)

    def _on_arrive(self, caller: Caller, _url: str) -> None:
        twiml = self._post(VOICE, self._base(caller, "ringing"))
        if "<Gather" in twiml and self.digit is not None:
            params = self._base(caller, "ringing") | {"Digits": str(self.digit.menu_digit)}
            twiml = self._post(VOICE, params)
        caller.call_id = (
            Call.objects.filter(provider="twilio", provider_call_id=caller.sid)
            .values_list("pk", flat=True)
            .first()
        )
        self._follow(caller, twiml)

    def _on_redirect(self, caller: Caller, url: str) -> None:
        if caller.state == "waiting":
            self._follow(caller, self._post(url, self._base(caller)))

    def _on_patience(self, caller: Caller, _url: str) -> None:
        # Only while on hold: once the agent's phone rings the caller stays (not modelled).
        if caller.state == "waiting":
            self._hang_up(caller)

    def _on_answer(self, caller: Caller, _url: str) -> None:
        leg = {"CallSid": "CA" + uuid.uuid4().hex, "ParentCallSid": caller.sid}
        self._post(caller.agent_leg, leg | {"CallStatus": "in-progress"})
        caller.state, caller.talk_began = "talking", self.clock.seconds
        self._at(self.clock.seconds + caller.talk, "talked", caller)

    def _on_talked(self, caller: Caller, _url: str) -> None:
        self._dial_completed(caller, caller.talk)
        call = Call.objects.select_related("line").get(pk=caller.call_id)
        if call.wrap_up != Call.WrapUp.PENDING:
            return  # a line without wrap-up: the agent is free already
        limit = call.line.wrap_up_seconds
        if self.disposition is not None and self.wrap_up < limit:
            self._at(self.clock.seconds + self.wrap_up, "disposed", caller)
        else:  # no code to give, or slower than the limit: the limit's countdown ends it
            self._at(self.clock.seconds + limit, "wrap_up_over", caller)

    def _on_disposed(self, caller: Caller, _url: str) -> None:
        call = Call.objects.select_related("agent").get(pk=caller.call_id)
        with contextlib.suppress(ApplicationError):  # the limit ended it first: "no disposition"
            services.call_wrap_up_submit(
                call_id=call.pk, agent=call.agent, disposition_id=self.disposition.pk, notes=NOTES
            )

    def _on_wrap_up_over(self, caller: Caller, _url: str) -> None:
        agent_id = Call.objects.filter(pk=caller.call_id).values_list("agent_id", flat=True)[0]
        services.wrap_up_end(agent_id=agent_id)

    def _on_sweep(self, _caller, _url: str) -> None:
        services.routing_sweep()

    def _dial_completed(self, caller: Caller, duration: int) -> None:
        params = self._base(caller) | {
            "DialCallStatus": "completed",
            "DialCallDuration": str(duration),
        }
        self._post(caller.dial_action, params)  # a survey's <Gather> goes unanswered
        self._hang_up(caller)

    def _hang_up(self, caller: Caller) -> None:
        if caller.state != "done" and caller.call_id is not None:
            self._post(STATUS, self._base(caller, "completed"))
        caller.state = "done"

    def _cut_off(self, caller: Caller) -> None:
        if caller.state == "talking":  # the talk so far, billed
            self._dial_completed(caller, max(1, round(self.clock.seconds - caller.talk_began)))
        else:
            self._hang_up(caller)

    # --- the figures ----------------------------------------------------------------------

    def _report(self, callers: list[Caller], agents: int, source: str) -> ForecastReport:
        measured = [c for c in callers if c.measured]
        calls = Call.objects.in_bulk([c.call_id for c in measured if c.call_id])
        target = self.request.target_seconds
        answered, waits, reserved, talks, unanswered = 0, [], [], [], {}
        still = sum(c.cut_off for c in measured)
        for caller in measured:
            call = calls.get(caller.call_id)
            if call is None or call.answered_at is None:
                if not caller.cut_off:
                    status = call.status if call is not None else "not routed"
                    unanswered[status] = unanswered.get(status, 0) + 1
                continue
            answered += 1
            waits.append((call.answered_at - (call.queued_at or call.created_at)).total_seconds())
            if call.offered_at is not None and waits[-1] > 1:  # taken from the queue
                reserved.append((call.answered_at - call.offered_at).total_seconds())
            talks.append(call.talk_seconds or 0)
        traffic = erlang.traffic_intensity(
            calls_per_hour=float(self.request.calls_per_hour),
            aht_seconds=self.request.aht_seconds,
        )
        within = sum(w <= target for w in waits)

        def mean(values):
            return sum(values) / len(values) if values else None

        return ForecastReport(
            request_id=self.request.pk,
            agents=agents,
            agents_source=source,
            calls_per_hour=float(self.request.calls_per_hour),
            aht_seconds=self.request.aht_seconds,
            target_seconds=target,
            minutes=self.minutes,
            seed=self.seed,
            patience=self.patience_mean,
            hold_pause=self.hold_pause,
            traffic=traffic,
            predicted_service_level=erlang.service_level(
                agents=agents,
                traffic=traffic,
                aht_seconds=self.request.aht_seconds,
                target_seconds=target,
            ),
            predicted_waiting=erlang.probability_of_waiting(agents=agents, traffic=traffic),
            predicted_average_wait=erlang.average_speed_of_answer(
                agents=agents, traffic=traffic, aht_seconds=self.request.aht_seconds
            ),
            offered=len(measured),
            answered=answered,
            answered_within_target=within,
            abandoned=sum(unanswered.values()),
            still_waiting=still,
            service_level=within / answered if answered else None,
            average_wait=mean(waits),
            waited_at_all=mean([w > 1 for w in waits]),
            average_talk=mean(talks),
            average_reserved=mean(reserved),
            unanswered=dict(sorted(unanswered.items())),
        )


def forecast_simulate(*, request_id: int, **options) -> ForecastReport:
    """Replay request `request_id`'s demand through the webhooks (see the module's text)."""
    request = StaffingRequest.objects.filter(pk=request_id).first()
    if request is None:
        raise SimulationError(f"No staffing request {request_id}.")
    return ForecastSimulator(request=request, **options).run()
