import datetime as dt
import functools

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from agents.attestations import CURRENT as CURRENT_ATTESTATIONS
from agents.models import (
    AgentDocument,
    AgentLanguage,
    AgentProfile,
    AgentSkill,
    AvailabilityWindow,
    VerificationCheck,
)
from common.models import AuditAction, AuditRecord
from common.sqlform import named_placeholders


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


def _available(
    *, domain: str, language: str, today: dt.date, minute: int, sub_skill: str
) -> QuerySet[AgentProfile]:
    """Who may take a call: the one statement of the rules (both forms below come from it)."""
    window = AvailabilityWindow.objects.filter(
        agent=OuterRef("pk"), utc_start_minute__lte=minute, utc_end_minute__gt=minute
    )
    return (
        AgentProfile.objects.filter(
            status=AgentProfile.Status.VERIFIED, duty_status=AgentProfile.Duty.AVAILABLE
        )
        .compliant_on(today)
        .filter(Exists(AgentLanguage.objects.filter(agent=OuterRef("pk"), language=language)))
        .filter(Exists(skills_matching(domain=domain, sub_skill=sub_skill)))
        .filter(Exists(window))
    )


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
    return _available(
        domain=domain,
        language=language,
        today=timezone.localdate(at),
        minute=minute_of_week(at),
        sub_skill=sub_skill,
    ).order_by("duty_changed_at", "pk")


# The SQL form, for routing's hot path: a call waits on that query, and building the ORM
# form costs more (~2.5 ms of Python per call at 100k agents) than PostgreSQL takes to answer
# it. It is not written by hand: `_available`'s WHERE clause is compiled once per process,
# database vendor and variant (with or without a sub-skill, which changes the query's shape),
# with a sentinel for each argument; each sentinel, found again among the compiled
# parameters, becomes a named placeholder, and the rule's own constants (the statuses, True)
# stay parameters of their own. So a new rule is written once, in `_available` (or in
# `AgentProfileQuerySet.compliant_on`), and routing's SQL follows. Chosen over a declarative
# list of conditions rendered twice: that would still need a renderer per kind of condition
# (EXISTS, OR, NULL), which is what Django's compiler already is.
# tests/agents/test_available_agents_selector.py runs every case against both forms.
# (Within each field's range: Django drops a comparison with an integer no column can hold.)
_SENTINELS = {
    "domain": "@@domain@@",
    "language": "@@language@@",
    "sub_skill": "@@sub_skill@@",
    "today": dt.date(1, 2, 3),
    "minute": 32_109,  # no minute of a week (< 10,080)
}


@functools.cache
def _available_template(vendor: str, with_sub_skill: bool, alias: str) -> tuple[str, dict]:
    """(WHERE fragment with %(name)s placeholders, the constants it needs) for `vendor`."""
    # `vendor` is the cache key only (always `connection.vendor`): SQL differs per backend.
    sentinels = dict(_SENTINELS, sub_skill=_SENTINELS["sub_skill"] if with_sub_skill else "")
    query = _available(**sentinels).query
    sql, compiled = query.get_compiler(connection=connection).compile(query.where)
    # The empty sub-skill is the rule's own constant, not an argument to name.
    named = {name: value for name, value in sentinels.items() if value != ""}
    sql, constants = named_placeholders(sql, compiled, named, prefix="available")
    # The outer table is named in full (subqueries have their own aliases, U0, U1, …).
    sql = sql.replace(connection.ops.quote_name(AgentProfile._meta.db_table) + ".", alias + ".")
    return sql, constants


def agents_available_sql(
    *, domain: str, language: str, at: dt.datetime, sub_skill: str = "", alias: str = "p"
) -> tuple[str, dict]:
    """`agents_available_for` as a WHERE fragment over `agents_agentprofile AS <alias>` and
    its named parameters (`%(name)s`, for `cursor.execute` or `Model.objects.raw`)."""
    sql, constants = _available_template(connection.vendor, bool(sub_skill), alias)
    params = {
        "today": timezone.localdate(at),
        "minute": minute_of_week(at),
        "language": language,
        "domain": domain,
        "sub_skill": sub_skill,
        **constants,
    }
    return sql, params


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
        ("Languages & skills", "agents:skills", agent.languages.exists() and agent.skills.exists()),
        ("Bank account", "agents:bank", bool(agent.bank_account_last4)),
        ("Documents", "agents:documents", {"identity", "address"} <= kinds),
        ("Attestations", "agents:attestations", not attestations_outstanding(agent=agent)),
        ("Availability", "agents:availability", agent.availability.exists()),
    ]
    return [{"label": label, "url_name": name, "done": done} for label, name, done in steps]


# --- Where the agent stands, and what they can do about it ----------------------------

# Re-applying after a rejection: at most this many decisions in all. A rejection says the
# vetting team looked and said no; three looks at one person is plenty, and past it the
# page sends them to the vetting team instead of the queue (a person, not a loop).
MAX_REJECTIONS = 3

# What counts as "something changed since the rejection": the things a vetting admin
# decided on. Languages, skills and availability are the agent's own say and never checked.
_CHANGES = [
    AuditAction.PROFILE_CHANGED,
    AuditAction.BANK_DETAILS_SET,
    AuditAction.BANK_DETAILS_CHANGED,
]


def agent_decision_latest(*, agent: AgentProfile, action: str) -> AuditRecord | None:
    """The latest record of `action` (rejected, suspended) about the agent: its reason and
    time are what the agent's home page shows. The reason is the one vetting gave the agent
    (the decision's email quotes it too; the vetting page says so)."""
    records = AuditRecord.objects.about(agent).filter(action=action)
    return records.order_by("-created_at", "-id").first()


def agent_reapply_refusal(*, agent: AgentProfile) -> str:
    """Why a rejected agent may not send their application again yet ('' when they may)."""
    records = AuditRecord.objects.about(agent)
    if records.filter(action=AuditAction.REJECTED).count() >= MAX_REJECTIONS:
        return (
            "Your application was declined several times, so it can't be sent again here. "
            "Please write to our vetting team."
        )
    rejected = agent_decision_latest(agent=agent, action=AuditAction.REJECTED)
    since = rejected.created_at if rejected else None
    if since is None:
        return ""
    changed = (
        agent.documents.filter(uploaded_at__gt=since).exists()
        or records.filter(action__in=_CHANGES, created_at__gt=since).exists()
    )
    if not changed:
        return (
            "Nothing has changed since the decision: correct what it names (upload a new "
            "document, or fix your name, city or bank details), then apply again."
        )
    return ""


# The checks an agent can do something about, and where: (the page, what to do there).
_CHECK_FIXES = {
    VerificationCheck.Kind.IDENTITY: ("agents:documents", "Upload a clear identity proof"),
    VerificationCheck.Kind.ADDRESS: ("agents:documents", "Upload a recent address proof"),
    VerificationCheck.Kind.BACKGROUND: (
        "agents:documents",
        "Upload your renewed background check certificate",
    ),
    VerificationCheck.Kind.INFOSEC_TRAINING: (
        "agents:documents",
        "Upload the certificate of your renewed information-security training",
    ),
}


def agent_next_steps(*, agent: AgentProfile) -> list[dict]:
    """What the agent can do about a rejected or expired check: a line each, with its page."""
    steps = []
    bad = [VerificationCheck.Status.REJECTED, VerificationCheck.Status.EXPIRED]
    for check in agent.checks.filter(status__in=bad).order_by("pk"):
        url_name, text = _CHECK_FIXES[check.kind]
        if check.status == VerificationCheck.Status.REJECTED:
            why = check.reason or "it was not accepted"
        else:  # an approval's note is no reason: say when it ran out
            why = f"expired on {check.expires_on:%d %b %Y}" if check.expires_on else "expired"
        label = check.get_kind_display()
        steps.append({"text": text, "url_name": url_name, "why": why, "label": label})
    # Certificates with a date (an insurance licence) bound compliance the same way.
    for document in certificates_lapsed(agent=agent, today=timezone.localdate()):
        name = document.title or "certificate"
        steps.append(
            {
                "text": f"Upload your renewed {name}",
                "url_name": "agents:documents",
                "why": f"expired on {document.expires_on:%d %b %Y}",
                "label": name,
            }
        )
    return steps


def certificates_in_force(*, agent: AgentProfile, today: dt.date) -> list[AgentDocument]:
    """The agent's dated certificates that count: each one not expired, and each expired one
    not yet renewed. A renewal is a later upload with the same title (any case) that has not
    expired: the expiry email asks the agent to upload the renewed certificate, and there is
    no deleting evidence, so without this an expired licence kept the agent out for good."""
    dated = list(agent.documents.filter(kind="certificate", expires_on__isnull=False))
    renewed = {d.title.strip().casefold() for d in dated if d.expires_on >= today}
    return [d for d in dated if d.expires_on >= today or d.title.strip().casefold() not in renewed]


def certificates_lapsed(*, agent: AgentProfile, today: dt.date) -> list[AgentDocument]:
    """Expired certificates that no renewal replaces (see `certificates_in_force`)."""
    return [d for d in certificates_in_force(agent=agent, today=today) if d.expires_on < today]
