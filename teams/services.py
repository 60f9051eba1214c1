"""Writes of teams: the agency's franchises and their agents, and a lead's hand on duty.

Every write checks its actor's role here (an agency administrator runs franchises; a lead
acts on their own team only), whatever the page let through, and leaves an audit record.
"""

from django.db import IntegrityError, transaction

from accounts.models import Notification, User
from accounts.notifications import notification_send
from agents.gazetteer import place_get
from agents.models import AgentProfile
from agents.services import agent_duty_set
from common.audit import audit_log
from common.errors import ApplicationError, ConflictError, require_role
from common.limits import instance_check
from common.models import AuditAction
from teams.models import Franchise, FranchiseMember

REASON_MAX = 200


def _franchise_fields(franchise: Franchise) -> dict:
    return {
        "name": franchise.name,
        "city": franchise.city,
        "geoname_id": franchise.geoname_id,
        "lead": franchise.lead_id,
    }


def _lead_check(lead: User | None, franchise: Franchise | None) -> None:
    if lead is None:
        return
    if lead.role != User.Role.TEAM_LEAD or not lead.is_active:
        raise ApplicationError("Choose a user with the team lead role.", field="lead")
    led = Franchise.objects.filter(lead=lead).exclude(pk=getattr(franchise, "pk", None)).first()
    if led is not None:
        raise ApplicationError(f"{lead} already leads {led.name}.", field="lead")


@transaction.atomic
def franchise_save(
    *,
    actor: User,
    name: str,
    geoname_id: int,
    lead: User | None,
    franchise: Franchise | None = None,
) -> Franchise:
    """Create a franchise, or change one (`franchise`): its name, its city from the gazetteer
    (the coordinates franchise-first routing measures from) and its lead, who leads at most
    one franchise (the one-to-one `lead`; checked here for a message, the constraint settles
    a race). Agency administrators only. Audited."""
    require_role(actor, User.Role.ADMIN, message="Only the agency's administrators run franchises.")
    place = place_get(geoname_id) if geoname_id and geoname_id > 0 else None
    if place is None:
        raise ApplicationError("Choose the city from the list.", field="city")
    if franchise is not None:
        franchise = Franchise.objects.select_for_update().get(pk=franchise.pk)
        before = _franchise_fields(franchise)
    else:
        franchise, before = Franchise(), None
    name = name.strip()
    if Franchise.objects.filter(name__iexact=name).exclude(pk=franchise.pk).exists():
        raise ApplicationError("Another franchise has this name.", field="name")
    _lead_check(lead, franchise if franchise.pk else None)
    franchise.name, franchise.lead = name, lead
    franchise.geoname_id, franchise.city, franchise.state = (
        place.geoname_id,
        place.name,
        place.state,
    )
    franchise.latitude, franchise.longitude = place.latitude, place.longitude
    instance_check(franchise)
    try:
        with transaction.atomic():  # a savepoint: the race's loser gets a message, not a 500
            franchise.save()
    except IntegrityError:
        raise ApplicationError(
            "That lead or name was just taken by another franchise.", field="lead"
        ) from None
    after = _franchise_fields(franchise)
    if after != before:
        audit_log(
            actor=actor,
            action=AuditAction.FRANCHISE_SAVED,
            target=franchise,
            before=before,
            after=after,
        )
    return franchise


@transaction.atomic
def franchise_member_add(
    *, actor: User, franchise: Franchise, agent: AgentProfile
) -> FranchiseMember:
    """Put an agent in a franchise. An agent is in at most one (the one-to-one seat): one in
    another franchise must be removed there first. Administrators only. Audited."""
    require_role(actor, User.Role.ADMIN, message="Only the agency's administrators run franchises.")
    # Lock the agent: two administrators placing the same agent at once queue here; the
    # one-to-one seat backs it (a savepoint turns the loser's IntegrityError into a message).
    agent = AgentProfile.objects.select_for_update().get(pk=agent.pk)
    seat = FranchiseMember.objects.filter(agent=agent).select_related("franchise").first()
    if seat is not None:
        if seat.franchise_id == franchise.pk:
            raise ConflictError(f"{agent} is already in {franchise.name}.", field="agent")
        raise ConflictError(
            f"{agent} is in {seat.franchise.name}: remove them there first.", field="agent"
        )
    try:
        with transaction.atomic():
            seat = FranchiseMember.objects.create(franchise=franchise, agent=agent)
    except IntegrityError:
        raise ConflictError(f"{agent} was just put in another franchise.", field="agent") from None
    audit_log(
        actor=actor,
        action=AuditAction.FRANCHISE_MEMBER_ADDED,
        target=agent,
        franchise=franchise.pk,
        franchise_name=franchise.name,
    )
    return seat


@transaction.atomic
def franchise_member_remove(*, actor: User, franchise: Franchise, agent: AgentProfile) -> None:
    """Take an agent out of a franchise (they then work as agents without one). Audited."""
    require_role(actor, User.Role.ADMIN, message="Only the agency's administrators run franchises.")
    deleted, _ = FranchiseMember.objects.filter(franchise=franchise, agent=agent).delete()
    if not deleted:
        raise ConflictError(f"{agent} is not in {franchise.name}.", field="agent")
    audit_log(
        actor=actor,
        action=AuditAction.FRANCHISE_MEMBER_REMOVED,
        target=agent,
        franchise=franchise.pk,
        franchise_name=franchise.name,
    )


@transaction.atomic
def member_take_off_duty(*, lead: User, agent: AgentProfile, reason: str) -> AgentProfile:
    """A lead takes an agent of their own team off duty, with a reason: the agents app's own
    switch (`agent_duty_set`: not during a call), the reason in the audit record, and the
    agent told (on the bell, and by email unless they turned it off)."""
    require_role(lead, User.Role.TEAM_LEAD, message="Only a team lead takes agents off duty.")
    reason = reason.strip()
    if not reason:
        raise ApplicationError("Say why.", field="reason")
    if not FranchiseMember.objects.filter(agent=agent, franchise__lead=lead).exists():
        raise ApplicationError("This agent is not in your team.")  # the page 404s before
    before = AgentProfile.objects.select_for_update().get(pk=agent.pk).duty_status
    if before == AgentProfile.Duty.OFFLINE:  # no second notice, email or audit record
        raise ConflictError(f"{agent} is already off duty.", field="reason")
    try:
        agent = agent_duty_set(agent=agent, available=False)
    except ConflictError:
        raise ConflictError(
            f"{agent} is on a call: take them off duty when it ends.", field="reason"
        ) from None
    audit_log(
        actor=lead,
        action=AuditAction.TAKEN_OFF_DUTY,
        target=agent,
        reason=reason[:REASON_MAX],
        before={"duty_status": before},
        after={"duty_status": agent.duty_status},
    )
    notification_send(
        users=[agent.user],
        kind=Notification.Kind.TAKEN_OFF_DUTY,
        title="Your team lead took you off duty",
        body=f"{lead.name or lead.email}: {reason[:REASON_MAX]}",
        url="/agent/",
    )
    return agent
