"""The agent's schedule: a week of half-hours in their own time zone, with the open slots of
their engagements' requests, their bookings and the swaps offered to them. Plain POST forms;
every service checks the agent again (their own bookings only)."""

import datetime as dt

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from agents.decorators import agent_profile_required
from common.errors import ApplicationError
from teams import booking
from teams.adherence import agent_adherence, local_week_start
from teams.schedule_forms import SwapForm, WeekForm
from teams.selectors import agent_week, swap_partners, week_start_of


def _week_of(request) -> dt.date:
    form = WeekForm(request.GET or request.POST)
    day = form.cleaned_data.get("week") if form.is_valid() else None
    return week_start_of(day) if day else local_week_start(request.agent)


def _back(request):
    return redirect(f"{reverse('schedule:week')}?week={_week_of(request):%Y-%m-%d}")


@agent_profile_required
def week(request):
    agent = request.agent
    week_start = _week_of(request)
    partners = swap_partners(agent=agent)
    return render(
        request,
        "teams/agent/week.html",
        {
            "grid": agent_week(agent=agent, week_start=week_start, now=timezone.now()),
            "week_start": week_start,
            "previous": week_start - dt.timedelta(weeks=1),
            "next": week_start + dt.timedelta(weeks=1),
            "adherence": agent_adherence(agent=agent, week_start=week_start),
            "swap_forms": {rid: SwapForm(partners=p) for rid, p in partners.items()},
            "time_zone": agent.time_zone,
        },
    )


def _act(request, action, done: str, **kwargs):
    try:
        action(actor=request.user, **kwargs)
        messages.success(request, done)
    except ApplicationError as error:
        messages.error(request, error.message)
    return _back(request)


@require_POST
@agent_profile_required
def book(request, slot_id: int):
    return _act(request, booking.booking_book, "Booked.", slot_id=slot_id)


@require_POST
@agent_profile_required
def release(request, booking_id: int):
    return _act(request, booking.booking_release, "Released.", booking_id=booking_id)


@require_POST
@agent_profile_required
def swap_offer(request, booking_id: int):
    form = SwapForm(request.POST, partners=_all_partners(request.agent))
    if not form.is_valid():
        messages.error(request, "Choose an agent to offer the half-hour to.")
        return _back(request)
    return _act(
        request,
        booking.booking_swap_offer,
        "Swap offered.",
        booking_id=booking_id,
        to_agent_id=form.cleaned_data["to_agent"],
    )


def _all_partners(agent) -> list:
    return [a for partners in swap_partners(agent=agent).values() for a in partners]


@require_POST
@agent_profile_required
def swap_accept(request, booking_id: int):
    return _act(request, booking.booking_swap_accept, "Swap accepted.", booking_id=booking_id)


@require_POST
@agent_profile_required
def swap_withdraw(request, booking_id: int):
    return _act(request, booking.booking_swap_withdraw, "Swap withdrawn.", booking_id=booking_id)
