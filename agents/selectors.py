import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from agents.attestations import CURRENT as CURRENT_ATTESTATIONS
from agents.models import AgentLanguage, AgentProfile, AgentSkill, AvailabilityWindow


def agent_profile_get(*, user: User) -> AgentProfile | None:
    return AgentProfile.objects.filter(user=user).first()


def agent_status_counts() -> dict[str, int]:
    counts = dict.fromkeys(AgentProfile.Status.values, 0)
    for row in AgentProfile.objects.values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts


def minute_of_week(moment: dt.datetime) -> int:
    """UTC minutes since Monday 00:00 — the unit AvailabilityWindow's UTC columns use."""
    utc = moment.astimezone(dt.UTC)
    return utc.weekday() * 1440 + utc.hour * 60 + utc.minute


def skills_matching(*, domain: str, sub_skill: str = "") -> QuerySet[AgentSkill]:
    """The outer agent's skill rows that qualify: the sub-skill, or the domain in general.

    For `Exists(...)` in a query over agents (it refers to OuterRef("pk")).
    """
    skills = AgentSkill.objects.filter(agent=OuterRef("pk"), domain=domain)
    if sub_skill:
        skills = skills.filter(Q(sub_skill=sub_skill) | Q(sub_skill=""))
    return skills


def agents_available_for(
    *, domain: str, language: str, at: dt.datetime | None = None, sub_skill: str = ""
) -> QuerySet[AgentProfile]:
    """Agents who may be offered a call now: the one interface routing builds on.

    Verified, compliant today, on duty and idle (`available`), inside a weekly availability
    window, speaking `language` and skilled in `domain` (and `sub_skill` when given; an
    agent skilled in the domain in general qualifies too). Each condition is an indexed
    equality or range: the partial index on (duty_status, duty_changed_at) for verified
    agents narrows to the few on duty, and the EXISTS probes use (language, agent),
    (domain, agent) and (agent, utc_start_minute, utc_end_minute).
    Ordered longest idle first; routing re-ranks by distance.
    """
    at = at or timezone.now()
    today = timezone.localdate(at)
    minute = minute_of_week(at)
    skills = skills_matching(domain=domain, sub_skill=sub_skill)
    return (
        AgentProfile.objects.filter(
            status=AgentProfile.Status.VERIFIED,
            duty_status=AgentProfile.Duty.AVAILABLE,
            is_compliant=True,
        )
        .filter(Q(compliant_until__isnull=True) | Q(compliant_until__gte=today))
        .filter(Exists(AgentLanguage.objects.filter(agent=OuterRef("pk"), language=language)))
        .filter(Exists(skills))
        .filter(
            Exists(
                AvailabilityWindow.objects.filter(
                    agent=OuterRef("pk"),
                    utc_start_minute__lte=minute,
                    utc_end_minute__gt=minute,
                )
            )
        )
        .order_by("duty_changed_at", "pk")
    )


# The same conditions as `agents_available_for`, as SQL for routing's hot path: a call waits
# on this query, and building the ORM form costs more (~2.5 ms of Python per call at 100k
# agents) than PostgreSQL takes to answer it. tests/agents/test_available_agents_selector.py
# runs every case against both forms.
AVAILABLE_SQL = """
    {p}.status = %(verified)s AND {p}.duty_status = %(available)s AND {p}.is_compliant
    AND ({p}.compliant_until IS NULL OR {p}.compliant_until >= %(today)s)
    AND EXISTS (SELECT 1 FROM agents_agentlanguage l
                 WHERE l.agent_id = {p}.id AND l.language = %(language)s)
    AND EXISTS (SELECT 1 FROM agents_agentskill s
                 WHERE s.agent_id = {p}.id AND s.domain = %(domain)s
                   AND (%(sub_skill)s = '' OR s.sub_skill = %(sub_skill)s OR s.sub_skill = ''))
    AND EXISTS (SELECT 1 FROM agents_availabilitywindow w
                 WHERE w.agent_id = {p}.id
                   AND w.utc_start_minute <= %(minute)s AND w.utc_end_minute > %(minute)s)
"""


def agents_available_sql(
    *, domain: str, language: str, at: dt.datetime, sub_skill: str = "", alias: str = "p"
) -> tuple[str, dict]:
    """`agents_available_for` as a WHERE fragment over `agents_agentprofile AS <alias>` and
    its named parameters (`%(name)s`, for `cursor.execute` or `Model.objects.raw`)."""
    params = {
        "verified": AgentProfile.Status.VERIFIED, "available": AgentProfile.Duty.AVAILABLE,
        "today": timezone.localdate(at), "language": language, "domain": domain,
        "sub_skill": sub_skill, "minute": minute_of_week(at),
    }  # fmt: skip
    return AVAILABLE_SQL.format(p=alias), params


def agent_missing_items(*, agent: AgentProfile) -> list[str]:
    """What the agent still has to do before submitting for review, in plain words."""
    missing = []
    if not agent.full_name:
        missing.append("your full name")
    if not agent.phone_verified_at:
        missing.append("a confirmed mobile phone number")
    if not agent.geoname_id:
        missing.append("your home city")
    if not agent.languages.exists():
        missing.append("at least one language")
    if not agent.skills.exists():
        missing.append("at least one domain skill")
    if not agent.bank_account_last4:
        missing.append("a bank account for payouts")
    kinds = set(agent.documents.values_list("kind", flat=True))
    for kind, label in (("identity", "an identity proof"), ("address", "an address proof")):
        if kind not in kinds:
            missing.append(label)
    if attestations_outstanding(agent=agent):
        missing.append("the compliance attestations")
    return missing


def attestations_outstanding(*, agent: AgentProfile) -> list[str]:
    accepted = set(agent.attestations.values_list("kind", "version"))
    return [a.kind for a in CURRENT_ATTESTATIONS.values() if (a.kind, a.version) not in accepted]


def enrolment_steps(*, agent: AgentProfile) -> list[dict]:
    """The guided profile's steps, in order, each with whether it is complete."""
    kinds = set(agent.documents.values_list("kind", flat=True))
    steps = [
        ("About you", "agents:profile", bool(agent.full_name and agent.geoname_id)),
        ("Phone", "agents:phone", bool(agent.phone_verified_at)),
        ("Languages & skills", "agents:skills",
         agent.languages.exists() and agent.skills.exists()),
        ("Bank account", "agents:bank", bool(agent.bank_account_last4)),
        ("Documents", "agents:documents", {"identity", "address"} <= kinds),
        ("Attestations", "agents:attestations", not attestations_outstanding(agent=agent)),
        ("Availability", "agents:availability", agent.availability.exists()),
    ]  # fmt: skip
    return [{"label": label, "url_name": name, "done": done} for label, name, done in steps]
