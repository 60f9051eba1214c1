"""Reads for the vetting admin's pages. Staff see every agent: there is no tenant to scope by."""

from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet

from agents.models import (
    AgentLanguage,
    AgentProfile,
    AgentSkill,
    AttestationAcceptance,
    VerificationCheck,
)
from common.models import AuditAction, AuditRecord

# What the vetting page's timeline shows: the vetting decisions, expiries and TDS changes.
TIMELINE_ACTIONS = [
    AuditAction.SUBMITTED,
    AuditAction.CHECK_APPROVED,
    AuditAction.CHECK_REJECTED,
    AuditAction.CHECK_EXPIRED,
    AuditAction.VERIFIED,
    AuditAction.REJECTED,
    AuditAction.SUSPENDED,
    AuditAction.REINSTATED,
    AuditAction.TDS_CHANGED,
    AuditAction.PROFILE_CHANGED,
    AuditAction.CHECK_REOPENED,
]


# A vetted agent with a check pending again: they changed what it vouched for (name, city or
# bank details, agents.services.checks_reopen).
_check_pending = Exists(
    VerificationCheck.objects.filter(agent=OuterRef("pk"), status=VerificationCheck.Status.PENDING)
)


def agents_reopened_count() -> int:
    """Verified or suspended agents with a check back in review (the queue's re-review tab)."""
    vetted = [AgentProfile.Status.VERIFIED, AgentProfile.Status.SUSPENDED]
    return AgentProfile.objects.filter(_check_pending, status__in=vetted).count()


def agent_review_queue(
    *,
    status: str = AgentProfile.Status.IN_REVIEW,
    domain: str = "",
    language: str = "",
    city: str = "",
    reopened: bool = False,
) -> QuerySet[AgentProfile]:
    """Agents in `status`, longest waiting first, optionally by skill domain, language, city.

    Languages and skills are prefetched so a page of the queue costs the same few queries
    however many rows it shows. The filters are EXISTS probes on the (language, agent) and
    (domain, agent) indexes, so an agent with two matching skills is listed once.
    """
    agents = AgentProfile.objects.filter(status=status)
    if reopened:
        agents = agents.filter(_check_pending)
    if domain:
        agents = agents.filter(
            Exists(AgentSkill.objects.filter(agent=OuterRef("pk"), domain=domain))
        )
    if language:
        agents = agents.filter(
            Exists(AgentLanguage.objects.filter(agent=OuterRef("pk"), language=language))
        )
    city = city.strip()
    if city:
        # "startswith" covers the exact match too: "mangal" finds Mangaluru.
        agents = agents.filter(city__istartswith=city)
    return (
        agents.select_related("user")
        .prefetch_related(
            Prefetch("languages", queryset=AgentLanguage.objects.order_by("-proficiency")),
            Prefetch("skills", queryset=AgentSkill.objects.order_by("domain", "sub_skill")),
        )
        # Never-submitted agents (other statuses) have no submitted_at: list them last.
        .order_by(F("submitted_at").asc(nulls_last=True), "pk")
    )


def agent_timeline(*, agent: AgentProfile) -> QuerySet[AuditRecord]:
    """The agent's vetting timeline, newest first, with each actor (one query)."""
    return (
        AuditRecord.objects.about(agent)
        .filter(action__in=TIMELINE_ACTIONS)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )


def agents_by_name() -> QuerySet[AgentProfile]:
    """Every agent, by name: finance's TDS list."""
    return AgentProfile.objects.select_related("user").order_by("full_name", "pk")


def agent_review_get(*, pk: int) -> AgentProfile | None:
    """One agent with everything the vetting page shows, or None.

    The timeline is `agent.timeline`, read by one more query as the prefetch it replaces
    was (audit records have no relation back to the agent; see common.models.AuditRecord).
    """
    agent = (
        AgentProfile.objects.filter(pk=pk)
        .select_related("user")
        .prefetch_related(
            Prefetch("languages", queryset=AgentLanguage.objects.order_by("-proficiency")),
            Prefetch("skills", queryset=AgentSkill.objects.order_by("domain", "sub_skill")),
            "documents",
            Prefetch(
                "attestations",
                queryset=AttestationAcceptance.objects.order_by("accepted_at", "kind"),
            ),
            Prefetch(
                "checks",
                queryset=VerificationCheck.objects.select_related("decided_by").order_by("pk"),
            ),
        )
        .first()
    )
    if agent is not None:
        agent.timeline = list(agent_timeline(agent=agent))
    return agent
