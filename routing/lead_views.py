"""A franchise's lead (issue 19): their team live, its figures, coaching notes on its calls,
and taking an agent off duty. Their own team only: another team's agent or call is a 404.
Signed in with TOTP like staff (accounts.middleware.StaffMFAMiddleware covers /lead/)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.decorators import lead_required
from common.dates import period_label
from common.views import errors_to_form
from routing.forms import CoachingNoteForm, OffDutyForm, period_from
from routing.lead_selectors import (
    TEAM_CALLS,
    coaching_notes_of,
    team_agent_get,
    team_call_get,
    team_calls,
    team_figures,
    team_live,
)
from routing.services.coaching import coaching_note_add
from teams.adherence import team_adherence
from teams.selectors import franchise_led_by, week_start_of
from teams.services import member_take_off_duty


def _team(request):
    franchise = franchise_led_by(request.user)
    if franchise is None:
        raise Http404("You do not lead a franchise yet.")
    return franchise


@require_GET
@lead_required
def team(request):
    """Who is on duty, on a call, in wrap-up, and missed calls today."""
    franchise = _team(request)
    week_start = week_start_of(timezone.localdate())
    context = {
        "franchise": franchise,
        "live": team_live(franchise=franchise),
        "adherence_rows": team_adherence(franchise=franchise, week_start=week_start),
        "week_start": week_start,
    }
    return render(request, "routing/lead/team.html", context)


@require_GET
@lead_required
def figures(request):
    franchise = _team(request)
    form, period = period_from(request.GET)
    context = {
        "franchise": franchise,
        "form": form,
        "period_label": period_label(period.start, period.end),
        "figures": team_figures(franchise=franchise, period=period),
    }
    return render(request, "routing/lead/figures.html", context)


@lead_required
def agent(request, pk: int):
    """One agent of the team: their latest calls, and taking them off duty with a reason."""
    franchise = _team(request)
    member = team_agent_get(franchise=franchise, agent_id=pk)
    if member is None:
        raise Http404("No such agent in your team.")
    form = OffDutyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_to_form(form):
            member_take_off_duty(
                lead=request.user, agent=member, reason=form.cleaned_data["reason"]
            )
            messages.success(request, f"{member} is off duty and has been told why.")
            return redirect("lead:agent", pk=member.pk)
    calls = team_calls(franchise=franchise).filter(agent=member)[:TEAM_CALLS]
    context = {"franchise": franchise, "member": member, "form": form, "calls": calls}
    return render(request, "routing/lead/agent.html", context, status=400 if form.errors else 200)


@lead_required
def call(request, pk: int):
    """A call of the team's, with its coaching notes; the lead adds one."""
    franchise = _team(request)
    found = team_call_get(franchise=franchise, call_id=pk)
    if found is None:
        raise Http404("No such call of your team's.")
    form = CoachingNoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_to_form(form):
            coaching_note_add(lead=request.user, call=found, text=form.cleaned_data["text"])
            messages.success(request, "Note saved: the agent sees it with their call quality.")
            return redirect("lead:call", pk=found.pk)
    context = {"franchise": franchise, "call": found, "notes": coaching_notes_of(call=found)}
    context["form"] = form
    return render(request, "routing/lead/call.html", context, status=400 if form.errors else 200)
