"""Choosing the next contact for a free agent and placing the call (preview and progressive).

Who may dial: an agent assigned to the running campaign (`CampaignAgent`; for a line's
callbacks, anyone engaged on the line) whose engagement covers the campaign's line now
(`Engagement.objects.covering`: the firm approved them for that line, in its hours and
dates), and who is free exactly as inbound routing means it (`agents_available_for`:
verified, compliant today, on duty and idle, in their availability hours, with the skill and
a language of the campaign).

Blending: inbound callers first. An agent with an inbound caller waiting whom they could take
gets no outbound contact (`inbound_waiting_for`); that caller is dispatched to them instead.

Races:
- two agents never get the same contact: targets are taken with `SELECT … FOR UPDATE SKIP
  LOCKED` (SQLite: the IMMEDIATE transaction serialises) and moved off `pending` by the same
  transaction, re-checked on the locked row;
- a contact is never dialled twice at once, whatever campaigns it is on: the partial unique
  index `campaigns_attempt_one_live_per_contact` (live attempts per contact) is the last word;
- an agent holds one call at a time, inbound or outbound: the presence compare-and-set
  (available -> reserved) and routing's `routing_call_one_live_per_agent` on the outbound
  `Call` row;
- pausing stops new dials: every placement re-reads the campaign's status in its own
  transaction, so a dial starting after the pause commits sees it (the dialer ticks every 2 s).
"""

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from agents import presence
from agents.models import AgentLanguage, AgentProfile
from agents.selectors import agents_available_for
from campaigns import hours
from campaigns.consent import Verdict, consent_check, registry_current
from campaigns.models import (
    Attempt,
    Campaign,
    CampaignAgent,
    CampaignContact,
    ContactList,
)
from clients.models import Contact, Engagement
from common.errors import ConflictError
from routing.models import Call
from routing.selectors import candidates_for, waiting_calls_for
from routing.services import queue_dispatch

logger = logging.getLogger(__name__)


class ContactBusy(ConflictError):
    """Another campaign's attempt took this contact first (the unique index said so)."""


State = CampaignContact.State
# Targets are locked one at a time: a claim locking a batch of twenty to use one kept the
# other nineteen from every concurrent claimer (SKIP LOCKED), so twenty agents freeing at
# once found "nothing due" among hundreds of contacts. A refused target is moved off the
# due predicate in this transaction, so the next lock finds the next one.
CLAIM_BATCH = 1
CLAIM_ROUNDS = 100  # targets looked at per campaign in one claim (refusals are rescheduled)
CONTACT_BUSY_TRIES = 3  # progressive: contacts tried when another campaign's dial wins
WAITING_CHECKED = 20
PROVIDER_DOWN_KEY = "campaigns:provider_down"
PROVIDER_DOWN_SECONDS = 30  # inbound callers checked exactly for one agent (blending)


# --- Who may dial ----------------------------------------------------------------------


def agent_is_free_for(*, agent: AgentProfile, campaign: Campaign, at: dt.datetime) -> bool:
    """Free as inbound routing means it, with the campaign's skill and one of its languages."""
    languages = campaign.languages or list(
        AgentLanguage.objects.filter(agent=agent).values_list("language", flat=True)
    )
    return any(
        agents_available_for(
            domain=campaign.line.domain, language=language, at=at, sub_skill=campaign.sub_skill
        )
        .filter(pk=agent.pk)
        .exists()
        for language in languages
    )


def engagement_for(
    *, agent: AgentProfile, campaign: Campaign, at: dt.datetime
) -> Engagement | None:
    """The engagement under which the agent works this campaign now, or None."""
    covering = Engagement.objects.covering(line=campaign.line_id, at=at).filter(agent=agent)
    if campaign.kind == Campaign.Kind.CAMPAIGN:
        assigned = CampaignAgent.objects.filter(campaign=campaign, agent=agent)
        covering = covering.filter(pk__in=assigned.values("engagement_id"))
    return covering.order_by("created_at", "pk").first()


def campaigns_for_agent(*, agent: AgentProfile, at: dt.datetime) -> list[Campaign]:
    """Running campaigns the agent may dial for now: their line's callbacks first."""
    assigned = CampaignAgent.objects.filter(agent=agent).values("campaign_id")
    engaged_lines = Engagement.objects.filter(agent=agent, status=Engagement.Status.ACTIVE).values(
        "lines"
    )
    found = (
        Campaign.objects.filter(status=Campaign.Status.RUNNING)
        .filter(
            Q(kind=Campaign.Kind.CAMPAIGN, pk__in=assigned)
            | Q(kind=Campaign.Kind.CALLBACKS, line__in=engaged_lines)
        )
        .select_related("line", "firm")
        .order_by("-kind", "pk")  # "callbacks" sorts before "campaign" descending
    )
    # `engagement_for`'s rule, read once per line rather than once per campaign (the covering
    # query is the claim's costliest read; an agent's campaigns share a line or two).
    engagements = dict(
        CampaignAgent.objects.filter(agent=agent).values_list("campaign_id", "engagement_id")
    )
    covering: dict[int, set[int]] = {}
    kept = []
    for campaign in found:
        if campaign.line_id not in covering:
            covering[campaign.line_id] = set(
                Engagement.objects.covering(line=campaign.line_id, at=at)
                .filter(agent=agent)
                .values_list("pk", flat=True)
            )
        on_line = covering[campaign.line_id]
        if (campaign.kind == Campaign.Kind.CALLBACKS and on_line) or engagements.get(
            campaign.pk
        ) in on_line:
            kept.append(campaign)
    return kept


def inbound_waiting_for(*, agent: AgentProfile, at: dt.datetime) -> bool:
    """An inbound caller this agent could take is waiting (blending: they go first)."""
    for call in waiting_calls_for(agent=agent, at=at)[:WAITING_CHECKED]:
        if candidates_for(
            call=call, at=at, exclude=call.tried_agent_ids, agent_id=agent.pk, limit=1
        ):
            return True
    return False


# --- The consent check for one target ----------------------------------------------------


def target_number(target: CampaignContact) -> str:
    if target.number:
        return str(target.number)
    first = target.contact.numbers.order_by("pk").first()
    return str(first.number) if first else ""


def target_check(
    target: CampaignContact, *, at: dt.datetime, registry=None, registry_known: bool = False
) -> Verdict:
    campaign = target.campaign
    lists = list(
        ContactList.objects.filter(campaigns=campaign, members__contact=target.contact_id)
        .distinct()
        .order_by("pk")
    )
    return consent_check(
        campaign=campaign,
        number=target_number(target),
        time_zone=target.contact.time_zone,
        lists=lists,
        at=at,
        registry=registry,
        registry_known=registry_known,
    )


def _refuse(target: CampaignContact, verdict: Verdict, at: dt.datetime) -> Attempt | None:
    """Record what the check said: a final refusal is an attempt never placed (its proof
    kept); a refusal by the clock moves the contact to its next allowed moment."""
    if verdict.final or verdict.retry_at is None:
        target.state, target.agent, target.held_until = State.REFUSED, None, None
        target.last_outcome = Attempt.Outcome.REFUSED
        target.save(update_fields=["state", "agent", "held_until", "last_outcome", "updated_at"])
        return Attempt.objects.create(
            campaign_id=target.campaign_id,
            target=target,
            contact_id=target.contact_id,
            firm_id=target.campaign.firm_id,
            number=verdict.checks.get("number") or target_number(target) or "+0",
            status=Attempt.Status.REFUSED,
            outcome=Attempt.Outcome.REFUSED,
            refused_reason=verdict.reason[:200],
            checks=verdict.checks,
            checked_at=at,
        )
    target.next_attempt_at = verdict.retry_at
    target.save(update_fields=["next_attempt_at", "updated_at"])
    return None


def target_day_zone(target: CampaignContact) -> dt.tzinfo:
    """The zone whose days count a contact's attempts per day (and open its next day): its
    own, else its number's first (UTC when neither is known)."""
    zones = hours.zones_for_contact(
        time_zone=target.contact.time_zone, number=target_number(target)
    )
    return hours.zone(zones[0]) if zones else dt.UTC


def _day_capped(target: CampaignContact, at: dt.datetime) -> dt.datetime | None:
    """The contact had its attempts for its local day: when the next day opens, else None."""
    campaign = target.campaign
    tz = target_day_zone(target)
    today = at.astimezone(tz).date()
    if target.attempts_day != today or target.attempts_today < campaign.max_attempts_per_day:
        return None
    return dt.datetime.combine(today + dt.timedelta(days=1), campaign.window_start, tzinfo=tz)


# --- Claiming a target ---------------------------------------------------------------------


@dataclass
class _Claiming:
    """What one claim reads once for all the agent's campaigns."""

    agent: AgentProfile
    at: dt.datetime
    languages: list[str]
    registry: object  # the current registry extract, or None
    promised: set[int]  # campaigns with a callback due that was promised to this agent

    @classmethod
    def read(cls, agent: AgentProfile, at: dt.datetime) -> "_Claiming":
        return cls(
            agent=agent,
            at=at,
            languages=list(
                AgentLanguage.objects.filter(agent=agent).values_list("language", flat=True)
            ),
            registry=registry_current(at=at),
            promised=set(
                CampaignContact.objects.filter(
                    agent=agent, state=State.PENDING, next_attempt_at__lte=at
                ).values_list("campaign_id", flat=True)
            ),
        )


def _due_targets(campaign: Campaign, claiming: _Claiming):
    """Pending and due on this campaign: callbacks promised to this agent first, then the
    rest not held for someone else, in due order (the partial index campaigns_target_due_idx)."""
    agent, at, languages = claiming.agent, claiming.at, claiming.languages
    due = CampaignContact.objects.filter(
        campaign=campaign, state=State.PENDING, next_attempt_at__lte=at
    ).filter(Q(contact__language="") | Q(contact__language__in=languages))
    # A contact another campaign is on the phone with now is not claimed (the unique index
    # on live attempts per contact stays the last word for a race between two claims).
    busy = Attempt.objects.filter(contact=OuterRef("contact_id"), status__in=Attempt.LIVE)
    due = due.filter(~Exists(busy))
    mine = due.filter(agent=agent) if campaign.pk in claiming.promised else None
    free = due.filter(Q(agent__isnull=True) | Q(held_until__lt=at))
    return [q for q in (mine, free) if q is not None]


def _lock(queryset, limit: int) -> list[CampaignContact]:
    return list(
        queryset.select_for_update(skip_locked=True, of=("self",))
        .select_related("contact", "campaign", "campaign__line", "campaign__firm")
        .order_by("next_attempt_at", "pk")[:limit]
    )


def _claim_in(
    campaign: Campaign, claiming: _Claiming, *, state: str
) -> tuple[CampaignContact, Verdict] | None:
    agent, at, registry = claiming.agent, claiming.at, claiming.registry
    for queryset in _due_targets(campaign, claiming):
        for _ in range(CLAIM_ROUNDS):
            batch = _lock(queryset, CLAIM_BATCH)
            if not batch:
                break
            for target in batch:
                if target.attempts >= campaign.max_attempts:
                    target.state = State.DONE
                    target.save(update_fields=["state", "updated_at"])
                    continue
                capped = _day_capped(target, at)
                if capped is not None:
                    target.next_attempt_at = capped
                    target.save(update_fields=["next_attempt_at", "updated_at"])
                    continue
                verdict = target_check(target, at=at, registry=registry, registry_known=True)
                if not verdict.allowed:
                    _refuse(target, verdict, at)
                    continue
                hold = settings.CAMPAIGNS_PREVIEW_HOLD_SECONDS
                target.state, target.agent = state, agent
                target.held_until = at + dt.timedelta(seconds=hold)
                target.save(update_fields=["state", "agent", "held_until", "updated_at"])
                return target, verdict
    return None


@transaction.atomic
def target_next(*, agent: AgentProfile, at: dt.datetime | None = None) -> CampaignContact | None:
    """Preview: the contact this agent sees next (kept for them while they read it), or
    None. A contact already shown to them comes back first."""
    at = at or timezone.now()
    shown = (
        CampaignContact.objects.filter(agent=agent, state=State.PREVIEW, held_until__gte=at)
        .select_related("contact", "campaign", "campaign__line")
        .first()
    )
    if shown is not None:
        return shown
    free = AgentProfile.objects.filter(
        pk=agent.pk, status=AgentProfile.Status.VERIFIED, duty_status=AgentProfile.Duty.AVAILABLE
    )
    if not free.exists():
        return None  # off duty or busy: a contact held now would wait for nobody
    if inbound_waiting_for(agent=agent, at=at):
        return None
    claiming = _Claiming.read(agent, at)
    for campaign in campaigns_for_agent(agent=agent, at=at):
        if campaign.mode != Campaign.Mode.PREVIEW and campaign.kind == Campaign.Kind.CAMPAIGN:
            continue
        claimed = _claim_in(campaign, claiming, state=State.PREVIEW)
        if claimed is not None:
            return claimed[0]
    return None


@transaction.atomic
def target_skip(*, agent: AgentProfile, target_id: int, at: dt.datetime | None = None) -> None:
    """The agent passes on the contact shown: back to the others, a little later."""
    at = at or timezone.now()
    CampaignContact.objects.filter(pk=target_id, agent=agent, state=State.PREVIEW).update(
        state=State.PENDING,
        agent=None,
        held_until=None,
        next_attempt_at=at + dt.timedelta(minutes=5),
        updated_at=at,
    )


# --- Placing the call ----------------------------------------------------------------------


def _place(
    *,
    target: CampaignContact,
    agent: AgentProfile,
    engagement: Engagement,
    verdict: Verdict,
    at: dt.datetime,
) -> Attempt:
    """Reserve the agent, write the outbound Call and the Attempt, and dial after commit."""
    campaign = target.campaign
    if not campaign_still_running(campaign.pk):
        _unclaim(target, at)
        raise ConflictError("The campaign is no longer running.")
    if not presence.presence_reserve(agent_id=agent.pk):
        _unclaim(target, at)  # progressive's claim must not stay "dialing" with no attempt
        raise ConflictError("You are not free to call now (on a call or off duty).")
    provider = settings.CAMPAIGNS_PROVIDER
    contact: Contact = target.contact
    number = verdict.checks["number"]
    try:
        with transaction.atomic():  # a savepoint: the unique indexes below may refuse
            call = Call.objects.create(
                direction=Call.Direction.OUTBOUND,
                provider=provider,
                provider_call_id=f"pending-{uuid.uuid4().hex}",
                line=campaign.line,
                firm=campaign.firm,
                caller=number,
                language=contact.language,
                domain=campaign.line.domain,
                sub_skill=campaign.sub_skill,
                status=Call.Status.OFFERED,
                agent=agent,
                engagement=engagement,
                attempts=1,
                offered_at=at,
                outcome="Calling the agent",
            )
            attempt = Attempt.objects.create(
                campaign=campaign,
                target=target,
                contact=contact,
                firm=campaign.firm,
                agent=agent,
                engagement=engagement,
                number=number,
                call=call,
                status=Attempt.Status.AGENT,
                checks=verdict.checks,
                checked_at=at,
                provider=provider,
                placed_at=at,
            )
    except IntegrityError as error:
        # Another campaign is on the phone with this contact (or the agent holds a call):
        # try the contact again a little later; the reservation goes back.
        presence.presence_release(agent_id=agent.pk)
        _unclaim(target, at + dt.timedelta(minutes=5))
        raise ContactBusy("This contact is on another call right now.") from error
    local_day = at.astimezone(target_day_zone(target)).date()
    if target.attempts_day != local_day:
        target.attempts_day, target.attempts_today = local_day, 0
    target.attempts += 1
    target.attempts_today += 1
    target.state, target.agent, target.held_until = State.DIALING, agent, None
    target.save(
        update_fields=[
            "state",
            "agent",
            "held_until",
            "attempts",
            "attempts_day",
            "attempts_today",
            "updated_at",
        ]
    )
    _dial_on_commit(attempt.pk)
    return attempt


def _unclaim(target: CampaignContact, due: dt.datetime) -> None:
    target.state, target.agent, target.held_until = State.PENDING, None, None
    target.next_attempt_at = max(target.next_attempt_at, due)
    target.save(update_fields=["state", "agent", "held_until", "next_attempt_at", "updated_at"])


def campaign_still_running(campaign_id: int) -> bool:
    """Re-read the campaign's status under a share lock (PostgreSQL `FOR SHARE`), held to
    the placement's commit. Placements do not block one another, but a pause (an UPDATE of
    the row) waits for the placements in flight and every placement after it sees it: once
    the pause commits, no attempt of the campaign commits. SQLite serialises writers anyway."""
    from django.db import connection

    if connection.vendor != "postgresql":
        status = Campaign.objects.filter(pk=campaign_id).values_list("status", flat=True).first()
        return status == Campaign.Status.RUNNING
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT status FROM campaigns_campaign WHERE id = %s FOR SHARE",
            [campaign_id],
        )
        row = cursor.fetchone()
    return row is not None and row[0] == Campaign.Status.RUNNING


def _dial_on_commit(attempt_id: int) -> None:
    from campaigns.tasks import attempt_dial_task

    def send():
        attempt_dial_task.delay(attempt_id)

    # robust: a broker that is down must not break the request; the sweep fails the attempt
    # (agent freed, contact retried) when no provider call ever starts.
    transaction.on_commit(send, robust=True)


@transaction.atomic
def attempt_place(
    *, agent: AgentProfile, target_id: int, at: dt.datetime | None = None
) -> Attempt | None:
    """Preview: the agent pressed Call on the contact they were shown. Checked again now
    (the proof is the moment of dialling); returns the attempt (refused ones too), or None
    when the contact was rescheduled by the clock."""
    at = at or timezone.now()
    target = (
        CampaignContact.objects.select_for_update(of=("self",))
        .select_related("contact", "campaign", "campaign__line", "campaign__firm")
        .filter(pk=target_id, agent=agent, state=State.PREVIEW)
        .first()
    )
    if target is None:
        raise ConflictError("This contact is no longer yours to call: open the next one.")
    campaign = Campaign.objects.select_related("line", "firm").get(pk=target.campaign_id)
    target.campaign = campaign
    if campaign.status != Campaign.Status.RUNNING:
        raise ConflictError(f"The campaign is {campaign.get_status_display().lower()}.")
    engagement = engagement_for(agent=agent, campaign=campaign, at=at)
    if engagement is None or not agent_is_free_for(agent=agent, campaign=campaign, at=at):
        raise ConflictError("You cannot call for this campaign now (hours, duty or engagement).")
    if inbound_waiting_for(agent=agent, at=at):
        transaction.on_commit(lambda: queue_dispatch(agent_id=agent.pk), robust=True)
        raise ConflictError("A caller is waiting for you: take the call first.")
    verdict = target_check(target, at=at)
    if not verdict.allowed:
        return _refuse(target, verdict, at)
    return _place(target=target, agent=agent, engagement=engagement, verdict=verdict, at=at)


@transaction.atomic
def agent_dial_next(*, agent_id: int, at: dt.datetime | None = None) -> Attempt | None:
    """Progressive: dial the next eligible contact for this free agent, if any."""
    at = at or timezone.now()
    agent = AgentProfile.objects.select_for_update(skip_locked=True).filter(pk=agent_id).first()
    if agent is None or agent.duty_status != AgentProfile.Duty.AVAILABLE:
        return None
    if inbound_waiting_for(agent=agent, at=at):
        # Blending: the caller first. Routing's dispatch gives them the caller (on commit:
        # this transaction holds the agent's row, which dispatch locks too).
        transaction.on_commit(lambda: queue_dispatch(agent_id=agent_id), robust=True)
        return None
    claiming = _Claiming.read(agent, at)
    for campaign in campaigns_for_agent(agent=agent, at=at):
        if campaign.mode != Campaign.Mode.PROGRESSIVE:
            continue
        if not agent_is_free_for(agent=agent, campaign=campaign, at=at):
            continue
        engagement = engagement_for(agent=agent, campaign=campaign, at=at)
        for _ in range(CONTACT_BUSY_TRIES):
            claimed = _claim_in(campaign, claiming, state=State.DIALING)
            if claimed is None:
                break
            target, verdict = claimed
            try:
                return _place(
                    target=target, agent=agent, engagement=engagement, verdict=verdict, at=at
                )
            except ContactBusy:
                continue  # lost the contact to another campaign's dial: the next one
            except ConflictError:
                return None
    return None


def progressive_agents(*, at: dt.datetime) -> list[int]:
    """Free agents assigned to a running progressive campaign (the tick's candidates)."""
    return list(
        CampaignAgent.objects.filter(
            campaign__status=Campaign.Status.RUNNING,
            campaign__mode=Campaign.Mode.PROGRESSIVE,
            agent__duty_status=AgentProfile.Duty.AVAILABLE,
        )
        .values_list("agent_id", flat=True)
        .distinct()
        .order_by("agent_id")
    )


def provider_down_note() -> None:
    """The provider refused or did not answer a dial: progressive dialing pauses a moment,
    rather than placing (and failing) one attempt per free agent every tick meanwhile."""
    cache.set(PROVIDER_DOWN_KEY, 1, timeout=PROVIDER_DOWN_SECONDS)


def progressive_dial(*, at: dt.datetime | None = None) -> int:
    """One tick of the progressive dialer: each free campaign agent gets their next contact,
    one line per agent (the agent is called first, so no contact is ever left abandoned)."""
    at = at or timezone.now()
    if cache.get(PROVIDER_DOWN_KEY):
        return 0  # the provider failed a dial a moment ago (preview dials still go)
    placed = 0
    for agent_id in progressive_agents(at=at):
        try:
            placed += agent_dial_next(agent_id=agent_id, at=at) is not None
        except Exception:  # one agent's trouble must not stop the others' dials
            logger.exception("Progressive dial failed for agent %s", agent_id)
    return placed


def agent_freed_on_commit(agent_id: int | None) -> None:
    """After commit: inbound callers first (routing's dispatch), then the next contact of a
    progressive campaign if the agent is still free."""
    if agent_id is None:
        return

    def serve():
        if queue_dispatch(agent_id=agent_id) is None:
            agent_dial_next(agent_id=agent_id)

    transaction.on_commit(serve, robust=True)
