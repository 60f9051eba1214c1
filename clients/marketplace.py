"""Writes for the staffing marketplace: requests, applications, engagements.

Approvals and assignments lock the request row first (`select_for_update`) and count its
active engagements on that locked copy: two approvals racing for the last seat serialise
there, and the second one sees the seat taken.
"""

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from agents.gazetteer import place_get
from agents.models import AgentProfile, speciality_error
from clients import erlang, notices
from clients.models import (
    Application,
    ClientFirm,
    Engagement,
    OutboundRateUnit,
    PhoneLine,
    RequestLanguage,
    RequestRegion,
    StaffingRequest,
)
from clients.rates import agent_share
from clients.selectors import agent_matches_request
from common.errors import ApplicationError, ConflictError
from common.limits import field_check, instance_check

AppStatus = Application.Status


def estimate_for(
    *,
    calls_per_hour: Decimal,
    aht_seconds: int,
    target_level: int,
    target_seconds: int,
    shrinkage: int,
) -> erlang.StaffingEstimate:
    """Erlang C for a request's figures (percent inputs as the form takes them)."""
    try:
        return erlang.staffing_estimate(
            calls_per_hour=float(calls_per_hour),
            aht_seconds=aht_seconds,
            target_seconds=target_seconds,
            target_level=target_level / 100,
            shrinkage=shrinkage / 100,
        )
    except erlang.TargetUnreachable as error:
        # In the firm's words: the arithmetic's own message speaks of Erlangs.
        raise ApplicationError(
            f"Answering {target_level}% of these calls within {target_seconds} s would take more "
            f"than {erlang.MAX_AGENTS:,} agents: lower the calls per hour or the target.",
            field="calls_per_hour",
        ) from error
    except ValueError as error:
        raise ApplicationError(str(error), field="calls_per_hour") from error


def request_problems(f: dict) -> list[tuple[str, str]]:
    """Every rule across a request's fields that `f` breaks, as (field, message), in the form's
    order; a rule whose fields are missing (the form already refused one) is left out. The form
    shows them all at once (`RequestForm.clean`); the service refuses on the first. Each
    figure's own range is the model's (full_clean, and the form's bounds)."""
    today = timezone.localdate()
    rules = [
        (
            ("start_date", "end_date"),
            lambda: f["end_date"] < f["start_date"],
            "end_date",
            "The end date must be on or after the start date.",
        ),
        (("end_date",), lambda: f["end_date"] < today, "end_date", "The end date is already past."),
        (
            ("starts_at", "ends_at"),
            lambda: f["ends_at"] <= f["starts_at"],
            "ends_at",
            "The daily end time must be after the start time.",
        ),
        (("days",), lambda: not f["days"], "days", "Choose at least one day of the week."),
        (
            ("days",),
            lambda: not set(f["days"]) <= set("0123456") or len(set(f["days"])) != len(f["days"]),
            "days",
            "Days are weekday digits 0 (Monday) to 6 (Sunday), each once.",
        ),
    ]
    return [
        (field, message)
        for needs, broken, field, message in rules
        if all(f.get(name) is not None for name in needs) and broken()
    ]


def _validate_request(f: dict) -> None:
    problems = request_problems(f)
    if problems:
        errors: dict[str, list[str]] = {}
        for field, message in problems:
            errors.setdefault(field, []).append(message)
        field, message = problems[0]
        raise ApplicationError(message, field=field, extra={"errors": errors})


@transaction.atomic
def staffing_request_create(
    *,
    firm: ClientFirm,
    user: User,
    languages: list[str],
    region_ids: list[int],
    line_ids: list[int] | None = None,
    **fields,
) -> StaffingRequest:
    """Post a request. Erlang C sizes it; the firm may ask for a different headcount."""
    fields.setdefault("minimum_per_call", Decimal(0))
    fields.setdefault("headcount", None)
    # Outbound work (campaigns) is optional: no rate, no outbound work on this request.
    fields["outbound_rate_unit"] = fields.get("outbound_rate_unit") or OutboundRateUnit.PER_CONNECT
    fields.setdefault("outbound_rate", None)
    # Email (mailroom) likewise: no rate, no handled conversations or campaign emails billed.
    fields.setdefault("email_rate", None)
    fields.setdefault("campaign_email_rate", None)
    _validate_request(fields)
    request = StaffingRequest(firm=firm, created_by=user, currency=firm.currency, **fields)
    # Each figure's range, from the model; with no headcount asked for, Erlang C's comes below.
    instance_check(request, exclude=["headcount"] if request.headcount is None else None)
    if error := speciality_error(request.domain, request.sub_skill):
        raise ApplicationError(error, field="sub_skill")
    if not languages:
        raise ApplicationError("Choose at least one language.", field="languages")
    places = [place_get(pk) for pk in region_ids]
    if not places or None in places:
        raise ApplicationError("Choose the regions served from the list.", field="regions")
    lines = list(PhoneLine.objects.filter(firm=firm, pk__in=line_ids or []))
    if len(lines) != len(set(line_ids or [])):
        raise ApplicationError("Choose lines of your own firm.", field="lines")
    estimate = estimate_for(
        calls_per_hour=fields["calls_per_hour"],
        aht_seconds=fields["aht_seconds"],
        target_level=fields["target_level"],
        target_seconds=fields["target_seconds"],
        shrinkage=fields["shrinkage"],
    )
    request.agents_needed = estimate.headcount
    # Erlang C's figure after shrinkage can pass the headcount's range (9,000 Erlangs at 90%
    # shrinkage is 90,780 to roster): checked like a figure the firm gave, not left to the
    # database's constraint.
    request.headcount = field_check(
        StaffingRequest, "headcount", request.headcount or estimate.headcount
    )
    request.save()
    RequestLanguage.objects.bulk_create(
        [RequestLanguage(request=request, language=code) for code in dict.fromkeys(languages)]
    )
    RequestRegion.objects.bulk_create(
        [
            RequestRegion(
                request=request,
                geoname_id=p.geoname_id,
                name=p.label,
                latitude=p.latitude,
                longitude=p.longitude,
            )
            for p in {p.geoname_id: p for p in places}.values()
        ]
    )
    request.lines.set(lines)
    return request


@transaction.atomic
def staffing_request_close(*, request: StaffingRequest) -> StaffingRequest:
    """Stop taking applications. Engagements already made run on to their end dates."""
    request = StaffingRequest.objects.select_for_update().get(pk=request.pk)
    request.status = StaffingRequest.Status.CLOSED
    request.save(update_fields=["status"])
    Application.objects.filter(request=request, status=AppStatus.APPLIED).update(
        status=AppStatus.DECLINED, reason="The request was closed.", decided_at=timezone.now()
    )
    return request


@transaction.atomic
def application_create(*, agent: AgentProfile, request: StaffingRequest) -> Application:
    """An agent applies to an open request that matches their skills, languages and region."""
    request = StaffingRequest.objects.select_for_update().get(pk=request.pk)
    verified = agent.status == AgentProfile.Status.VERIFIED
    if not (verified and agent.is_compliant_on(timezone.localdate())):
        raise ConflictError("Only verified, compliant agents can apply.")
    if request.status != StaffingRequest.Status.OPEN or request.end_date < timezone.localdate():
        raise ConflictError("This request is no longer open.")
    if not agent_matches_request(agent=agent, request=request):
        raise ConflictError("This request asks for a skill, language or region you don't have.")
    existing = Application.objects.filter(request=request, agent=agent).first()
    if existing is not None:
        if existing.status != AppStatus.WITHDRAWN:
            raise ConflictError("You have already applied to this request.")
        existing.status, existing.reason, existing.decided_at = AppStatus.APPLIED, "", None
        existing.save(update_fields=["status", "reason", "decided_at"])
        notices.applicant_waiting(application=existing)
        return existing
    application = Application.objects.create(request=request, agent=agent)
    notices.applicant_waiting(application=application)
    return application


@transaction.atomic
def application_withdraw(*, agent: AgentProfile, application_id: int) -> Application:
    application = (
        Application.objects.select_for_update().filter(pk=application_id, agent=agent).first()
    )
    if application is None:
        raise ApplicationError("No such application.")
    if application.status != AppStatus.APPLIED:
        raise ConflictError("Only a pending application can be withdrawn.")
    application.status = AppStatus.WITHDRAWN
    application.save(update_fields=["status"])
    return application


def _still_open(request: StaffingRequest) -> None:
    if request.status != StaffingRequest.Status.OPEN:
        raise ConflictError("This request is closed.")
    if request.end_date < timezone.localdate():
        raise ConflictError("This request is no longer open: its end date has passed.")


def _seats_left(request: StaffingRequest, wanted: int) -> None:
    engaged = request.engagements.filter(status=Engagement.Status.ACTIVE).count()
    if engaged + wanted > request.headcount:
        raise ConflictError(
            f"This request asks for {request.headcount} agents and {engaged} are already "
            f"engaged: there is room for {max(request.headcount - engaged, 0)} more.",
            extra={"headcount": request.headcount, "engaged": engaged},
        )


def _engage(application: Application, request: StaffingRequest) -> Engagement:
    lines = list(request.lines.all()) or list(
        PhoneLine.objects.filter(firm=request.firm, domain=request.domain, is_active=True)
    )
    if Engagement.objects.filter(
        request=request, agent=application.agent, status=Engagement.Status.ACTIVE
    ).exists():
        raise ConflictError(f"{application.agent} is already engaged on this request.")
    try:
        with transaction.atomic():  # the partial unique index still guards a race
            engagement = Engagement.objects.create(
                firm=request.firm,
                agent=application.agent,
                request=request,
                application=application,
                rate_unit=request.rate_unit,
                client_rate=request.rate,
                agent_rate=agent_share(request.rate, request.currency),
                minimum_per_call=request.minimum_per_call,
                agent_minimum_per_call=agent_share(request.minimum_per_call, request.currency),
                # Outbound rates copied the same way (none: the request takes no outbound work);
                # the agent's share by the same commission.
                outbound_rate_unit=request.outbound_rate_unit,
                outbound_client_rate=request.outbound_rate,
                outbound_agent_rate=None
                if request.outbound_rate is None
                else agent_share(request.outbound_rate, request.currency),
                # A handled email conversation likewise. A campaign email is no agent's work:
                # it stays on the request (campaign_email_rate), never on an engagement.
                email_client_rate=request.email_rate,
                email_agent_rate=None
                if request.email_rate is None
                else agent_share(request.email_rate, request.currency),
                currency=request.currency,
                starts_on=max(request.start_date, timezone.localdate()),
                ends_on=request.end_date,
            )
    except IntegrityError as error:
        raise ConflictError(f"{application.agent} is already engaged on this request.") from error
    engagement.lines.set(lines)
    return engagement


def _decided(application: Application, status: str, *, actor: User, reason: str) -> None:
    application.status, application.reason = status, reason
    application.decided_by, application.decided_at = actor, timezone.now()
    application.save(update_fields=["status", "reason", "decided_by", "decided_at"])


@transaction.atomic
def application_decide(
    *, firm: ClientFirm, application_id: int, approve: bool, reason: str, user: User
) -> Application:
    """A partial-BPO firm approves (creating the engagement) or declines an applicant."""
    application = Application.objects.filter(pk=application_id, request__firm=firm).first()
    if application is None:
        raise ApplicationError("No such application.")
    # Lock order: the request, then the application (the same order everywhere).
    request = StaffingRequest.objects.select_for_update().get(pk=application.request_id)
    application = Application.objects.select_for_update().get(pk=application.pk)
    if not firm.is_partial:
        raise ConflictError("The agency assigns agents to complete-BPO requests.")
    if application.status != AppStatus.APPLIED:
        raise ConflictError(f"This application is already {application.get_status_display()}.")
    reason = reason.strip()
    if not approve:
        if not reason:
            raise ApplicationError("Please give the agent a reason.", field="reason")
        _decided(application, AppStatus.DECLINED, actor=user, reason=reason)
        notices.pool_decided(application=application, engagement=None)
        return application
    _still_open(request)
    if not agent_matches_request(agent=application.agent, request=request, check_region=False):
        raise ConflictError(
            f"{application.agent} is no longer verified and compliant with the skill and "
            "language this request asks for."
        )
    _seats_left(request, 1)
    _decided(application, AppStatus.APPROVED, actor=user, reason=reason)
    engagement = _engage(application, request)
    notices.pool_decided(application=application, engagement=engagement)
    return application


@transaction.atomic
def agents_assign(
    *, request: StaffingRequest, agent_ids: list[int], user: User
) -> list[Engagement]:
    """The agency assigns agents to a complete-BPO request, all or none."""
    request = StaffingRequest.objects.select_for_update().select_related("firm").get(pk=request.pk)
    if request.firm.is_partial:
        raise ConflictError("Partial-BPO firms approve their own agents.")
    _still_open(request)
    if not agent_ids:
        raise ApplicationError("Choose at least one agent.", field="agents")
    agents = list(
        AgentProfile.objects.select_for_update().filter(pk__in=agent_ids).order_by("pk")
    )  # locked in id order, like every multi-row lock here
    if len(agents) != len(set(agent_ids)):
        raise ApplicationError("Some of the chosen agents do not exist.", field="agents")
    _seats_left(request, len(agents))
    engagements = []
    for agent in agents:
        if not agent_matches_request(agent=agent, request=request, check_region=False):
            raise ConflictError(f"{agent} does not have the skill or language asked for.")
        application, _ = Application.objects.get_or_create(request=request, agent=agent)
        if application.status == AppStatus.APPROVED:
            raise ConflictError(f"{agent} is already engaged on this request.")
        application.assigned_by_agency = True
        application.save(update_fields=["assigned_by_agency"])
        _decided(application, AppStatus.APPROVED, actor=user, reason="Assigned by the agency")
        engagements.append(_engage(application, request))
    for engagement in engagements:
        notices.engagement_started(engagement=engagement)
    return engagements


@transaction.atomic
def engagement_end(
    *,
    engagement_id: int,
    user: User,
    reason: str,
    firm: ClientFirm | None = None,
    agent: AgentProfile | None = None,
) -> Engagement:
    """Either side ends an engagement (scoped by `firm` or `agent`); routing stops at once."""
    scope = {"firm": firm} if firm is not None else {"agent": agent}
    if firm is None and agent is None:
        raise ValueError("engagement_end needs the firm or the agent that ends it")
    engagement = Engagement.objects.select_for_update().filter(pk=engagement_id, **scope).first()
    if engagement is None:
        raise ApplicationError("No such engagement.")
    if engagement.status != Engagement.Status.ACTIVE:
        raise ConflictError("This engagement has already ended.")
    reason = reason.strip()
    if not reason:
        raise ApplicationError("Please give a reason.", field="reason")
    engagement.status = Engagement.Status.ENDED
    engagement.ended_at, engagement.ended_by, engagement.end_reason = timezone.now(), user, reason
    engagement.ends_on = max(min(engagement.ends_on, timezone.localdate()), engagement.starts_on)
    engagement.save(update_fields=["status", "ended_at", "ended_by", "end_reason", "ends_on"])
    if firm is not None:  # the agent who ends it knows
        notices.engagement_ended(engagement=engagement)
    return engagement


@transaction.atomic
def engagements_expire(*, today: dt.date | None = None) -> int:
    """End engagements past their end date (daily); returns how many ended."""
    today = today or timezone.localdate()
    due = Engagement.objects.select_for_update().filter(
        status=Engagement.Status.ACTIVE, ends_on__lt=today
    )
    ids = list(due.values_list("pk", flat=True))
    ended = Engagement.objects.filter(pk__in=ids).update(
        status=Engagement.Status.ENDED, ended_at=timezone.now(), end_reason="The end date passed."
    )
    for engagement in Engagement.objects.filter(pk__in=ids).select_related(
        "agent__user", "firm", "request"
    ):
        notices.engagement_ended(engagement=engagement)
    return ended
