"""What the home agent reads of their outbound work (reads only; the dialer writes).

- The preview of a contact held for the agent (`preview_context`): the campaign, the contact's
  name and language, the number masked (agents never see a contact's full number), only the
  contact fields the campaign shows, earlier attempts on this campaign with their notes, the
  line's script in the contact's language, and whether it is a promised callback. Only the
  agent holding the contact gets it (`target_held`: anyone else finds nothing, a 404).
- The attempt the agent is on (`agent_attempt_get`, `attempt_key`, `attempt_step`), followed
  by the page's poll.
- Counts for the agent's home panel and the outbound page (`outbound_counts`, capped: a
  count of a million due contacts is not what an agent needs), and their promised callbacks.
- The workspace's view of an outbound call (`outbound_workspace`, registered with routing's
  workspace): the campaign's name and the contact's fields shown, instead of the line's
  context source.
"""

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from agents.models import AgentLanguage, AgentProfile
from campaigns.models import Attempt, Campaign, CampaignAgent, CampaignContact
from clients.customer_context import fields_chosen
from clients.models import DispositionCode, Engagement
from clients.scripts import script_for, script_html
from routing.models import Call, number_masked

State = CampaignContact.State
COUNT_CAP = 99  # counts past it read "99+"
HISTORY_SHOWN = 10
PURPOSE_SHORT = {
    Campaign.Purpose.PROMOTIONAL: "marketing call",
    Campaign.Purpose.SERVICE: "service call",
}
CALLBACKS_SHOWN = 50
# What the agent reads while an attempt moves (Attempt.Status), in the order it moves.
STEPS = [
    (Attempt.Status.AGENT, "Calling your phone…"),
    (Attempt.Status.CONTACT, "Calling the contact…"),
    (Attempt.Status.CONNECTED, "Talking"),
    (Attempt.Status.ENDED, "Ended"),
]


# --- The campaigns the agent works -------------------------------------------------------


def agent_campaigns(*, agent: AgentProfile) -> QuerySet[Campaign]:
    """Running campaigns the agent works: those they are assigned to, and the callbacks
    campaigns of the lines they are engaged on (worked in preview by anyone on the line).
    Whether they may dial for one right now (hours, engagement) is the dialer's to say."""
    assigned = CampaignAgent.objects.filter(agent=agent).values("campaign_id")
    lines = Engagement.objects.filter(agent=agent, status=Engagement.Status.ACTIVE).values("lines")
    return (
        Campaign.objects.filter(status=Campaign.Status.RUNNING)
        .filter(
            Q(kind=Campaign.Kind.CAMPAIGN, pk__in=assigned)
            | Q(kind=Campaign.Kind.CALLBACKS, line__in=lines)
        )
        .select_related("firm", "line")
        .order_by("-kind", "name", "pk")  # callbacks first, as the dialer offers them
    )


def _due(*, agent: AgentProfile, campaign_ids: list[int], at: dt.datetime):
    """Contacts due now on these campaigns that the dialer could give this agent: not held
    for someone else, in a language they speak (or none given)."""
    languages = AgentLanguage.objects.filter(agent=agent).values("language")
    return CampaignContact.objects.filter(
        campaign_id__in=campaign_ids, state=State.PENDING, next_attempt_at__lte=at
    ).filter(
        Q(agent__isnull=True) | Q(held_until__lt=at) | Q(agent=agent),
        Q(contact__language="") | Q(contact__language__in=languages),
    )


def _capped(queryset) -> int:
    return len(queryset.order_by().values_list("pk", flat=True)[: COUNT_CAP + 1])


def outbound_counts(
    *, agent: AgentProfile, campaigns: list[Campaign] | None = None, at: dt.datetime | None = None
) -> dict:
    """Contacts due to call and callbacks due for the agent now (each at most COUNT_CAP+1:
    the page says "99+"). A callback is a contact of a line's callbacks campaign, or one
    promised to this agent on any campaign."""
    at = at or timezone.now()
    if campaigns is None:
        campaigns = list(agent_campaigns(agent=agent))
    if not campaigns:
        return {
            "campaigns": 0,
            "to_call": 0,
            "callbacks": 0,
            "to_call_text": "0",
            "callbacks_text": "0",
        }
    due = _due(agent=agent, campaign_ids=[c.pk for c in campaigns], at=at)
    callback = Q(campaign__kind=Campaign.Kind.CALLBACKS) | Q(agent=agent)
    to_call, callbacks = _capped(due.exclude(callback)), _capped(due.filter(callback))
    return {
        "campaigns": len(campaigns),
        "to_call": to_call,
        "callbacks": callbacks,
        "to_call_text": _count_text(to_call),
        "callbacks_text": _count_text(callbacks),
    }


def _count_text(n: int) -> str:
    return f"{COUNT_CAP}+" if n > COUNT_CAP else str(n)


def next_due_at(*, agent: AgentProfile, campaigns: list[Campaign]) -> dt.datetime | None:
    """When the agent's next contact falls due (the "nothing due now" message)."""
    if not campaigns:
        return None
    return (
        CampaignContact.objects.filter(
            campaign_id__in=[c.pk for c in campaigns], state=State.PENDING
        )
        .filter(Q(agent__isnull=True) | Q(agent=agent))
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )


def _first_number(target: CampaignContact) -> str:
    """The number the dialer tries: a callback's own, else the contact's first."""
    if target.number:
        return str(target.number)
    numbers = sorted(target.contact.numbers.all(), key=lambda n: n.pk)
    return str(numbers[0].number) if numbers else ""


def scheduled_callbacks(*, agent: AgentProfile) -> list[dict]:
    """The callbacks this agent promised (or was given from the callback queue), due first:
    offered to them first until `held_until`, then to anyone on the campaign."""
    rows = (
        CampaignContact.objects.filter(agent=agent, state=State.PENDING)
        .exclude(campaign__status=Campaign.Status.COMPLETED)
        .select_related("campaign", "contact")
        .prefetch_related("contact__numbers")
        .order_by("next_attempt_at", "pk")[:CALLBACKS_SHOWN]
    )
    return [
        {
            "target": row,
            "campaign": row.campaign,
            "name": row.contact.name or "A customer",
            "number": number_masked(_first_number(row)),
            "due_at": row.next_attempt_at,
            "held_until": row.held_until,
        }
        for row in rows
    ]


# --- The preview ---------------------------------------------------------------------------


def target_held(*, agent: AgentProfile, target_id: int) -> CampaignContact | None:
    """The contact if this agent holds it now (shown to them, or being dialled by them)."""
    return (
        CampaignContact.objects.filter(
            pk=target_id, agent=agent, state__in=[State.PREVIEW, State.DIALING]
        )
        .select_related("campaign", "campaign__line", "campaign__firm", "contact")
        .first()
    )


def contact_rows(campaign: Campaign, contact) -> list[list[str]]:
    """The contact's fields the campaign shows, in its order (the firm's own columns)."""
    values = {k: str(v) for k, v in (contact.fields or {}).items()}
    return fields_chosen(values, [f for f in campaign.fields_shown if f != "name"])


def _history(target: CampaignContact) -> list[dict]:
    attempts = (
        Attempt.objects.filter(target=target, status=Attempt.Status.ENDED)
        .select_related("disposition", "call")
        .order_by("-created_at", "-pk")[:HISTORY_SHOWN]
    )
    return [
        {
            "at": a.ended_at or a.created_at,
            "outcome": a.get_outcome_display(),
            "disposition": a.disposition.label if a.disposition_id else "",
            "notes": a.call.notes if a.call_id else "",
            "agent_id": a.agent_id,
        }
        for a in attempts
    ]


def _callback(target: CampaignContact, agent: AgentProfile) -> dict | None:
    """Whether this contact is a callback: a customer's request (the line's callbacks
    campaign), or promised by an agent's "call back" disposition."""
    campaign = target.campaign
    if campaign.kind == Campaign.Kind.CALLBACKS:
        return {"asked": True, "due_at": target.next_attempt_at, "yours": target.agent_id}
    promised = (
        Attempt.objects.filter(target=target, disposition__kind=DispositionCode.Kind.CALLBACK)
        .order_by("-created_at", "-pk")
        .values("agent_id", "callback_at")
        .first()
    )
    if promised is None:
        return None
    return {
        "asked": False,
        "due_at": promised["callback_at"] or target.next_attempt_at,
        "yours": promised["agent_id"] == agent.pk,
    }


def preview_context(*, agent: AgentProfile, target: CampaignContact) -> dict:
    """Everything the agent reads before pressing Call (see the module). `target` is one
    `target_held` returned for this agent."""
    campaign, contact = target.campaign, target.contact
    script = script_for(campaign.line, contact.language)
    history = _history(target)
    return {
        "target": target,
        "campaign": campaign,
        "kind": campaign.get_kind_display(),
        "purpose": PURPOSE_SHORT.get(campaign.purpose, campaign.purpose),
        "name": contact.name or "A customer",
        "language": contact.get_language_display() if contact.language else "",
        "number": number_masked(_first_number(target)),
        "rows": contact_rows(campaign, contact),
        "history": history,
        "callback": _callback(target, agent),
        "script": script,
        "script_html": script_html(script.body) if script else "",
    }


# --- The attempt the agent is on -----------------------------------------------------------


def agent_attempt_get(*, agent: AgentProfile, attempt_id: int) -> Attempt | None:
    """One of this agent's attempts (anyone else's: None, a 404)."""
    return (
        Attempt.objects.filter(pk=attempt_id, agent=agent)
        .select_related("campaign", "call", "target", "contact")
        .first()
    )


def agent_attempt_current(*, agent: AgentProfile) -> Attempt | None:
    """The attempt the agent is on now (one at most: `campaigns_attempt_one_live_per_agent`),
    else the latest one whose wrap-up is still theirs to do."""
    found = (
        Attempt.objects.filter(agent=agent)
        .filter(Q(status__in=Attempt.LIVE) | Q(call__wrap_up=Call.WrapUp.PENDING))
        .select_related("campaign", "call", "target", "contact")
        .order_by("-created_at", "-pk")
    )
    return found.first()


def attempt_key(attempt: Attempt | None) -> str:
    """What the follow panel shows, as a short key (the poll answers 204 while it holds)."""
    if attempt is None:
        return "none"
    wrap_up = attempt.call.wrap_up if attempt.call_id else ""
    return f"{attempt.pk}-{attempt.status}-{wrap_up or 'none'}"


def attempt_step(attempt: Attempt) -> dict:
    """The attempt as the agent follows it: the steps, the one it is at, and its end."""
    reached = [s for s, _ in STEPS].index(attempt.status) if attempt.status in Attempt.LIVE else 3
    ended = attempt.status == Attempt.Status.ENDED
    wrap_up = attempt.call.wrap_up if attempt.call_id else ""
    # The contact's name while the agent is on the call or its wrap-up, not after it.
    held = attempt.status in Attempt.LIVE or wrap_up == Call.WrapUp.PENDING
    return {
        "attempt": attempt,
        "steps": [
            {"label": label, "done": i < reached, "current": i == reached}
            for i, (_status, label) in enumerate(STEPS)
        ],
        "label": dict(STEPS).get(attempt.status, attempt.get_status_display()),
        "live": attempt.status in Attempt.LIVE,
        "ended": ended,
        "outcome": attempt.get_outcome_display() if attempt.outcome else "",
        "wrap_up_pending": ended and wrap_up == Call.WrapUp.PENDING,
        "name": (attempt.contact.name or "A customer") if held else "The contact",
        "number": number_masked(attempt.number),
        "campaign": attempt.campaign,
    }


# --- The workspace's view of an outbound call (routing.services.workspace.outbound_view) ---


def outbound_workspace(*, call: Call, agent: AgentProfile) -> dict | None:
    """For the agent's outbound call on their workspace: the campaign's name and the
    contact's fields the campaign shows (the workspace only calls this for the call the
    agent holds or is wrapping up)."""
    attempt = (
        Attempt.objects.filter(call=call, agent=agent).select_related("campaign", "contact").first()
    )
    if attempt is None:
        return None
    return {
        "campaign": attempt.campaign.name,
        "kind": attempt.campaign.get_kind_display(),
        "name": attempt.contact.name or "A customer",
        "rows": contact_rows(attempt.campaign, attempt.contact),
    }
