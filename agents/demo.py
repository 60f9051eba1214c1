"""Demo home agents in Indian tier-II cities, one in every state, with documents."""

import datetime as dt
import zlib

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.demo import demo_user
from accounts.models import User
from agents.attestations import ATTESTATIONS
from agents.enrolment import bank_details_set, language_set, skill_set
from agents.gazetteer import place_find
from agents.models import (
    AgentDocument,
    AgentProfile,
    AttestationAcceptance,
    VerificationCheck,
)
from agents.presence import duty_spell_sync
from agents.services import agent_profile_create, availability_set, compliance_refresh
from agents.staff_selectors import agent_timeline
from common.audit import audit_log
from common.models import AuditAction

S = AgentProfile.Status
DEMO_AGENTS = [
    # email, name, city, status, phone, languages, (domain, sub_skill, level, years)
    (
        "meera@agents.example",
        "Meera Shenoy",
        "Mangaluru",
        S.VERIFIED,
        "+919845000001",
        [("kn", 5), ("en", 4), ("tcy", 5), ("kok", 4)],
        ("insurance", "claims", 5, 28),
    ),
    (
        "raman@agents.example",
        "Raman Pillai",
        "Madurai",
        S.VERIFIED,
        "+919845000002",
        [("ta", 5), ("en", 4)],
        ("banking", "loans", 4, 31),
    ),
    (
        "anand@agents.example",
        "Anand Iyer",
        "Coimbatore",
        S.VERIFIED,
        "+919845000007",
        [("ta", 5), ("en", 5), ("ml", 3)],
        ("insurance", "", 4, 22),
    ),
    (
        "priya@agents.example",
        "Priya Kamath",
        "Udupi",
        S.VERIFIED,
        "+919845000008",
        [("kn", 5), ("en", 5), ("tcy", 4)],
        ("insurance", "claims", 4, 19),
    ),
    (
        "karthik@agents.example",
        "Karthik Subramanian",
        "Dindigul",
        S.VERIFIED,
        "+919845000009",
        [("ta", 5), ("en", 4)],
        ("banking", "loans", 5, 33),
    ),
    (
        "lakshmi@agents.example",
        "Lakshmi Rao",
        "Visakhapatnam",
        S.IN_REVIEW,
        "+919845000003",
        [("te", 5), ("en", 4), ("hi", 3)],
        ("telecom", "billing", 4, 18),
    ),
    (
        "joseph@agents.example",
        "Joseph Kurian",
        "Kochi",
        S.APPLIED,
        "+919845000004",
        [("ml", 5), ("en", 5)],
        ("retail", "orders", 3, 12),
    ),
    (
        "gowri@agents.example",
        "Gowri Hegde",
        "Mysuru",
        S.SUSPENDED,
        "+919845000005",
        [("kn", 5), ("en", 3)],
        ("insurance", "policy servicing", 4, 25),
    ),
    (
        "suresh@agents.example",
        "Suresh Babu",
        "Vijayawada",
        S.REJECTED,
        "+919845000006",
        [("te", 5)],
        ("banking", "cards", 2, 6),
    ),
]

SUSPENSION_REASON = "Missed the infosec refresher"
REJECTION_REASON = "Identity could not be confirmed"
# What each state is in the demo, for the logins seed_demo prints (README.md, "The demo").
STATE_NOTES = {
    S.VERIFIED: "verified, on duty",
    S.IN_REVIEW: "in review (the vetting queue)",
    S.APPLIED: "applied, not yet submitted",
    S.SUSPENDED: f"suspended ({SUSPENSION_REASON.lower()})",
    S.REJECTED: "rejected (identity unreadable), may re-apply",
}

DEMO_PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _vetted(agent: AgentProfile, status: str, reviewer: User | None) -> None:
    """Put the checks and the timeline in a state that fits `status`."""
    if status == S.APPLIED or agent_timeline(agent=agent).exists():
        return
    audit_log(actor=agent.user, action=AuditAction.SUBMITTED, target=agent)
    if status == S.IN_REVIEW:
        return
    expiry = timezone.localdate() + dt.timedelta(days=200)
    decided = {"decided_by": reviewer, "decided_at": timezone.now()}
    if status == S.REJECTED:
        agent.checks.filter(kind="identity").update(
            status="rejected", reason="The identity scan is unreadable", **decided
        )
        audit_log(
            actor=reviewer,
            action=AuditAction.REJECTED,
            target=agent,
            reason=REJECTION_REASON,
        )
        return
    for check in agent.checks.all():
        check.status = VerificationCheck.Status.APPROVED
        check.expires_on = expiry if check.kind in VerificationCheck.EXPIRING else None
        check.decided_by, check.decided_at = reviewer, timezone.now()
        check.save()
    audit_log(actor=reviewer, action=AuditAction.VERIFIED, target=agent)
    if status == S.SUSPENDED:
        audit_log(
            actor=reviewer,
            action=AuditAction.SUSPENDED,
            target=agent,
            reason=SUSPENSION_REASON,
        )
    compliance_refresh(agent=agent)


def demo_pan(name: str) -> str:
    """A PAN of the right shape for a demo agent: 'HSDP' (P: an individual), the name's
    initial, four digits from the name (never 0000), a letter. Not a real person's PAN."""
    digits = zlib.crc32(name.encode()) % 9000 + 1000
    return f"HSDP{name[0].upper()}{digits}K"


def seed_demo() -> list[tuple[str, str]]:
    reviewer = User.objects.filter(role=User.Role.VETTING).first()
    logins = []
    for email, name, city, status, phone, languages, skill in DEMO_AGENTS:
        user = demo_user(email, name=name, role=User.Role.AGENT)
        agent = agent_profile_create(user=user)
        place = place_find(city, country_code="IN")
        for field, value in {
            "full_name": name,
            "pan": agent.pan or demo_pan(name),
            "status": status,
            "geoname_id": place.geoname_id,
            "city": place.name,
            "state": place.state,
            "latitude": place.latitude,
            "longitude": place.longitude,
            "time_zone": place.time_zone,
            "phone": phone,
            "phone_verified_at": agent.phone_verified_at or timezone.now(),
            "submitted_at": agent.submitted_at or timezone.now() - dt.timedelta(days=3),
        }.items():
            setattr(agent, field, value)
        agent.save()
        for code, level in languages:
            language_set(agent=agent, language=code, proficiency=level)
        domain, sub_skill, level, years = skill
        skill_set(agent=agent, domain=domain, sub_skill=sub_skill, level=level, years=years)
        bank_details_set(
            agent=agent, holder_name=name, ifsc="SBIN0001234", account_number=phone[-10:] + "42"
        )
        # All day, every day: the demo's calls can be simulated at any hour.
        availability_set(
            agent=agent, windows=[(day, dt.time(0), dt.time(23, 59)) for day in range(7)]
        )
        for attestation in ATTESTATIONS:
            AttestationAcceptance.objects.get_or_create(
                agent=agent,
                kind=attestation.kind,
                version=attestation.version,
                defaults={"ip_address": "127.0.0.1"},
            )
        for kind in ("identity", "address"):
            if not agent.documents.filter(kind=kind).exists():
                AgentDocument.objects.create(
                    agent=agent,
                    kind=kind,
                    content_type="application/pdf",
                    size=len(DEMO_PDF),
                    sha256="demo",
                    file=ContentFile(DEMO_PDF, f"{kind}.pdf"),
                )
        _vetted(agent, status, reviewer)
        if status == S.VERIFIED and agent.duty_status == AgentProfile.Duty.OFFLINE:
            # On duty, so that the routing demo has someone to call.
            agent.duty_status, agent.duty_changed_at = "available", timezone.now()
            agent.save(update_fields=["duty_status", "duty_changed_at"])
            duty_spell_sync(agent_id=agent.pk, on_duty=True)
        logins.append((email, f"Home agent, {place.name}: {STATE_NOTES[status]}"))
    return logins
