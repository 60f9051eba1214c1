"""The firm's schedule pages: a request's demand by half-hour, and its coverage heat map.
Every request is looked up within request.firm: another firm's id is a 404."""

import datetime as dt
import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from clients.decorators import firm_member
from clients.models import StaffingRequest
from common.views import errors_to_form
from teams.models import half_hour_label as label
from teams.schedule_forms import WEEKDAYS, DemandCsvForm, DemandGridForm, WeekForm, cell_name
from teams.selectors import coverage, demand_of, requests_scheduled_for, week_start_of
from teams.slots import request_demand_set, slots_open


def _request_of(request, pk: int) -> StaffingRequest:
    return get_object_or_404(StaffingRequest, pk=pk, firm=request.firm)


def _week(request, zone: str) -> dt.date:
    form = WeekForm(request.GET)
    day = form.cleaned_data.get("week") if form.is_valid() else None
    return week_start_of(day or timezone.now().astimezone(zoneinfo.ZoneInfo(zone)).date())


def _cells(req: StaffingRequest) -> list[tuple[int, int]]:
    """The (weekday, half-hour) pairs the request is worked in its week."""
    return [
        (int(day), h)
        for day in sorted(set(req.days))
        for h in range(48)
        if req.starts_at <= dt.time(h // 2, 30 * (h % 2)) < req.ends_at
    ]


def _posted(request, cells):
    """The bound form of the button pressed, and the demand it gives (None: invalid)."""
    action = request.POST.get("action")
    if action == "csv":
        form = DemandCsvForm(request.POST)
        return form, (form.cleaned_data["csv"] if form.is_valid() else None)
    form = DemandGridForm(request.POST, cells=cells)
    if action == "flat":
        form.is_valid()  # bound and cleaned, so a refusal can be shown on it
        return form, {}
    return form, (form.demand() if form.is_valid() else None)


@firm_member
def home(request):
    """The firm's requests, each with its demand and coverage pages."""
    requests = requests_scheduled_for(firm=request.firm)
    return render(request, "teams/client/home.html", {"requests": requests})


@firm_member
def demand(request, pk: int):
    req = _request_of(request, pk)
    cells, current = _cells(req), demand_of(request=req)
    initial = {cell_name(d, h): current.get((d, h), 0) for d, h in cells} if current else {}
    grid, paste = DemandGridForm(cells=cells, initial=initial), DemandCsvForm()
    if request.method == "POST":
        form, rows = _posted(request, cells)
        grid, paste = (grid, form) if isinstance(form, DemandCsvForm) else (form, paste)
        if rows is not None:
            with errors_to_form(form):
                request_demand_set(actor=request.user, request=req, rows=rows)
                _reopen(req)
                messages.success(request, _saved_message(rows, cells))
                return redirect("schedules:demand", pk=req.pk)
    days = sorted({d for d, _ in cells})
    rows = [
        {"label": label(h), "cells": [grid[cell_name(d, h)] for d in days]}
        for h in sorted({h for _, h in cells})
    ]
    context = {"req": req, "grid": grid, "paste": paste, "rows": rows, "flat": not current}
    return render(
        request, "teams/client/demand.html", context | {"days": [WEEKDAYS[d] for d in days]}
    )


def _saved_message(rows: dict, cells: list) -> str:
    """What the save did, so a partial paste's silent zeros are said (an empty `rows`: flat)."""
    if not rows:
        return "The flat rate applies again; this week's and the next slots follow it."
    busy = sum(1 for cell in cells if rows.get(cell))
    return (
        f"Demand saved: {busy} of the {len(cells)} worked half-hours have calls, the others "
        "need no agents. This week's and the next slots follow it."
    )


def _reopen(req: StaffingRequest) -> None:
    monday = week_start_of(timezone.now().astimezone(zoneinfo.ZoneInfo(req.time_zone)).date())
    for week in range(settings.TEAMS_WEEKS_AHEAD + 1):
        slots_open(request=req, week_start=monday + dt.timedelta(weeks=week))


@firm_member
def coverage_map(request, pk: int):
    req = _request_of(request, pk)
    week_start = _week(request, req.time_zone)
    grid = coverage(request=req, week_start=week_start, now=timezone.now())
    return render(
        request,
        "teams/client/coverage.html",
        {
            "req": req,
            "grid": grid,
            "week_start": week_start,
            "previous": week_start - dt.timedelta(weeks=1),
            "next": week_start + dt.timedelta(weeks=1),
        },
    )
