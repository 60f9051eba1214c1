"""The home agent's outbound work, /agent/outbound/: the campaigns they work, the next
contact in preview (Call, Skip), the attempt they are on, and their promised callbacks.

Opening the page shows the agent the next contact (`dialer.target_next` keeps it for them
for `CAMPAIGNS_PREVIEW_HOLD_SECONDS`; reopening shows the same one) — only while they are
available and no inbound caller waits for them (blending: inbound first). Pressing Call
places the attempt (the portal calls the agent's phone, then the contact) and opens the
attempt's page, which follows it by a poll every second (204 while nothing changed, as the
workspace's) and, once the conversation's wrap-up is pending, sends the agent to the
workspace to record the disposition.

In the embedded setup (no broker: tasks run inline, no beat) the polls also run the dialer's
tick (`campaigns.tasks.dial_tick`: the sweep, progressive dialing) at most every 2 s, as
routing's webhooks run the routing sweep.
"""

import logging
import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from agents.decorators import agent_profile_required
from agents.models import AgentProfile
from campaigns import dialer, tasks
from campaigns.agent_forms import TargetForm
from campaigns.models import Attempt, Campaign
from campaigns.workspace import (
    agent_attempt_current,
    agent_attempt_get,
    agent_campaigns,
    attempt_key,
    attempt_step,
    next_due_at,
    outbound_counts,
    preview_context,
    scheduled_callbacks,
    target_held,
)
from common.errors import ApplicationError

logger = logging.getLogger(__name__)
Duty = AgentProfile.Duty
TICK_SECONDS = 2
BUSY = {
    Duty.RESERVED: "Your phone is being called: answer it, or wait for the call to end.",
    Duty.ON_CALL: "You are on a call. The next contact shows here when it ends.",
    Duty.WRAP_UP: "Finish the wrap-up of your last call first (on your calls page).",
}


def _tick() -> None:
    """No beat in the embedded setup: the page's poll runs the dialer's tick inline, at most
    every TICK_SECONDS across all agents (`cache.add` is atomic)."""
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        return
    try:
        if cache.add("campaigns:dial_tick", 1, timeout=TICK_SECONDS):
            tasks.dial_tick()
    except Exception:  # the agent's page must not fail on the tick's trouble
        logger.exception("The inline dial tick failed")


def _why_nothing(agent: AgentProfile, campaigns: list[Campaign], at) -> str:
    """Why no contact is shown (the agent is free and no caller waits for them)."""
    if not dialer.campaigns_for_agent(agent=agent, at=at):
        return (
            "Nothing to call now: it is outside the hours you may call for your campaigns "
            "(the firm's hours or your engagement's)."
        )
    if all(c.mode == Campaign.Mode.PROGRESSIVE for c in campaigns):
        return "Contacts are dialled for you automatically while you are available."
    due = next_due_at(agent=agent, campaigns=campaigns)
    if due is None:
        return "Nothing to call now: every contact of your campaigns is done or with another agent."
    local = timezone.localtime(due, timezone=_zone(agent))
    return f"Nothing due now. The next contact is due at {local:%d %b, %H:%M}."


def _zone(agent: AgentProfile):
    try:
        return zoneinfo.ZoneInfo(agent.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_current_timezone()


def _preview(agent: AgentProfile, campaigns: list[Campaign], current) -> tuple[dict | None, str]:
    """The contact to show (claimed for the agent) and, when there is none, why not."""
    at = timezone.now()
    if agent.status != AgentProfile.Status.VERIFIED:
        return None, "Outbound work starts once you are verified."
    if current is not None:
        return None, ""  # the attempt they are on shows instead
    if not campaigns:
        return None, "No campaign is running for you now."
    if agent.duty_status == Duty.OFFLINE:
        return None, "You are offline: go available on your home page to call contacts."
    if agent.duty_status in BUSY:
        return None, BUSY[agent.duty_status]
    if dialer.inbound_waiting_for(agent=agent, at=at):
        return None, "A caller is waiting for you: inbound callers come first. Take the call."
    target = dialer.target_next(agent=agent, at=at)
    if target is not None and (held := target_held(agent=agent, target_id=target.pk)):
        return preview_context(agent=agent, target=held), ""
    return None, _why_nothing(agent, campaigns, at)


def _live(attempt: Attempt | None, *, follow: int | None = None) -> dict:
    """The follow panel: the attempt, its key, and the poll that follows it (the attempt
    page's own, or the outbound page's: whatever attempt the agent is on)."""
    url = (
        reverse("outbound_agent:attempt_state", args=[follow])
        if follow
        else reverse("outbound_agent:state")
    )
    return {
        "step": attempt_step(attempt) if attempt else None,
        "key": attempt_key(attempt),
        "url": url,
    }


@require_GET
@agent_profile_required
def outbound_home(request):
    agent = request.agent
    campaigns = list(agent_campaigns(agent=agent))
    current = agent_attempt_current(agent=agent)
    preview, notice = _preview(agent, campaigns, current)
    return render(
        request,
        "campaigns/agent/outbound.html",
        {
            "campaigns": campaigns,
            "preview": preview,
            "notice": notice,
            "live": _live(current),
            "counts": outbound_counts(agent=agent, campaigns=campaigns),
            "callbacks": scheduled_callbacks(agent=agent),
            "zone": _zone(agent),
        },
    )


def _held_or_404(request) -> int:
    form = TargetForm(request.POST)
    if not form.is_valid():
        raise Http404("No such contact.")
    target_id = form.cleaned_data["target"]
    if target_held(agent=request.agent, target_id=target_id) is None:
        raise Http404("No such contact.")  # another agent's, or no longer shown to them
    return target_id


@require_POST
@agent_profile_required
def outbound_call(request):
    target_id = _held_or_404(request)
    try:
        attempt = dialer.attempt_place(agent=request.agent, target_id=target_id)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("outbound_agent:home")
    if attempt is None:
        messages.warning(request, "The contact may not be called at this hour: rescheduled.")
        return redirect("outbound_agent:home")
    if attempt.status == Attempt.Status.REFUSED:
        messages.warning(request, f"Not called: {attempt.refused_reason}")
        return redirect("outbound_agent:home")
    return redirect("outbound_agent:attempt", pk=attempt.pk)


@require_POST
@agent_profile_required
def outbound_skip(request):
    target_id = _held_or_404(request)
    dialer.target_skip(agent=request.agent, target_id=target_id)
    messages.info(request, "Skipped: the contact goes back to the list for later.")
    return redirect("outbound_agent:home")


def _attempt_or_404(request, pk: int) -> Attempt:
    attempt = agent_attempt_get(agent=request.agent, attempt_id=pk)
    if attempt is None:
        raise Http404("No such attempt.")
    return attempt


@require_GET
@agent_profile_required
def attempt_page(request, pk: int):
    attempt = _attempt_or_404(request, pk)
    step = attempt_step(attempt)
    held = target_held(agent=request.agent, target_id=attempt.target_id) if step["live"] else None
    return render(
        request,
        "campaigns/agent/attempt.html",
        {
            "live": _live(attempt, follow=attempt.pk),
            "follow": attempt.pk,
            "preview": preview_context(agent=request.agent, target=held) if held else None,
            "zone": _zone(request.agent),
        },
    )


def _state_answer(request, attempt: Attempt | None, *, follow: int | None):
    """204 while the key the page shows holds; the workspace once the wrap-up is pending
    (only on the change: an agent who comes back to the page is not sent away again)."""
    key = attempt_key(attempt)
    shown = request.GET.get("v", "")
    if shown == key:
        return HttpResponse(status=204)
    live = _live(attempt, follow=follow)
    response = render(request, "campaigns/agent/_live.html", {"live": live})
    if live["step"] and live["step"]["wrap_up_pending"] and shown.startswith(f"{attempt.pk}-"):
        response["HX-Redirect"] = reverse("agent_calls:workspace") + "?back=outbound"
    return response


@require_GET
@agent_profile_required
def outbound_state(request):
    """The outbound page's poll: the attempt the agent is on (progressive dials show up)."""
    _tick()
    return _state_answer(request, agent_attempt_current(agent=request.agent), follow=None)


@require_GET
@agent_profile_required
def attempt_state(request, pk: int):
    """The attempt page's poll."""
    _tick()
    return _state_answer(request, _attempt_or_404(request, pk), follow=pk)
