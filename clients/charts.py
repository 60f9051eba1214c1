"""Chart data for a staffing request's page (rendered by static/js/charts.js with Chart.js)."""

import math

from clients import erlang
from clients.models import StaffingRequest


def request_charts(*, request: StaffingRequest, estimate: erlang.StaffingEstimate, supply: dict):
    """Two pictures: the headcount gap, and service level against agents on the phones."""
    gap = {
        "id": "chart-gap",
        "type": "bar",
        "title": "Agents needed and verified supply today",
        "labels": ["Needed", "Verified supply"]
        + [f"…speaking {row.label}" for row in supply["by_language"]]
        + ["Engaged"],
        "datasets": [
            {
                "label": "Agents",
                "data": [request.headcount, supply["total"]]
                + [row.agents for row in supply["by_language"]]
                + [supply["engaged"]],
            }
        ],
    }
    low = max(1, math.floor(estimate.traffic) + 1)
    high = max(low + 4, estimate.agents + 4)
    agents = list(range(low, high + 1))
    levels = [
        round(
            100
            * erlang.service_level(
                agents=n,
                traffic=estimate.traffic,
                aht_seconds=request.aht_seconds,
                target_seconds=request.target_seconds,
            ),
            1,
        )
        for n in agents
    ]
    curve = {
        "id": "chart-service-level",
        "type": "line",
        "title": f"Calls answered within {request.target_seconds} s, by agents on the phones",
        "labels": agents,
        "datasets": [
            {"label": "Service level (%)", "data": levels},
            {
                "label": f"Target ({request.target_level}%)",
                "data": [request.target_level] * len(agents),
            },
        ],
    }
    return [gap, curve]
