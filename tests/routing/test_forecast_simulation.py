"""`simulate_calls --forecast`: a request's demand through the real webhooks on a simulated
clock, next to Erlang C (routing.forecast). transaction=True: routing offers a freed agent to
the waiting callers once a transaction commits, which a test's own transaction never does."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from agents.models import AgentProfile
from billing.models import Transaction
from clients import erlang
from clients.models import DispositionCode
from routing.forecast import forecast_simulate
from routing.models import Call
from routing.simulation import SimulationError
from teams.models import Booking, Slot
from teams.selectors import slot_start
from tests.factories import ClientFirmFactory, PhoneLineFactory
from tests.routing.conftest import round_the_clock_request, routable_agent

pytestmark = pytest.mark.django_db(transaction=True)

# 10:00 in India yesterday: inside the line's and the agents' hours, far from the 23:59 gap,
# and in the past whatever the hour of the run (today's 10:00 is still to come before 10:00,
# and routing would be asked about a moment ahead of every record's own clock).
START = dt.datetime.combine(
    timezone.localdate() - dt.timedelta(days=1), dt.time(10), tzinfo=ZoneInfo("Asia/Kolkata")
)


@pytest.fixture
def desk():
    """A claims desk at 60 calls an hour of 60 s (1 Erlang), two agents engaged on it."""
    firm = ClientFirmFactory(name="Acme Insurance", engagement_type="partial")
    line = PhoneLineFactory(firm=firm, max_wait_seconds=1800, wrap_up_seconds=30)
    DispositionCode.objects.create(line=line, code="RES", label="Resolved", kind="resolved")
    request = round_the_clock_request(
        firm,
        calls_per_hour=Decimal("60"),
        aht_seconds=60,
        target_seconds=20,
        agents_needed=2,
        start_date=START.date() - dt.timedelta(days=7),  # worked on START's day
    )
    request.lines.add(line)
    alice = routable_agent(firm, "alice@example.com")
    bob = routable_agent(firm, "bob@example.com")
    return request, line, [alice, bob]


def run(request, **options):
    options = {"minutes": 15, "seed": 7, "start": START} | options
    return forecast_simulate(request_id=request.pk, **options)


def test_the_forecast_predicts_what_clients_erlang_says_for_the_same_inputs(desk):
    request, _line, _agents = desk
    report = run(request)
    traffic = erlang.traffic_intensity(calls_per_hour=60, aht_seconds=60)
    assert report.agents == 2 and report.traffic == traffic
    assert report.predicted_service_level == erlang.service_level(
        agents=2, traffic=traffic, aht_seconds=60, target_seconds=20
    )
    assert report.predicted_average_wait == erlang.average_speed_of_answer(
        agents=2, traffic=traffic, aht_seconds=60
    )


def test_every_offered_call_is_answered_abandoned_or_still_waiting(desk):
    request, _line, _agents = desk
    report = run(request, patience=10)
    assert report.offered == Call.objects.count() > 5
    assert report.answered + report.abandoned + report.still_waiting == report.offered
    assert report.answered == Call.objects.filter(answered_at__isnull=False).count()
    assert report.abandoned > 0  # 10 s of patience on hold: some of those who wait leave
    assert Call.objects.filter(status__in=Call.LIVE | Call.WAITING).count() == 0


def test_every_answered_call_is_billed_once(desk):
    request, _line, _agents = desk
    report = run(request)
    answered = Call.objects.filter(answered_at__isnull=False)
    assert report.answered == answered.count() > 0
    assert Transaction.objects.count() == report.answered
    assert set(Transaction.objects.values_list("call_id", flat=True)) == set(
        answered.values_list("pk", flat=True)
    )


def test_the_same_seed_gives_the_same_figures(desk):
    request, _line, _agents = desk
    first = run(request, patience=40)
    second = run(request, patience=40)
    assert first == second
    assert Call.objects.count() == 2 * first.offered


def test_a_queued_caller_is_answered_when_an_agent_frees_and_their_hold_asks_again(desk):
    request, _line, _agents = desk
    run(request, hold_pause=10)
    waited = Call.objects.filter(answered_at__gt=F("queued_at") + dt.timedelta(seconds=1))
    assert waited.exists()
    # A freed agent is reserved for the caller (queue_dispatch) and talks once the caller's
    # 10 s pause ends and the redirect asks again: never more than a pause later.
    for call in waited:
        assert dt.timedelta(0) <= call.answered_at - call.offered_at <= dt.timedelta(seconds=10)


def test_the_booked_agents_take_the_calls_and_the_others_are_put_back_on_duty(desk):
    request, _line, (alice, bob) = desk
    at = slot_start(START)
    slot = Slot.objects.create(request=request, starts_at=at, calls_per_hour=60, needed=1)
    Booking.objects.create(slot=slot, agent=alice, booked_at=at)
    report = run(request, minutes=5)  # one agent at 1 Erlang: the queue never settles
    assert (report.agents, report.agents_source) == (1, "booked")
    assert set(Call.objects.exclude(agent=None).values_list("agent", flat=True)) == {alice.pk}
    bob.refresh_from_db()
    assert bob.duty_status == AgentProfile.Duty.AVAILABLE


def test_the_command_prints_the_simulated_and_the_predicted_service_level(desk, capsys):
    request, _line, _agents = desk
    call_command("simulate_calls", forecast=request.pk, minutes=5, seed=3)
    out = capsys.readouterr().out
    assert f"Forecast of request {request.pk}" in out
    assert "Erlang C" in out and "calls offered" in out


def test_a_forecast_of_no_minutes_is_refused_not_run_for_an_hour(desk):
    request, _line, _agents = desk
    with pytest.raises(CommandError, match="--minutes and --agents must be positive"):
        call_command("simulate_calls", forecast=request.pk, minutes=0)
    assert not Call.objects.exists()


def test_a_forecast_refuses_a_server_url_and_an_unknown_request(desk):
    request, _line, _agents = desk
    with pytest.raises(Exception, match="simulated clock"):
        call_command("simulate_calls", forecast=request.pk, base_url="http://127.0.0.1:8000")
    with pytest.raises(SimulationError, match="No staffing request"):
        forecast_simulate(request_id=request.pk + 1000)


def test_talk_times_without_spread_are_the_requests_handle_time(desk):
    request, _line, _agents = desk
    report = run(request, minutes=5, handle_spread=0)
    assert report.answered > 0 and report.average_talk == 60
    assert set(Call.objects.values_list("talk_seconds", flat=True)) == {60}


def test_a_forecast_inside_a_transaction_is_refused(desk):
    # Routing serves waiting callers once a transaction commits: inside one, nobody would be.
    request, _line, _agents = desk
    with transaction.atomic(), pytest.raises(SimulationError, match="autocommit"):
        run(request)
