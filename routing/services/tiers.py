"""The tiers a decision ranks in, best first (issue 19): scheduled-first, franchise-first.

Scheduled-first (always): agents booked for the call's half-hour on a staffing request that
covers the line (`teams.selectors.scheduled_agent_ids`) are ranked before agents who are
merely available. Franchise-first (the line's `route_franchise_first`): within a tier, the
franchises nearest the caller (their city's coordinates) are tried in turn, each ranking only
its own agents, before everyone. The first tier holding an eligible free agent is ranked as
usual (nearest, longest idle, the line's radius steps); the ranking itself is
`routing.selectors.candidates_for`, restricted to the tier's agents (`among`).

Queries: one for the schedule, one for the franchises (when the line asks for them), then
one ranking per tier tried: a line without franchise-first and nobody scheduled costs one
query more than before.
"""

from dataclasses import dataclass, field

from routing.models import Call, RoutingDecision
from teams.selectors import FranchiseSeats, franchises_nearest, scheduled_agent_ids


@dataclass(frozen=True)
class Tier:
    among: frozenset[int] | None  # None: every eligible agent
    scheduled: bool  # the tier of agents booked for this half-hour
    seats: FranchiseSeats | None = None  # the franchise the tier is, or None


@dataclass
class Tiering:
    """What the decision ranked in: the tiers, and the schedule (for its record)."""

    scheduled_ids: frozenset[int]
    tiers: list[Tier]
    franchise_first: bool
    tried: list[Tier] = field(default_factory=list)  # franchises' tiers with nobody free


def tiers_for(call: Call, at) -> Tiering:
    scheduled = frozenset(scheduled_agent_ids(line_id=call.line_id, at=at))
    franchise_first = call.line.route_franchise_first
    franchises = []
    if franchise_first:
        franchises = franchises_nearest(
            latitude=call.origin_latitude, longitude=call.origin_longitude
        )
    tiers = []
    for among in [scheduled, None] if scheduled else [None]:
        for seats in franchises:
            pool = seats.agent_ids if among is None else seats.agent_ids & among
            if pool:
                tiers.append(Tier(pool, among is not None, seats))
        tiers.append(Tier(among, among is not None))
    return Tiering(scheduled, tiers, franchise_first)


def tiering_record(
    decision: RoutingDecision, tiering: Tiering, tier: Tier | None, agent_id: int | None
) -> None:
    """Write on the decision which tier the chosen agent came from, in words."""
    decision.scheduled = None if agent_id is None else agent_id in tiering.scheduled_ids
    if not tiering.franchise_first:
        return
    # The franchises passed over in the chosen agent's own tier (scheduled or not).
    scheduled = tier.scheduled if tier is not None else False
    passed = list(
        dict.fromkeys(t.seats.franchise.name for t in tiering.tried if t.scheduled == scheduled)
    )
    skipped = f" ({', '.join(passed)}: no eligible agent free)" if passed else ""
    seats = tier.seats if tier is not None else None
    if agent_id is not None and seats is not None and agent_id in seats.agent_ids:
        decision.franchise = seats.franchise
        where = f", {seats.km:.0f} km from the caller" if seats.km is not None else ""
        reason = f"{seats.franchise.name}{where}: the nearest franchise with an eligible agent free"
    elif agent_id is None:
        reason = "No franchise had an eligible agent free, nor anyone else"
    elif decision.sticky == RoutingDecision.Sticky.LAST_AGENT:
        reason = "Offered to the caller's last agent (the sticky rule comes first)"
    else:
        reason = "No franchise had an eligible agent free: the nearest agent anywhere"
    decision.franchise_reason = (reason + skipped)[:300]
