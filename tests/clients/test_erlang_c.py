"""Erlang C staffing maths: the published worked example, the closed form, and properties."""

import itertools
import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clients.erlang import (
    StaffingEstimate,
    agents_for_service_level,
    apply_shrinkage,
    average_speed_of_answer,
    erlang_b,
    occupancy,
    probability_of_waiting,
    service_level,
    staffing_estimate,
    traffic_intensity,
)

# The classic worked example: 100 calls per 30 minutes, 180 s AHT, 80% answered in 20 s.
EXAMPLE = {"aht_seconds": 180.0, "target_seconds": 20.0}

traffics = st.floats(min_value=0.01, max_value=300.0)
ahts = st.floats(min_value=5.0, max_value=1800.0)
targets = st.floats(min_value=0.0, max_value=300.0)
levels = st.floats(min_value=0.01, max_value=0.99)


def test_200_calls_an_hour_at_180_seconds_is_10_erlangs():
    assert traffic_intensity(calls_per_hour=200, aht_seconds=180) == pytest.approx(10.0)


def test_it_needs_14_agents_for_the_published_example():
    agents = agents_for_service_level(traffic=10.0, target_level=0.8, **EXAMPLE)
    assert agents == 14


def test_13_agents_fall_just_short_at_79_6_percent():
    level = service_level(agents=13, traffic=10.0, **EXAMPLE)
    assert level == pytest.approx(0.7956, abs=0.001)
    assert level < 0.8


def test_14_agents_give_the_published_quality_figures():
    assert service_level(agents=14, traffic=10.0, **EXAMPLE) == pytest.approx(0.888, abs=5e-4)
    assert probability_of_waiting(agents=14, traffic=10.0) == pytest.approx(0.1741, abs=5e-5)
    asa = average_speed_of_answer(agents=14, traffic=10.0, aht_seconds=180.0)
    assert asa == pytest.approx(7.836, abs=5e-4)
    assert occupancy(agents=14, traffic=10.0) == pytest.approx(10 / 14)


def test_the_estimate_ties_the_worked_example_together_with_shrinkage():
    estimate = staffing_estimate(calls_per_hour=200, target_level=0.8, shrinkage=0.3, **EXAMPLE)
    assert isinstance(estimate, StaffingEstimate)
    assert estimate.traffic == pytest.approx(10.0)
    assert (estimate.agents, estimate.headcount) == (14, 20)
    assert estimate.service_level == pytest.approx(0.888, abs=5e-4)
    assert estimate.average_speed_of_answer == pytest.approx(7.836, abs=5e-4)
    with pytest.raises(AttributeError):
        estimate.agents = 15  # type: ignore[misc]


def _closed_form_erlang_b(agents: int, traffic: Fraction) -> Fraction:
    terms = [traffic**k / math.factorial(k) for k in range(agents + 1)]
    return terms[-1] / sum(terms)


@pytest.mark.parametrize("traffic", ["1/2", "3", "7.25", "10", "19.5"])
def test_the_erlang_b_recursion_matches_the_factorial_formula(traffic):
    exact = Fraction(traffic)
    for agents in range(21):
        expected = float(_closed_form_erlang_b(agents, exact))
        assert erlang_b(agents=agents, traffic=float(exact)) == pytest.approx(expected, rel=1e-12)


def test_erlang_b_stays_finite_for_thousands_of_agents():
    blocking = erlang_b(agents=2000, traffic=1900.0)
    assert math.isfinite(blocking)
    assert 0.0 <= blocking <= 1.0
    assert 0.0 <= probability_of_waiting(agents=2000, traffic=1900.0) <= 1.0


def test_an_overloaded_queue_always_waits_and_never_answers_in_time():
    assert probability_of_waiting(agents=10, traffic=10.0) == 1.0
    assert service_level(agents=9, traffic=10.0, **EXAMPLE) == 0.0
    assert average_speed_of_answer(agents=10, traffic=10.0, aht_seconds=180.0) == math.inf
    assert occupancy(agents=8, traffic=10.0) == 1.0


def test_shrinkage_does_not_round_float_noise_up_to_an_extra_person():
    assert 21 / (1 - 0.3) > 30  # the trap: naive ceil would roster 31
    assert apply_shrinkage(agents=21, shrinkage=0.3) == 30
    assert apply_shrinkage(agents=14, shrinkage=0.25) == 19
    assert apply_shrinkage(agents=14, shrinkage=0.0) == 14


@given(traffic=traffics, aht=ahts, target=targets)
def test_service_level_stays_in_range_and_never_drops_as_agents_are_added(traffic, aht, target):
    kwargs = {"traffic": traffic, "aht_seconds": aht, "target_seconds": target}
    levels_by_agents = [service_level(agents=n, **kwargs) for n in range(math.ceil(traffic) + 30)]
    assert all(0.0 <= level <= 1.0 for level in levels_by_agents)
    assert all(a <= b for a, b in itertools.pairwise(levels_by_agents))


@given(traffic=traffics)
def test_probability_of_waiting_never_rises_as_agents_are_added(traffic):
    waits = [probability_of_waiting(agents=n, traffic=traffic) for n in range(int(traffic) + 30)]
    assert all(0.0 <= wait <= 1.0 for wait in waits)
    assert all(a >= b for a, b in itertools.pairwise(waits))


@given(traffic=traffics, aht=ahts, target=targets, level=levels)
def test_the_agent_count_found_is_the_smallest_that_meets_the_target(traffic, aht, target, level):
    kwargs = {"traffic": traffic, "aht_seconds": aht, "target_seconds": target}
    agents = agents_for_service_level(target_level=level, **kwargs)
    assert agents > traffic
    assert service_level(agents=agents, **kwargs) >= level
    assert service_level(agents=agents - 1, **kwargs) < level


@given(agents=st.integers(min_value=0, max_value=5000), shrinkage=st.floats(0.0, 0.95))
def test_shrinkage_never_lowers_the_headcount(agents, shrinkage):
    headcount = apply_shrinkage(agents=agents, shrinkage=shrinkage)
    assert headcount >= agents
    assert headcount * (1 - shrinkage) >= agents * (1 - 1e-9)


@given(aht=ahts, target=targets, level=levels)
def test_zero_traffic_needs_zero_agents(aht, target, level):
    agents = agents_for_service_level(
        traffic=0.0, aht_seconds=aht, target_seconds=target, target_level=level
    )
    assert agents == 0
    estimate = staffing_estimate(
        calls_per_hour=0, aht_seconds=aht, target_seconds=target, target_level=level
    )
    assert (estimate.agents, estimate.headcount, estimate.service_level) == (0, 0, 1.0)
    assert (estimate.average_speed_of_answer, estimate.occupancy) == (0.0, 0.0)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: apply_shrinkage(agents=10, shrinkage=1.0), "shrinkage"),
        (lambda: apply_shrinkage(agents=10, shrinkage=-0.1), "shrinkage"),
        (lambda: agents_for_service_level(traffic=10, target_level=1.0, **EXAMPLE), "target_level"),
        (lambda: agents_for_service_level(traffic=10, target_level=0.0, **EXAMPLE), "target_level"),
        (lambda: traffic_intensity(calls_per_hour=-1, aht_seconds=180), "calls_per_hour"),
        (lambda: traffic_intensity(calls_per_hour=200, aht_seconds=0), "aht_seconds"),
        (
            lambda: service_level(agents=14, traffic=10, aht_seconds=180, target_seconds=-1),
            "target_",
        ),
        (lambda: erlang_b(agents=-1, traffic=10), "agents"),
        (lambda: erlang_b(agents=5, traffic=math.nan), "traffic"),
    ],
)
def test_bad_input_is_refused_with_a_plain_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_an_unreachable_target_says_so():
    with pytest.raises(ValueError, match="not reachable"):
        agents_for_service_level(traffic=500.0, target_level=0.9, max_agents=400, **EXAMPLE)
