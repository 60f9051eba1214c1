"""The outbound simulator (campaigns.simulator): a stand-in for Twilio's REST API that places
calls and plays them back, signed, through the outbound webhooks; and `simulate_calls
--outbound`, which makes attempts on the running campaigns and plays every one."""

import datetime as dt
import random

import pytest
from django.core.management import call_command
from django.utils import timezone
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from campaigns import dialer, provider, simulator
from campaigns.models import Attempt, Campaign
from clients.models import StaffingRequest
from clients.scripts import dispositions_seed
from routing.models import Call
from routing.simulation import SignedPoster
from tests.campaigns.dialing import registry_with, running_campaign
from tests.factories import PhoneLineFactory
from tests.routing.conftest import routable_agent

pytestmark = [
    pytest.mark.django_db,
]
TOKEN = "simulator-test-token"
NUMBERS = ["+919845012345", "+919845012346", "+919845012347"]


@pytest.fixture(autouse=True)
def token(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.CAMPAIGNS_PROVIDER = "twilio"


@pytest.fixture
def line(acme):
    line = PhoneLineFactory(firm=acme)
    dispositions_seed(line)
    return line


@pytest.fixture
def meera(acme, line):
    return routable_agent(acme, "meera@example.com")


def only(outcome: str, monkeypatch) -> None:
    monkeypatch.setattr(simulator, "OUTCOMES", [(outcome, 1)])


def campaign_due(line, agents, numbers, **fields) -> Campaign:
    """A running campaign whose contacts were due days ago, worked under a request begun
    then (the simulation may place promotional calls at an earlier daytime moment)."""
    campaign = running_campaign(line.firm, line, agents=agents, numbers=numbers, **fields)
    campaign.targets.update(next_attempt_at=timezone.now() - dt.timedelta(days=2))
    begun = timezone.localdate() - dt.timedelta(days=2)
    StaffingRequest.objects.filter(firm=line.firm).update(start_date=begun)
    return campaign


def placed(meera, line, **fields) -> Attempt:
    running_campaign(line.firm, line, agents=[meera], numbers=NUMBERS[:1], **fields)
    target = dialer.target_next(agent=meera)
    return dialer.attempt_place(agent=meera, target_id=target.pk)


def test_the_stand_in_answers_a_create_and_refuses_a_wrong_password(settings):
    with simulator.TwilioStandIn() as stand_in:
        client = Client(simulator.SIMULATED_ACCOUNT_SID, TOKEN)
        client.api.base_url = stand_in.url
        call = client.calls.create(to="+919845000001", from_="+918242220001", url="https://x/a/")
        assert call.sid.startswith("CA") and call.status == "queued"
        assert stand_in.created.get_nowait().to == "+919845000001"
        assert client.calls(call.sid).fetch().to == "+919845000001"
        intruder = Client(simulator.SIMULATED_ACCOUNT_SID, "not-the-token")
        intruder.api.base_url = stand_in.url
        with pytest.raises(TwilioRestException) as refused:
            intruder.calls.create(to="+919845000002", from_="+918242220001", url="https://x/a/")
        assert refused.value.status == 401
        assert stand_in.created.empty()


def test_a_placed_attempt_rings_through_the_stand_in_and_plays_to_its_end(meera, line, monkeypatch):
    only("connected", monkeypatch)
    attempt = placed(meera, line)
    poster = SignedPoster()
    with simulator.stand_in_installed(poster=poster) as stand_in:
        provider.attempt_dial(attempt_id=attempt.pk)
        call = stand_in.created.get_nowait()
        assert call.to == str(meera.phone) and call.from_ == str(line.number)
        assert (
            f"attempt={attempt.pk}" in call.url and f"attempt={attempt.pk}" in call.status_callback
        )
        played = simulator.CallPlayer(rng=random.Random(1), poster=poster, stand_in=stand_in).play(
            call
        )
    attempt.refresh_from_db()
    assert played.outcome == "connected"
    assert attempt.status == Attempt.Status.ENDED and attempt.outcome == "connected"
    assert attempt.provider_call_id == call.sid and attempt.talk_seconds == played.talk
    assert Call.objects.get(pk=attempt.call_id).wrap_up == Call.WrapUp.PENDING


def test_callbacks_signed_with_another_token_are_refused_and_change_nothing(
    meera, line, monkeypatch, settings
):
    only("connected", monkeypatch)
    attempt = placed(meera, line)
    with simulator.stand_in_installed(poster=SignedPoster()) as stand_in:
        provider.attempt_dial(attempt_id=attempt.pk)
        settings.TWILIO_AUTH_TOKEN = "someone-elses-token"
        forger = SignedPoster()  # signs with the wrong token
        settings.TWILIO_AUTH_TOKEN = TOKEN
        call = stand_in.created.get_nowait()
        answer = forger.post(simulator._path(call.url), {"CallSid": call.sid, "To": call.to})
    assert "<Dial" not in answer
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.AGENT and attempt.agent_answered_at is None


@pytest.mark.parametrize(
    ("outcome", "purpose", "recorded"),
    [
        ("connected", "service", "connected"),
        ("no-answer", "service", "no_answer"),
        ("busy", "service", "busy"),
        ("machine", "service", "machine"),
        ("opt-out", "promotional", "opted_out"),
        ("opt-out", "service", "connected"),  # no prompt offered on a service call: they talk
    ],
)
def test_the_outbound_simulation_makes_attempts_with_each_outcome(
    meera, line, monkeypatch, outcome, purpose, recorded
):
    only(outcome, monkeypatch)
    registry_with({})  # a current extract: promotional calls may go
    campaign_due(line, [meera], NUMBERS[:1], purpose=purpose)
    tally = simulator.simulate_outbound(attempts=1, seed=3)
    attempt = Attempt.objects.get()
    assert tally == {recorded: 1} and attempt.outcome == recorded
    assert attempt.provider_call_id.startswith("CA")
    if recorded == "connected":  # the agent disposed through the wrap-up service
        call = Call.objects.get(pk=attempt.call_id)
        assert call.wrap_up == Call.WrapUp.SUBMITTED and call.disposition is not None
        attempt.refresh_from_db()
        assert attempt.disposition == call.disposition


def test_promotional_calls_at_night_are_laid_out_in_daytime_with_their_times_in_order(
    meera, line, monkeypatch
):
    only("connected", monkeypatch)
    monkeypatch.setattr(simulator, "india_daytime", lambda now: False)
    registry_with({NUMBERS[1]: (True, 0)})
    campaign_due(line, [meera], NUMBERS, purpose="promotional", window=(dt.time(9), dt.time(21)))
    call_command("simulate_calls", outbound=3, seed=5)
    refused = Attempt.objects.get(status=Attempt.Status.REFUSED)
    assert refused.number == NUMBERS[1]
    assert refused.checks["registry"]["result"] == "fully blocked"
    for attempt in Attempt.objects.exclude(status=Attempt.Status.REFUSED):
        local = attempt.placed_at.astimezone(simulator.INDIA).time()
        assert dt.time(9) <= local < dt.time(21)
        assert dt.datetime.fromisoformat(attempt.checks["at"]) == attempt.placed_at
        assert attempt.placed_at <= attempt.agent_answered_at <= attempt.connected_at
        assert attempt.connected_at < attempt.ended_at
        call = Call.objects.get(pk=attempt.call_id)
        assert (call.offered_at, call.answered_at) == (attempt.placed_at, attempt.connected_at)
        assert call.ended_at == attempt.ended_at < call.wrapped_up_at


def test_without_a_running_campaign_it_says_so():
    from django.core.management.base import CommandError

    Campaign.objects.all().delete()
    with pytest.raises(CommandError, match="No running campaign"):
        call_command("simulate_calls", outbound=2)


def test_outbound_calls_are_simulated_behind_the_https_redirect_on_an_allowed_host(
    meera, line, monkeypatch, settings
):
    # As in production: DJANGO_ALLOWED_HOSTS name the site, and http is redirected.
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLOWED_HOSTS = ["homeshore.example"]
    only("connected", monkeypatch)
    campaign_due(line, [meera], NUMBERS[:1])
    assert simulator.simulate_outbound(attempts=1, seed=2) == {"connected": 1}


@pytest.mark.django_db(transaction=True)
def test_with_a_broker_outside_a_transaction_it_asks_for_the_stand_in_server(settings):
    from django.core.management.base import CommandError

    # Each dial task would go to a worker, which cannot reach this process's stand-in.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with pytest.raises(CommandError, match="--serve-twilio"):
        call_command("simulate_calls", outbound=2)
