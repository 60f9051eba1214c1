"""The firm's calls and service level, read through request.firm only (another firm's call: 404)."""

import datetime as dt

from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from clients.decorators import firm_member
from clients.selectors import lines_of
from common.keyset import Keyset
from routing import services
from routing.selectors import (
    SERVICE_LEVEL_TARGET_SECONDS,
    calls_by_day_of,
    calls_of,
    service_level,
)

DEFAULT_TARGET_SECONDS = SERVICE_LEVEL_TARGET_SECONDS
# The firm's call history, newest first, a page at a time (common.keyset). The cursor
# only positions within request.firm's calls: another firm's cursor shows none of theirs.
CALL_PAGES = Keyset("firm.calls", ["-created_at", "-pk"], size=50)


def _since_midnight() -> dt.datetime:
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


@firm_member
def firm_calls(request):
    firm = request.firm
    calls = calls_of(firm=firm)
    # Today from the calls (one day, on the (line, created_at) index); the past days of the
    # chart from the nightly roll-ups (routing.rollups), never the firm's whole history.
    today = calls.filter(created_at__gte=_since_midnight())
    per_line = [
        {
            "line": line,
            "sl": service_level(today.filter(line=line), target_seconds=DEFAULT_TARGET_SECONDS),
        }
        for line in lines_of(firm=firm)
    ]
    days = calls_by_day_of(firm=firm, first_day=timezone.localdate() - dt.timedelta(days=13))
    chart = {
        "id": "chart-calls-by-day",
        "type": "bar",
        "title": "Calls by day: answered and abandoned (last 14 days)",
        "labels": [d["day"].strftime("%d %b") for d in days],
        "datasets": [
            {"label": "Answered", "data": [d["answered"] for d in days]},
            {"label": "Abandoned", "data": [d["abandoned"] for d in days]},
            {"label": "All calls", "data": [d["total"] for d in days]},
        ],
    }
    return render(
        request,
        "routing/client/calls.html",
        {
            "per_line": per_line,
            "target": DEFAULT_TARGET_SECONDS,
            "chart": chart,
            "today": service_level(today, target_seconds=DEFAULT_TARGET_SECONDS),
            "page": CALL_PAGES.page(calls, cursor=request.GET.get("cursor")),
        },
    )


@firm_member
def firm_call(request, pk: int):
    call = get_object_or_404(calls_of(firm=request.firm), pk=pk)
    return render(
        request,
        "routing/client/call.html",
        {
            "call": call,
            # Explained on first open (once), judged at each decision's own time.
            "decisions": services.decisions_explain(call.decisions.select_related("chosen")),
        },
    )
