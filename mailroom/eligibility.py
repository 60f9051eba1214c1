"""Who may be given a conversation (issue 18): the routing rules, read for email.

Each rule is the one statement the call path uses, not a restatement: "compliant" is
`AgentProfileQuerySet.compliant_on`, "skilled" is `agents.selectors.skills_matching` (the
line's domain, its sub-skill or the domain in general), "engaged" is
`Engagement.objects.covering` (the line is one of the engagement's, the request's days, hours
and dates hold in its zone), asked as `covering_by_zone` (the same clauses, each zone's clock
read once) and, for the agent chosen, `clients.selectors.engagement_covering`. What differs
from a call: no weekly availability window and no distance — an email waits in the queue,
the agent's duty and email capacity decide.

Calls come first: only an AVAILABLE agent gets a new conversation (reserved, on a call or in
wrap-up: none), but the conversations they already hold stay theirs while they talk
(`agent_may_keep`).
"""

import datetime as dt

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from agents.models import AgentLanguage, AgentProfile
from agents.selectors import skills_matching
from clients.models import Engagement
from mailroom.models import Conversation

Duty = AgentProfile.Duty


def open_count() -> Subquery:
    """The outer agent's ASSIGNED conversations (what their email capacity counts)."""
    rows = (
        Conversation.objects.filter(agent=OuterRef("pk"), status=Conversation.Status.ASSIGNED)
        .order_by()
        .values("agent")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def agents_eligible_for(
    *, conversation: Conversation, at: dt.datetime | None = None
) -> QuerySet[AgentProfile]:
    """Agents who may be given `conversation` now, best first: fewest open conversations,
    then longest idle (`duty_changed_at`), then id. Each comes with `open_count`.

    Asked of every engaged agent on each route, so each part is one pass, not one per agent
    where it can be: the covering engagements are read once (each zone's clock once,
    `covering_by_zone`) as a set the agents must be in; the one to handle it under is looked
    up for the agent chosen (`clients.selectors.engagement_covering`). bench/mail_bench.py
    measures it."""
    at = at or timezone.now()
    line = conversation.queue.line
    language = conversation.language or _line_language(line)
    covered = Engagement.objects.covering_by_zone(line=line, at=at).values("agent_id")
    return (
        AgentProfile.objects.filter(status=AgentProfile.Status.VERIFIED, duty_status=Duty.AVAILABLE)
        .compliant_on(timezone.localdate(at))
        .filter(pk__in=covered)
        .filter(Exists(AgentLanguage.objects.filter(agent=OuterRef("pk"), language=language)))
        .filter(Exists(skills_matching(domain=line.domain, sub_skill=line.sub_skill)))
        .annotate(open_count=open_count())
        .filter(email_capacity__gt=F("open_count"))
        .order_by("open_count", "duty_changed_at", "pk")
    )


def agent_may_keep(*, conversation: Conversation, at: dt.datetime | None = None) -> bool:
    """May the conversation's agent keep it? On duty (a call does not take it away: any duty
    but offline), verified, compliant, and the engagement it was given under still active on
    the line and not ended. Outside the request's hours it stays theirs (no release at 6 pm)."""
    at = at or timezone.now()
    if conversation.agent_id is None:
        return False
    kept = (
        AgentProfile.objects.filter(pk=conversation.agent_id, status=AgentProfile.Status.VERIFIED)
        .exclude(duty_status=Duty.OFFLINE)
        .compliant_on(timezone.localdate(at))
        .filter(
            Exists(
                Engagement.objects.on_line(conversation.queue.line_id)
                .not_ended_by(at)
                .filter(pk=conversation.engagement_id, agent=OuterRef("pk"))
            )
        )
    )
    return kept.exists()


def agents_not_keeping(*, at: dt.datetime | None = None) -> QuerySet[Conversation]:
    """ASSIGNED, unanswered conversations whose agent went offline or lost their standing
    (suspended, non-compliant, engagement ended): the sweep's candidates to release."""
    at = at or timezone.now()
    today = timezone.localdate(at)
    standing = (
        AgentProfile.objects.filter(pk=OuterRef("agent_id"), status=AgentProfile.Status.VERIFIED)
        .exclude(duty_status=Duty.OFFLINE)
        .compliant_on(today)
    )
    engaged = (
        Engagement.objects.on_line(OuterRef("queue__line_id"))
        .not_ended_by(at)
        .filter(pk=OuterRef("engagement_id"))
    )
    return Conversation.objects.filter(
        Q(status=Conversation.Status.ASSIGNED), Q(first_response_at__isnull=True)
    ).filter(~Exists(standing) | ~Exists(engaged))


def _line_language(line) -> str:
    first = line.languages.order_by("pk").values_list("language", flat=True).first()
    return first or "en"
