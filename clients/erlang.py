"""Erlang C staffing arithmetic for an inbound call queue.

The model (M/M/N): calls arrive at random (Poisson, rate λ per hour), handling times are
exponential with mean AHT seconds, N identical agents take calls first come first served,
and a caller who finds every agent busy waits in an unlimited queue without hanging up.

- Offered load A = λ·AHT in Erlangs (how many agents the calls keep busy on average).
- Erlang B(N, A) is the chance a call would be lost if there were no queue; it is computed
  by the recursion B(0) = 1, B(n) = A·B(n-1) / (n + A·B(n-1)), which needs no factorials
  and stays finite for thousands of agents.
- Erlang C(N, A) = N·B / (N - A(1 - B)) is the chance a caller has to wait at all.
- Service level (share answered within t seconds) = 1 - C·exp(-(N - A)·t / AHT).
- Average speed of answer (ASA, seconds) = C·AHT / (N - A); occupancy = A / N.

With N <= A the queue grows without limit: every caller waits, the service level is 0 and
the ASA is infinite. With no traffic at all nobody waits, so the service level is 1 and the
ASA is 0 whatever N is. Because abandonment is ignored, Erlang C errs on the safe side: it
slightly overstates the agents needed. Shrinkage (breaks, training, absence) is applied last,
turning agents on the phones into headcount to roster.
"""

import math
from dataclasses import dataclass

SECONDS_PER_HOUR = 3600.0


MAX_AGENTS = 10_000  # the most agents on the phones we size for


class TargetUnreachable(ValueError):
    """Even the most agents we size for fall short of the target (the inputs are fine)."""


def _check(name: str, value: float, *, minimum: float = 0.0, inclusive: bool = True) -> None:
    """Raise ValueError unless value is a finite number >= minimum (> minimum if exclusive)."""
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if value < minimum or (not inclusive and value == minimum):
        relation = "at least" if inclusive else "greater than"
        raise ValueError(f"{name} must be {relation} {minimum:g}, got {value!r}")


def traffic_intensity(*, calls_per_hour: float, aht_seconds: float) -> float:
    """Offered load in Erlangs: calls per hour times average handling time in hours."""
    _check("calls_per_hour", calls_per_hour)
    _check("aht_seconds", aht_seconds, inclusive=False)
    return calls_per_hour * aht_seconds / SECONDS_PER_HOUR


def erlang_b(*, agents: int, traffic: float) -> float:
    """Blocking probability of a loss system with `agents` servers and `traffic` Erlangs."""
    _check("agents", agents)
    _check("traffic", traffic)
    blocking = 1.0
    for n in range(1, agents + 1):
        blocking = traffic * blocking / (n + traffic * blocking)
    return blocking


def _erlang_c_from_b(agents: int, traffic: float, blocking: float) -> float:
    if traffic == 0:
        return 0.0
    if agents <= traffic:
        return 1.0
    return agents * blocking / (agents - traffic * (1.0 - blocking))


def _service_level(agents: int, traffic: float, waiting: float, aht: float, target: float) -> float:
    if traffic == 0:
        return 1.0
    if agents <= traffic:
        return 0.0
    level = 1.0 - waiting * math.exp(-(agents - traffic) * target / aht)
    return min(max(level, 0.0), 1.0)


def probability_of_waiting(*, agents: int, traffic: float) -> float:
    """Erlang C: chance an arriving caller finds every agent busy (1.0 if agents <= traffic)."""
    blocking = erlang_b(agents=agents, traffic=traffic)
    return _erlang_c_from_b(agents, traffic, blocking)


def service_level(
    *, agents: int, traffic: float, aht_seconds: float, target_seconds: float
) -> float:
    """Share of calls answered within target_seconds, in [0, 1] (0.0 if agents <= traffic)."""
    _check("aht_seconds", aht_seconds, inclusive=False)
    _check("target_seconds", target_seconds)
    waiting = probability_of_waiting(agents=agents, traffic=traffic)
    return _service_level(agents, traffic, waiting, aht_seconds, target_seconds)


def average_speed_of_answer(*, agents: int, traffic: float, aht_seconds: float) -> float:
    """Mean wait in seconds over all callers (math.inf if agents <= traffic)."""
    _check("aht_seconds", aht_seconds, inclusive=False)
    waiting = probability_of_waiting(agents=agents, traffic=traffic)
    if traffic == 0:
        return 0.0
    if agents <= traffic:
        return math.inf
    return waiting * aht_seconds / (agents - traffic)


def occupancy(*, agents: int, traffic: float) -> float:
    """Share of agent time spent on calls, A / N, capped at 1.0 (0.0 when there is no traffic)."""
    _check("agents", agents)
    _check("traffic", traffic)
    if traffic == 0:
        return 0.0
    if agents == 0:
        return 1.0
    return min(traffic / agents, 1.0)


def agents_for_service_level(
    *,
    traffic: float,
    aht_seconds: float,
    target_seconds: float,
    target_level: float,
    max_agents: int = MAX_AGENTS,
) -> int:
    """Fewest agents whose service level reaches target_level (0 when there is no traffic).

    Raises ValueError for bad inputs, or if even max_agents agents fall short of the target.
    """
    _check("traffic", traffic)
    _check("aht_seconds", aht_seconds, inclusive=False)
    _check("target_seconds", target_seconds)
    _check("max_agents", max_agents)
    if not 0.0 < target_level < 1.0:
        raise ValueError(f"target_level must be between 0 and 1 (exclusive), got {target_level!r}")
    if traffic == 0:
        return 0
    # Walk the Erlang B recursion once, so the search is linear rather than quadratic in N.
    blocking = 1.0
    for n in range(1, max_agents + 1):
        blocking = traffic * blocking / (n + traffic * blocking)
        if n <= traffic:
            continue  # an unstable queue never meets a positive target
        waiting = _erlang_c_from_b(n, traffic, blocking)
        if _service_level(n, traffic, waiting, aht_seconds, target_seconds) >= target_level:
            return n
    raise TargetUnreachable(
        f"{target_level:.0%} within {target_seconds:g}s is not reachable with "
        f"{max_agents} agents or fewer at {traffic:g} Erlangs"
    )


def apply_shrinkage(*, agents: int, shrinkage: float) -> int:
    """Headcount to roster so that `agents` remain on the phones after shrinkage."""
    _check("agents", agents)
    if not (math.isfinite(shrinkage) and 0.0 <= shrinkage < 1.0):
        raise ValueError(f"shrinkage must be at least 0 and below 1, got {shrinkage!r}")
    raw = agents / (1.0 - shrinkage)
    nearest = round(raw)
    # 21 / (1 - 0.3) is 30.000000000000004 in floating point; that is 30 people, not 31.
    if math.isclose(raw, nearest, rel_tol=1e-9, abs_tol=1e-9):
        return nearest
    return math.ceil(raw)


@dataclass(frozen=True)
class StaffingEstimate:
    """Outcome of a staffing calculation; the quality figures are for `agents` on the phones."""

    traffic: float
    agents: int
    headcount: int
    service_level: float
    probability_of_waiting: float
    average_speed_of_answer: float
    occupancy: float


def staffing_estimate(
    *,
    calls_per_hour: float,
    aht_seconds: float,
    target_seconds: float,
    target_level: float,
    shrinkage: float = 0.0,
) -> StaffingEstimate:
    """Agents and headcount needed to answer target_level of calls within target_seconds."""
    traffic = traffic_intensity(calls_per_hour=calls_per_hour, aht_seconds=aht_seconds)
    agents = agents_for_service_level(
        traffic=traffic,
        aht_seconds=aht_seconds,
        target_seconds=target_seconds,
        target_level=target_level,
    )
    return StaffingEstimate(
        traffic=traffic,
        agents=agents,
        headcount=apply_shrinkage(agents=agents, shrinkage=shrinkage),
        service_level=service_level(
            agents=agents, traffic=traffic, aht_seconds=aht_seconds, target_seconds=target_seconds
        ),
        probability_of_waiting=probability_of_waiting(agents=agents, traffic=traffic),
        average_speed_of_answer=average_speed_of_answer(
            agents=agents, traffic=traffic, aht_seconds=aht_seconds
        ),
        occupancy=occupancy(agents=agents, traffic=traffic),
    )
