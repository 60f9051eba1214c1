"""One table of situations, one answer: Twilio's webhooks and the JSON call API say the same
next step (dial, wait, voicemail, closed, hangup), since both ask routing.services.call_next_step.
"""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from routing.models import Call
from tests.factories import PhoneLineFactory
from tests.routing.conftest import (
    MADURAI,
    VOICE,
    api_event,
    api_route,
    routable_agent,
    twilio_post,
    twiml,
    voice_params,
)

pytestmark = pytest.mark.django_db
TWILIO_STATUS = {"no_answer": "no-answer", "busy": "busy", "failed": "failed"}


class Twilio:
    def __init__(self, client, line):
        self.client, self.line, self.action = client, line, ""

    def arrive(self) -> dict:
        return self._read(twilio_post(self.client, VOICE, voice_params(self.line)))

    def report(self, event: str) -> dict:
        params = {"DialCallStatus": TWILIO_STATUS.get(event, event), "DialCallDuration": "60"}
        return self._read(twilio_post(self.client, self.action, voice_params(self.line) | params))

    def _read(self, response) -> dict:
        root = twiml(response)
        if (dial := root.find("Dial")) is not None:
            self.action = dial.get("action")
            return {
                "kind": "dial",
                "number": dial.find("Number").text,
                "timeout": dial.get("timeout"),
            }
        if root.find("Pause") is not None:
            return {"kind": "wait", "retry_after": root.find("Pause").get("length")}
        if root.find("Record") is not None:
            return {"kind": "voicemail"}
        say = root.find("Say")
        if say is not None and "We are open from" in say.text:
            return {"kind": "closed"}
        return {"kind": "hangup" if root.find("Hangup") is not None else "?"}


class Api:
    def __init__(self, client, line):
        self.client, self.line = client, line

    def arrive(self) -> dict:
        return self._read(api_route(self.client, self.line))

    def report(self, event: str) -> dict:
        attempt = Call.objects.get().attempts  # the offer this event is about
        return self._read(api_event(self.client, "EX1", event, duration=60, attempt=attempt))

    def _read(self, response) -> dict:
        assert response.status_code in {200, 201}, response.content
        body = response.json()
        kind = body["call"]["next_step"]
        if kind == "dial":
            return {"kind": kind, "number": body["dial"], "timeout": str(body.get("ring_timeout"))}
        if kind == "wait":
            return {"kind": kind, "retry_after": str(body["retry_after"])}
        return {"kind": kind}


@dataclass
class Case:
    agents: tuple[str, ...] = ()  # sita in Mangaluru (nearest), ravi in Madurai
    events: tuple[str, ...] = ()  # what the provider reports after the first answer
    max_wait: int = 180
    closed: bool = False
    max_attempts: int = 3
    expect: str = ""
    dials: str = ""  # whose phone a dial rings


CASES = {
    "an agent is free": Case(agents=("sita",), expect="dial", dials="sita"),
    "nobody is free": Case(expect="wait"),
    "nobody is free, no waiting on the line": Case(max_wait=0, expect="voicemail"),
    "an agent is free, no waiting on the line": Case(
        agents=("sita",), max_wait=0, expect="dial", dials="sita"
    ),
    "the line is closed": Case(agents=("sita",), closed=True, expect="closed"),
    "no answer, the next agent is free": Case(
        agents=("sita", "ravi"), events=("no_answer",), expect="dial", dials="ravi"
    ),
    "busy, the next agent is free": Case(
        agents=("sita", "ravi"), events=("busy",), expect="dial", dials="ravi"
    ),
    "failed, the next agent is free": Case(
        agents=("sita", "ravi"), events=("failed",), expect="dial", dials="ravi"
    ),
    "no answer, nobody else": Case(agents=("sita",), events=("no_answer",), expect="wait"),
    "no answer, nobody else, no waiting on the line": Case(
        agents=("sita",), events=("no_answer",), max_wait=0, expect="voicemail"
    ),
    "no answer, offers used up": Case(
        agents=("sita", "ravi"), events=("no_answer",), max_attempts=1, expect="voicemail"
    ),
    "answered, then ended": Case(agents=("sita",), events=("completed",), expect="hangup"),
}


def _closed_now() -> tuple[dt.time, dt.time]:
    return (
        (dt.time(0), dt.time(1)) if timezone.localtime().hour >= 12 else (dt.time(22), dt.time(23))
    )


@pytest.mark.parametrize("provider", [Twilio, Api], ids=["twilio", "api"])
@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_both_providers_get_the_same_next_step(
    client, provider_api, acme, settings, provider, case
):
    settings.ROUTING_MAX_ATTEMPTS = case.max_attempts
    line = PhoneLineFactory(firm=acme, ring_timeout_seconds=25, max_wait_seconds=case.max_wait)
    if case.closed:
        line.opens_at, line.closes_at = _closed_now()
        line.save()
    where = {"sita": {}, "ravi": {"lat": MADURAI[0], "lon": MADURAI[1]}}
    agents = {n: routable_agent(acme, f"{n}@example.com", **where[n]) for n in case.agents}
    caller = provider(client, line)
    step = caller.arrive()
    for event in case.events:
        assert step["kind"] == "dial", step
        step = caller.report(event)
    assert step["kind"] == case.expect, step
    if case.expect == "dial":
        assert (step["number"], step["timeout"]) == (str(agents[case.dials].phone), "25")
    if case.expect == "wait":
        assert step["retry_after"] == str(settings.ROUTING_HOLD_PAUSE_SECONDS)
