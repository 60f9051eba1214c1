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
from common.views import errors_to_message
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


def _refused(request, error: ApplicationError, **_kwargs):
    """A refused booking action: the reason as a message, back on the same week."""
    messages.error(request, error.message)
    return _back(request)


def _done(request, message: str):
    messages.success(request, message)
    return _back(request)


@require_POST
@agent_profile_required
@errors_to_message(_refused)
def book(request, slot_id: int):
    booking.booking_book(actor=request.user, slot_id=slot_id)
    return _done(request, "Booked.")


@require_POST
@agent_profile_required
@errors_to_message(_refused)
def release(request, booking_id: int):
    booking.booking_release(actor=request.user, booking_id=booking_id)
    return _done(request, "Released.")


@require_POST
@agent_profile_required
@errors_to_message(_refused)
def swap_offer(request, booking_id: int):
    form = SwapForm(request.POST, partners=_all_partners(request.agent))
    if not form.is_valid():
        messages.error(request, "Choose an agent to offer the half-hour to.")
        return _back(request)
    booking.booking_swap_offer(
        actor=request.user, booking_id=booking_id, to_agent_id=form.cleaned_data["to_agent"]
    )
    return _done(request, "Swap offered.")


def _all_partners(agent) -> list:
    return [a for partners in swap_partners(agent=agent).values() for a in partners]


@require_POST
@agent_profile_required
@errors_to_message(_refused)
def swap_accept(request, booking_id: int):
    booking.booking_swap_accept(actor=request.user, booking_id=booking_id)
    return _done(request, "Swap accepted.")


@require_POST
@agent_profile_required
@errors_to_message(_refused)
def swap_withdraw(request, booking_id: int):
    booking.booking_swap_withdraw(actor=request.user, booking_id=booking_id)
    return _done(request, "Swap withdrawn.")
