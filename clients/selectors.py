"""Reads for client firms and the marketplace. Firm-facing reads always take the firm."""

import datetime as dt
import functools
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.models import User
from agents.models import AgentLanguage, AgentProfile, AgentSkill
from agents.selectors import skills_matching
from clients.models import (
    Application,
    ClientFirm,
    Contact,
    ContactNumber,
    Engagement,
    FirmMember,
    LinePrompt,
    PhoneLine,
    RequestRegion,
    Scorecard,
    ScorecardCriterion,
    StaffingRequest,
    WebhookDelivery,
    WebhookEndpoint,
)
from clients.rates import agent_share
from common.geo import bounding_box, haversine_km
from common.sqlform import named_placeholders

Active = Engagement.Status.ACTIVE


def engagement_covering(
    *, agent: AgentProfile | int, line: PhoneLine | int, at: dt.datetime
) -> Engagement | None:
    """The agent's engagement that covers `line` at `at` (the oldest, if several do)."""
    return Engagement.objects.filter(agent=agent).covering(line=line, at=at).order_by("pk").first()


# The SQL form of `Engagement.objects.covering`, for routing's hot path (its ranking is raw
# SQL, see routing.selectors): the queryset, as a scalar subquery giving the covering
# engagement's id (the oldest, if several do) for the outer agent row, compiled once per
# process, vendor and alias with a sentinel for each argument (`common.sqlform`), as
# `agents.selectors.agents_available_sql` is. So the rule is written once, in
# `EngagementQuerySet`, and routing's SQL follows it.
# tests/routing/test_calls_go_where_the_firm_approved.py runs every case against both forms.
_COVERING_SENTINELS = {
    "line": 987_654_321,
    "at": dt.datetime(2001, 2, 3, 4, 5, 6, 789, tzinfo=dt.UTC),
}


@functools.cache
def _covering_template(vendor: str, alias: str) -> tuple[str, dict]:
    # `vendor` is the cache key only (always `connection.vendor`): SQL differs per backend.
    covering = (
        Engagement.objects.covering(**_COVERING_SENTINELS)
        .filter(agent=OuterRef("pk"))
        .order_by("pk")
        .values("pk")[:1]
    )
    query = AgentProfile.objects.annotate(engagement_id=Subquery(covering)).query
    compiler = query.get_compiler(connection=connection)
    sql, compiled = compiler.compile(query.annotations["engagement_id"])
    at = connection.ops.adapt_datetimefield_value(_COVERING_SENTINELS["at"])
    sql, constants = named_placeholders(
        sql, compiled, {"line": _COVERING_SENTINELS["line"], "at": at}, prefix="covering"
    )
    # The outer table is named in full (the subquery's own tables are U0, U1, …).
    sql = sql.replace(connection.ops.quote_name(AgentProfile._meta.db_table) + ".", alias + ".")
    return sql, constants


def engagement_covering_sql(*, line_id: int, at: dt.datetime, alias: str = "p") -> tuple[str, dict]:
    """`engagement_covering` as a scalar subquery over `agents_agentprofile AS <alias>` (the
    covering engagement's id, or NULL) and its named parameters (`%(line)s`, `%(at)s`)."""
    sql, constants = _covering_template(connection.vendor, alias)
    return sql, {
        "line": line_id,
        "at": connection.ops.adapt_datetimefield_value(at),
        **constants,
    }


def membership_get(*, user: User) -> FirmMember | None:
    return FirmMember.objects.select_related("firm").filter(user=user).first()


def lines_of(*, firm: ClientFirm) -> QuerySet[PhoneLine]:
    return PhoneLine.objects.filter(firm=firm).prefetch_related("languages")


def line_prompts_of(*, firm: ClientFirm, line: PhoneLine) -> dict[tuple[str, str], str]:
    """The firm's own prompt texts on its line, by (language, prompt key)."""
    rows = LinePrompt.objects.filter(line=line, line__firm=firm)
    return {(p.language, p.key): p.text for p in rows}


def requests_of(*, firm: ClientFirm) -> QuerySet[StaffingRequest]:
    return (
        StaffingRequest.objects.filter(firm=firm)
        .prefetch_related("languages", "regions")
        .annotate(
            pending=Count("applications", filter=Q(applications__status="applied"), distinct=True),
            engaged=Count("engagements", filter=Q(engagements__status=Active), distinct=True),
        )
        .order_by("-created_at", "-id")  # annotate() drops Meta.ordering: restate it
    )


def engagements_of(*, firm: ClientFirm) -> QuerySet[Engagement]:
    return (
        Engagement.objects.filter(firm=firm)
        .select_related("agent", "request")
        .prefetch_related("lines")
    )


def applications_to(*, firm: ClientFirm) -> QuerySet[Application]:
    """Applications to the firm's requests (another firm's id: not in here, so a 404)."""
    return Application.objects.filter(request__firm=firm).select_related("agent", "request")


def firms_with_members() -> QuerySet[ClientFirm]:
    """Every firm with its people: the agency's firms page."""
    return ClientFirm.objects.prefetch_related("members__user").order_by("name")


def pool_of(*, request: StaffingRequest) -> QuerySet[Application]:
    """A request's applicants with what a firm may see of them (no documents, no bank)."""
    return (
        Application.objects.filter(request=request)
        .select_related("agent")
        .prefetch_related(
            "agent__languages",
            Prefetch("agent__skills", queryset=AgentSkill.objects.filter(domain=request.domain)),
        )
    )


def applications_of_agent(*, agent: AgentProfile) -> QuerySet[Application]:
    """The agent's own applications, with the request and firm each page names."""
    return Application.objects.filter(agent=agent).select_related("request__firm")


def engagements_for_agent(*, agent: AgentProfile) -> QuerySet[Engagement]:
    return Engagement.objects.filter(agent=agent).select_related("firm", "request")


def _skill_q(request: StaffingRequest) -> Q:
    return Q(Exists(skills_matching(domain=request.domain, sub_skill=request.sub_skill)))


def _near_any(regions: list[RequestRegion], radius_km: float) -> Q:
    """A bounding-box pre-filter around every region (exact distance is checked after)."""
    q = Q(pk__in=[])
    for r in regions:
        min_lat, max_lat, min_lon, max_lon = bounding_box(r.latitude, r.longitude, radius_km)
        q |= Q(
            latitude__gte=min_lat,
            latitude__lte=max_lat,
            longitude__gte=min_lon,
            longitude__lte=max_lon,
        )
    return q


def nearest_region_km(agent: AgentProfile, regions: list[RequestRegion]) -> float | None:
    if agent.latitude is None or agent.longitude is None or not regions:
        return None
    return min(
        haversine_km(agent.latitude, agent.longitude, r.latitude, r.longitude) for r in regions
    )


def verified_supply(*, request: StaffingRequest, languages: list[str] | None = None):
    """Verified, compliant agents with the request's skill and one of its languages (queryset)."""
    languages = languages or list(request.languages.values_list("language", flat=True))
    today = timezone.localdate()
    return (
        AgentProfile.objects.filter(status=AgentProfile.Status.VERIFIED)
        .compliant_on(today)
        .filter(_skill_q(request))
        .filter(Exists(AgentLanguage.objects.filter(agent=OuterRef("pk"), language__in=languages)))
    )


def _in_region(agents, request: StaffingRequest) -> list[AgentProfile]:
    regions = list(request.regions.all())
    near = agents.filter(_near_any(regions, request.region_radius_km))
    return [
        a
        for a in near
        if (d := nearest_region_km(a, regions)) is not None and d <= request.region_radius_km
    ]


@dataclass
class Supply:
    language: str
    label: str
    agents: int
    on_duty: int


def request_supply(*, request: StaffingRequest) -> dict:
    """Today's verified supply for the request, per language and in total, and the gap."""
    rows = []
    matched: set[int] = set()
    for row in request.languages.all():
        agents = _in_region(verified_supply(request=request, languages=[row.language]), request)
        matched |= {a.pk for a in agents}
        on_duty = sum(1 for a in agents if a.duty_status != AgentProfile.Duty.OFFLINE)
        rows.append(Supply(row.language, row.get_language_display(), len(agents), on_duty))
    engaged = request.engagements.filter(status=Active).count()
    return {
        "by_language": rows,
        "total": len(matched),
        "engaged": engaged,
        "gap": max(request.headcount - len(matched), 0),
        "seats_left": max(request.headcount - engaged, 0),
    }


def agent_matches_request(
    *, agent: AgentProfile, request: StaffingRequest, check_region: bool = True
) -> bool:
    languages = list(request.languages.values_list("language", flat=True))
    if not verified_supply(request=request, languages=languages).filter(pk=agent.pk).exists():
        return False
    if not check_region:
        return True
    distance = nearest_region_km(agent, list(request.regions.all()))
    return distance is not None and distance <= request.region_radius_km


def opportunities_for(*, agent: AgentProfile) -> list[dict]:
    """Open requests that match the agent's skills, languages and region, nearest first."""
    today = timezone.localdate()
    skills = AgentSkill.objects.filter(agent=agent)
    requests = (
        StaffingRequest.objects.filter(status=StaffingRequest.Status.OPEN, end_date__gte=today)
        .filter(domain__in=skills.values("domain"))
        .filter(languages__language__in=agent.languages.values("language"))
        .distinct()
        .select_related("firm")
        .prefetch_related("languages", "regions")
    )
    applied = {
        a.request_id: a for a in Application.objects.filter(agent=agent, request__in=requests)
    }
    owned = set(skills.values_list("domain", "sub_skill"))
    found = []
    for request in requests:
        if request.sub_skill and not (
            (request.domain, request.sub_skill) in owned or (request.domain, "") in owned
        ):
            continue
        distance = nearest_region_km(agent, list(request.regions.all()))
        if distance is None or distance > request.region_radius_km:
            continue
        found.append(
            {
                "request": request,
                "distance_km": distance,
                "application": applied.get(request.pk),
                "agent_rate": agent_share(request.rate, request.currency),
                "agent_minimum": agent_share(request.minimum_per_call, request.currency),
                "outbound_agent_rate": None
                if request.outbound_rate is None
                else agent_share(request.outbound_rate, request.currency),
                "email_agent_rate": None
                if request.email_rate is None
                else agent_share(request.email_rate, request.currency),
            }
        )
    found.sort(key=lambda o: (o["distance_km"], -o["request"].pk))
    return found


def matching_candidates(*, request: StaffingRequest, limit: int = 50) -> list[dict]:
    """Agents ranked by fit for a request: skill level, language proficiency, distance.

    fit = 0.4 x skill level/5 + 0.3 x best proficiency/5 + 0.3 x nearness, where nearness
    falls from 1 at a region served to 0 at the request's radius. Agents already engaged
    on the request are left out; ties go to the longer-verified agent (lower id).
    """
    regions = list(request.regions.all())
    wanted = set(request.languages.values_list("language", flat=True))
    engaged = request.engagements.filter(status=Active).values("agent")
    agents = (
        verified_supply(request=request)
        .exclude(pk__in=engaged)
        .filter(_near_any(regions, request.region_radius_km))
        .prefetch_related("languages", "skills")
    )
    ranked = []
    for agent in agents:
        distance = nearest_region_km(agent, regions)
        if distance is None or distance > request.region_radius_km:
            continue
        level = max(
            (
                s.level
                for s in agent.skills.all()
                if s.domain == request.domain and s.sub_skill in ("", request.sub_skill)
            ),
            default=0,
        )
        proficiency = max(
            (x.proficiency for x in agent.languages.all() if x.language in wanted), default=0
        )
        nearness = 1 - distance / request.region_radius_km if request.region_radius_km else 1
        fit = 0.4 * level / 5 + 0.3 * proficiency / 5 + 0.3 * nearness
        ranked.append(
            {
                "agent": agent,
                "fit": round(fit * 100),
                "skill_level": level,
                "proficiency": proficiency,
                "distance_km": distance,
            }
        )
    ranked.sort(key=lambda c: (-c["fit"], c["agent"].pk))
    return ranked[:limit]


def open_complete_requests() -> QuerySet[StaffingRequest]:
    return (
        StaffingRequest.objects.filter(
            status=StaffingRequest.Status.OPEN,
            firm__engagement_type=ClientFirm.EngagementType.COMPLETE,
        )
        .select_related("firm")
        .annotate(
            engaged=Count("engagements", filter=Q(engagements__status=Active), distinct=True),
            applicants=Count(
                "applications", filter=Q(applications__status="applied"), distinct=True
            ),
        )
        .order_by("start_date", "pk")
    )


def scorecards_of(*, firm: ClientFirm) -> QuerySet[Scorecard]:
    """The firm's scorecards with their criteria (in order), active first."""
    criteria = Prefetch("criteria", queryset=ScorecardCriterion.objects.order_by("position", "pk"))
    return (
        Scorecard.objects.filter(firm=firm)
        .prefetch_related(criteria)
        .order_by("-is_active", "name")
    )


def engaged_agents_on(*, line: PhoneLine) -> QuerySet[AgentProfile]:
    """The agents with an active engagement covering `line` (its firm's), by name."""
    engaged = Engagement.objects.filter(firm_id=line.firm_id, status=Active, lines=line)
    return AgentProfile.objects.filter(pk__in=engaged.values("agent_id")).order_by(
        "full_name", "pk"
    )


def contacts_of(*, firm: ClientFirm, q: str = "") -> QuerySet[Contact]:
    """The firm's contacts with their numbers; `q` finds a name (part of it) or a number
    (four digits or more of it, however spaced)."""
    rows = Contact.objects.filter(firm=firm).prefetch_related("numbers")
    q = q.strip()
    if not q:
        return rows
    digits = "".join(c for c in q if c.isdigit())
    if len(digits) >= 4:
        numbers = ContactNumber.objects.filter(firm=firm, number__contains=digits)
        return rows.filter(Q(pk__in=numbers.values("contact_id")) | Q(name__icontains=q))
    return rows.filter(name__icontains=q)


# --- Webhooks (issue 16) ---------------------------------------------------------------


def webhooks_of(*, firm: ClientFirm) -> QuerySet:
    """The firm's endpoints with their last delivery's time (the list's health column)."""
    return WebhookEndpoint.objects.filter(firm=firm).annotate(
        last_delivery_at=Max("deliveries__created_at"),
        waiting=Count("deliveries", filter=Q(deliveries__status="pending")),
    )


def webhook_deliveries_of(*, firm: ClientFirm, endpoint_id: int) -> QuerySet:
    """One endpoint's delivery log; scoped through the firm, so another firm's id is empty."""
    return WebhookDelivery.objects.filter(endpoint_id=endpoint_id, endpoint__firm=firm).defer(
        "payload"
    )
