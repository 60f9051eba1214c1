"""Writes for home agents: enrolment, vetting decisions and duty. Each one is atomic.

Decisions lock the profile row first (`select_for_update`) and decide on that fresh copy,
so two vetting admins clicking at once cannot both move an agent.
"""

import calendar
import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, User
from accounts.notifications import notification_send, staff_with_role
from agents.attestations import CURRENT as CURRENT_ATTESTATIONS
from agents.models import (
    AgentDocument,
    AgentProfile,
    AttestationAcceptance,
    AvailabilityWindow,
    VerificationCheck,
)
from agents.presence import duty_spell_sync
from agents.selectors import agent_missing_items, agent_reapply_refusal, certificates_in_force
from agents.signals import agent_available, agent_offline
from common.audit import audit_log
from common.errors import ApplicationError, ConflictError
from common.limits import field_check
from common.mail import mail_after_commit
from common.models import AuditAction as Action

Status = AgentProfile.Status


@transaction.atomic
def agent_profile_create(*, user: User, **fields) -> AgentProfile:
    """Open an application for a new home agent. Safe to call twice for one user."""
    profile, created = AgentProfile.objects.get_or_create(user=user, defaults=fields)
    if created:
        VerificationCheck.objects.bulk_create(
            [VerificationCheck(agent=profile, kind=kind) for kind in VerificationCheck.Kind]
        )
    return profile


def _locked(agent: AgentProfile) -> AgentProfile:
    return AgentProfile.objects.select_for_update().get(pk=agent.pk)


def _event(
    agent: AgentProfile, action: Action, *, actor: User | None, reason: str = "", check="", **rest
) -> None:
    """A record on the agent's vetting timeline (the check, if any, goes into its detail)."""
    if check:
        rest["check_kind"] = check
    audit_log(actor=actor, action=action, target=agent, reason=reason, **rest)


def _notify(agent: AgentProfile, subject: str, body: str) -> None:
    email = agent.user.email
    mail_after_commit(subject=subject, body=body, to=[email])


def _require(agent: AgentProfile, allowed: set[str], verb: str) -> None:
    if agent.status not in allowed:
        raise ConflictError(
            f"Cannot {verb} an agent whose status is {agent.get_status_display().lower()}.",
            extra={"status": agent.status},
        )


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Please give a reason.", field="reason")
    return reason


@transaction.atomic
def attestation_accept(*, agent: AgentProfile, kinds: list[str], ip_address: str | None) -> None:
    unknown = set(kinds) - set(CURRENT_ATTESTATIONS)
    if unknown:
        raise ApplicationError(f"Unknown attestation: {', '.join(sorted(unknown))}.")
    for kind in kinds:
        AttestationAcceptance.objects.get_or_create(
            agent=agent,
            kind=kind,
            version=CURRENT_ATTESTATIONS[kind].version,
            defaults={"ip_address": ip_address},
        )


@transaction.atomic
def agent_submit_for_review(*, agent: AgentProfile) -> AgentProfile:
    agent = _locked(agent)
    _require(agent, {Status.APPLIED}, "submit")
    missing = agent_missing_items(agent=agent)
    if missing:
        raise ApplicationError(
            "Before you submit, please add " + ", ".join(missing) + ".",
            extra={"missing": missing},
        )
    agent.status, agent.submitted_at = Status.IN_REVIEW, timezone.now()
    agent.save(update_fields=["status", "submitted_at", "updated_at"])
    _event(
        agent,
        Action.SUBMITTED,
        actor=agent.user,
        before={"status": Status.APPLIED},
        after={"status": Status.IN_REVIEW},
    )
    notification_send(
        users=staff_with_role(User.Role.VETTING),
        kind=Notification.Kind.PROFILE_SUBMITTED,
        title="A profile waits for review",
        body=f"{agent.full_name or 'A new agent'} submitted their profile for review.",
        url=reverse("vetting:agent", args=[agent.pk]),
    )
    return agent


@transaction.atomic
def agent_reapply(*, agent: AgentProfile) -> AgentProfile:
    """A rejected agent sends their corrected application again: back to `in_review`, at the
    end of the vetting queue, with every rejected check pending so that it is decided anew.

    Refused while nothing the vetting team decided on has changed since the rejection (a
    new document, or a changed name, city or bank details), and after MAX_REJECTIONS
    rejections: re-sending the same file only costs vetting a look with the same answer. No
    waiting period: an agent who fixes a blurred scan within the hour should not wait a week.
    """
    agent = _locked(agent)
    if agent.status != Status.REJECTED:
        raise ConflictError(
            "Only a declined application can be sent again.", extra={"status": agent.status}
        )
    refusal = agent_reapply_refusal(agent=agent)
    if refusal:
        raise ConflictError(refusal)
    missing = agent_missing_items(agent=agent)
    if missing:
        raise ApplicationError(
            "Before you apply again, please add " + ", ".join(missing) + ".",
            extra={"missing": missing},
        )
    rejected = agent.checks.select_for_update().filter(status=VerificationCheck.Status.REJECTED)
    for check in rejected.order_by("pk"):
        before = {"status": check.status, "expires_on": _day(check.expires_on)}
        check.status, check.reason = VerificationCheck.Status.PENDING, ""
        check.decided_by = check.decided_at = check.expires_on = None
        check.save(update_fields=["status", "reason", "decided_by", "decided_at", "expires_on"])
        _event(
            agent,
            Action.CHECK_REOPENED,
            actor=agent.user,
            reason="The agent applied again.",
            check=check.kind,
            before=before,
            after={"status": check.status, "expires_on": None},
        )
    agent.status, agent.submitted_at = Status.IN_REVIEW, timezone.now()
    agent.save(update_fields=["status", "submitted_at", "updated_at"])
    _event(
        agent,
        Action.SUBMITTED,
        actor=agent.user,
        reason="Applied again after a rejection.",
        before={"status": Status.REJECTED},
        after={"status": Status.IN_REVIEW},
        again=True,
    )
    return agent


@transaction.atomic
def check_decide(
    *,
    agent: AgentProfile,
    kind: str,
    approve: bool,
    actor: User,
    reason: str = "",
    expires_on: dt.date | None = None,
) -> VerificationCheck:
    agent = _locked(agent)
    check = VerificationCheck.objects.select_for_update().get(agent=agent, kind=kind)
    if not approve:
        reason = _require_reason(reason)
    if approve and kind in VerificationCheck.EXPIRING:
        if expires_on is None:
            raise ApplicationError("This check expires: give its expiry date.", field="expires_on")
        if expires_on <= timezone.localdate():
            raise ApplicationError("The expiry date must be in the future.", field="expires_on")
    before = {"status": check.status, "expires_on": _day(check.expires_on)}
    check.status = (
        VerificationCheck.Status.APPROVED if approve else VerificationCheck.Status.REJECTED
    )
    check.expires_on = expires_on if approve else None
    check.reason, check.decided_by, check.decided_at = reason, actor, timezone.now()
    check.reminded_at = None
    check.save()
    _event(
        agent,
        Action.CHECK_APPROVED if approve else Action.CHECK_REJECTED,
        actor=actor,
        reason=reason,
        check=kind,
        before=before,
        after={"status": check.status, "expires_on": _day(check.expires_on)},
    )
    compliance_refresh(agent=agent)
    return check


# What each check vouched for, and so which check a change of it sends back to review. The
# bank account has no check of its own: the identity check matches its holder to the person.
REOPENED_BY = {
    "full_name": VerificationCheck.Kind.IDENTITY,
    "city": VerificationCheck.Kind.ADDRESS,
    "bank": VerificationCheck.Kind.IDENTITY,
    "PAN": VerificationCheck.Kind.IDENTITY,  # whose tax the TDS is credited to
}


def checks_reopen(*, agent: AgentProfile, changed: list[str], actor: User) -> list[str]:
    """Send the checks that vouched for `changed` (keys of REOPENED_BY) back to pending review,
    each with an audit record; returns the kinds reopened. A check not yet decided (pending,
    or expired: it is re-decided anyway) stays as it is. Called inside the agent's own write.

    The agent's status does not change: a verified agent stays verified and can keep taking
    calls while a vetting admin re-checks the documents on file. Taking honest agents off
    the phones for a typo fix or a move would punish the common case; the person, their
    documents and attestations are the ones that were vetted, and the admin sees the reopened
    check on the agent's page (its timeline) and can suspend. Money is the risk of a bank
    change: finance sees the identity check pending before approving the next payout.
    """
    kinds = sorted({REOPENED_BY[name] for name in changed})
    decided = [VerificationCheck.Status.APPROVED, VerificationCheck.Status.REJECTED]
    checks = VerificationCheck.objects.select_for_update().filter(
        agent=agent, kind__in=kinds, status__in=decided
    )
    reopened = []
    for check in checks.order_by("pk"):
        before = {"status": check.status, "expires_on": _day(check.expires_on)}
        check.status, check.reason = VerificationCheck.Status.PENDING, ""
        check.decided_by = check.decided_at = check.expires_on = None
        check.save(update_fields=["status", "reason", "decided_by", "decided_at", "expires_on"])
        what = [name for name in changed if REOPENED_BY[name] == check.kind]
        _event(
            agent,
            Action.CHECK_REOPENED,
            actor=actor,
            reason=f"Changed by the agent: {', '.join(what)}.",
            check=check.kind,
            before=before,
            after={"status": check.status, "expires_on": None},
        )
        reopened.append(check.kind)
    return reopened


def _day(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def compliance_refresh(*, agent: AgentProfile, today: dt.date | None = None) -> None:
    """Recompute is_compliant / compliant_until from checks and certificates (in a transaction).

    Compliant: no check has expired and no certificate is past its date. `compliant_until`
    is the earliest coming expiry, so the routing selector drops the agent on that day even
    before the daily task has run.
    """
    today = today or timezone.localdate()
    checks = list(agent.checks.all())
    certificates = certificates_in_force(agent=agent, today=today)  # renewed ones replaced
    lapsed = [
        f"{c.get_kind_display()} expired on {c.expires_on:%d %b %Y}"
        for c in checks
        if c.status == VerificationCheck.Status.EXPIRED
    ] + [
        f"{d.title or 'Certificate'} expired on {d.expires_on:%d %b %Y}"
        for d in certificates
        if d.expires_on < today
    ]
    expiries = [c.expires_on for c in checks if c.status == "approved" and c.expires_on]
    expiries += [d.expires_on for d in certificates]
    agent.compliant_until = min(expiries) if expiries else None
    agent.is_compliant = not lapsed and (
        agent.compliant_until is None or agent.compliant_until >= today
    )
    agent.noncompliant_reason = (
        "" if agent.is_compliant else ("; ".join(lapsed)[:255] or "A check has expired.")
    )
    if not agent.is_compliant:
        agent.duty_status = AgentProfile.Duty.OFFLINE
        duty_spell_sync(agent_id=agent.pk, on_duty=False)
    agent.save(
        update_fields=[
            "is_compliant",
            "compliant_until",
            "noncompliant_reason",
            "duty_status",
            "updated_at",
        ]
    )


@transaction.atomic
def agent_verify(*, agent: AgentProfile, actor: User, reason: str = "") -> AgentProfile:
    agent = _locked(agent)
    _require(agent, {Status.IN_REVIEW}, "verify")
    pending = [
        c.get_kind_display().lower()
        for c in agent.checks.all()
        if c.status != VerificationCheck.Status.APPROVED
    ]
    if pending:
        raise ConflictError(
            "Every check must be approved first; still open: " + ", ".join(pending) + ".",
            extra={"open_checks": pending},
        )
    return _transition(agent, Status.VERIFIED, Action.VERIFIED, actor=actor, reason=reason)


@transaction.atomic
def agent_reject(*, agent: AgentProfile, actor: User, reason: str) -> AgentProfile:
    agent = _locked(agent)
    _require(agent, {Status.IN_REVIEW}, "reject")
    return _transition(
        agent, Status.REJECTED, Action.REJECTED, actor=actor, reason=_require_reason(reason)
    )


@transaction.atomic
def agent_suspend(*, agent: AgentProfile, actor: User, reason: str) -> AgentProfile:
    agent = _locked(agent)
    _require(agent, {Status.VERIFIED}, "suspend")
    agent.duty_status = AgentProfile.Duty.OFFLINE
    duty_spell_sync(agent_id=agent.pk, on_duty=False)
    return _transition(
        agent, Status.SUSPENDED, Action.SUSPENDED, actor=actor, reason=_require_reason(reason)
    )


@transaction.atomic
def agent_reinstate(*, agent: AgentProfile, actor: User, reason: str) -> AgentProfile:
    agent = _locked(agent)
    _require(agent, {Status.SUSPENDED}, "reinstate")
    return _transition(
        agent, Status.VERIFIED, Action.REINSTATED, actor=actor, reason=_require_reason(reason)
    )


def _transition(agent, status, action, *, actor, reason) -> AgentProfile:
    before = agent.status
    agent.status = status
    agent.save(update_fields=["status", "duty_status", "updated_at"])
    _event(
        agent,
        action,
        actor=actor,
        reason=reason,
        before={"status": before},
        after={"status": status},
    )
    label = Status(status).label.lower()
    body = f"Your Homeshore application is now {label}."
    if reason:
        body += f"\n\nReason: {reason}"
    # The bell and (unless turned off) the email: notification_send mails after commit.
    notification_send(
        users=[agent.user],
        kind=Notification.Kind.ACCOUNT_DECIDED,
        title=f"You are {label}",
        body=body,
        url=reverse("agents:home"),
    )
    return agent


@transaction.atomic
def agent_tds_set(*, agent: AgentProfile, rate, actor: User) -> AgentProfile:
    """Finance sets the agent's withholding-tax (TDS) rate, in percent; audited."""
    rate = field_check(AgentProfile, "tds_rate", rate)
    agent = _locked(agent)
    old, agent.tds_rate = agent.tds_rate, rate
    agent.save(update_fields=["tds_rate", "updated_at"])
    _event(
        agent,
        Action.TDS_CHANGED,
        actor=actor,
        reason=f"{old}% -> {rate}%",
        before={"tds_rate": str(old)},
        after={"tds_rate": str(rate)},
    )
    return agent


@transaction.atomic
def agent_duty_set(*, agent: AgentProfile, available: bool) -> AgentProfile:
    """The agent's own switch: offline <-> available. Calls set the other duty states."""
    agent = _locked(agent)
    if available:
        if agent.status != Status.VERIFIED:
            raise ConflictError("Only verified agents can go available.")
        if not agent.is_compliant_on(timezone.localdate()):
            raise ConflictError(
                "You are not compliant: " + (agent.noncompliant_reason or "a check has expired.")
            )
        if agent.duty_status != AgentProfile.Duty.OFFLINE:
            return agent
        agent.duty_status = AgentProfile.Duty.AVAILABLE
        agent.no_answer_strikes, agent.duty_notice = 0, ""
        duty_spell_sync(agent_id=agent.pk, on_duty=True)
        # Routing offers them the longest-waiting caller at once. Robust: the switch has
        # committed; a failed dispatch leaves the caller to their next hold-loop turn.
        agent_id = agent.pk
        transaction.on_commit(
            lambda: agent_available.send(sender=AgentProfile, agent_id=agent_id), robust=True
        )
    else:
        if agent.duty_status in {AgentProfile.Duty.RESERVED, AgentProfile.Duty.ON_CALL}:
            raise ConflictError("Finish the current call before going offline.")
        if agent.duty_status != AgentProfile.Duty.OFFLINE:
            agent_id = agent.pk
            transaction.on_commit(
                lambda: agent_offline.send(sender=AgentProfile, agent_id=agent_id), robust=True
            )
        agent.duty_status = AgentProfile.Duty.OFFLINE
        duty_spell_sync(agent_id=agent.pk, on_duty=False)
    agent.duty_changed_at = timezone.now()
    agent.save(
        update_fields=[
            "duty_status",
            "duty_changed_at",
            "no_answer_strikes",
            "duty_notice",
            "updated_at",
        ]
    )
    return agent


MINUTES_PER_WEEK = 7 * 24 * 60


def _utc_minute_ranges(weekday: int, start: dt.time, end: dt.time, tz_name: str):
    """A local weekly window as UTC minute-of-week ranges (two when it wraps the week)."""
    from zoneinfo import ZoneInfo

    # Any Monday serves as the reference week; India has no DST, so the offset is fixed.
    monday = dt.date(2024, 1, 1)
    local = dt.datetime.combine(monday + dt.timedelta(days=weekday), start, ZoneInfo(tz_name))
    offset = local.utcoffset().total_seconds() // 60
    begin = int(weekday * 1440 + start.hour * 60 + start.minute - offset) % MINUTES_PER_WEEK
    length = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    finish = begin + length
    if finish <= MINUTES_PER_WEEK:
        return [(begin, finish)]
    return [(begin, MINUTES_PER_WEEK), (0, finish - MINUTES_PER_WEEK)]


@transaction.atomic
def availability_set(
    *, agent: AgentProfile, windows: list[tuple[int, dt.time, dt.time]]
) -> list[AvailabilityWindow]:
    """Replace the agent's weekly availability (local weekday, start, end)."""
    rows = []
    for weekday, start, end in windows:
        if not 0 <= weekday <= 6:
            raise ApplicationError("The day of the week is not valid.", field="weekday")
        if end <= start:
            raise ApplicationError(
                f"On {calendar.day_name[weekday]} the end time must be after the start time.",
                field="end",
            )
        for utc_start, utc_end in _utc_minute_ranges(weekday, start, end, agent.time_zone):
            rows.append(
                AvailabilityWindow(
                    agent=agent,
                    weekday=weekday,
                    start=start,
                    end=end,
                    utc_start_minute=utc_start,
                    utc_end_minute=utc_end,
                )
            )
    AvailabilityWindow.objects.filter(agent=agent).delete()
    return AvailabilityWindow.objects.bulk_create(rows)


REMIND_DAYS_BEFORE = 14


@transaction.atomic(durable=True)
def checks_expire(*, today: dt.date | None = None) -> dict[str, int]:
    """Daily: remind agents of checks about to expire, and take expired ones out of routing."""
    today = today or timezone.localdate()
    approved = VerificationCheck.objects.filter(status=VerificationCheck.Status.APPROVED)
    reminded = 0
    due = approved.filter(
        expires_on__gte=today,
        expires_on__lte=today + dt.timedelta(days=REMIND_DAYS_BEFORE),
        reminded_at__isnull=True,
    ).select_related("agent__user")
    for check in due.select_for_update(of=("self",)):
        check.reminded_at = timezone.now()
        check.save(update_fields=["reminded_at"])
        _notify(
            check.agent,
            f"Homeshore: your {check.get_kind_display().lower()} expires soon",
            f"Your {check.get_kind_display().lower()} expires on {check.expires_on:%d %B %Y}. "
            "Please renew it so that you keep receiving calls.",
        )
        reminded += 1
    expired = 0
    for check in approved.filter(expires_on__lt=today).select_related("agent"):
        agent = _locked(check.agent)
        # Compare-and-set: a concurrent run (or a renewal) may have changed it already.
        if not VerificationCheck.objects.filter(pk=check.pk, status="approved").update(
            status=VerificationCheck.Status.EXPIRED
        ):
            continue
        _event(
            agent,
            Action.CHECK_EXPIRED,
            actor=None,
            reason=f"Expired on {check.expires_on:%d %b %Y}",
            check=check.kind,
            before={"status": VerificationCheck.Status.APPROVED},
            after={"status": VerificationCheck.Status.EXPIRED},
        )
        compliance_refresh(agent=agent, today=today)
        _notify(
            agent,
            f"Homeshore: your {check.get_kind_display().lower()} has expired",
            "You will not receive calls until it is renewed and approved again.",
        )
        expired += 1
    certificates = AgentDocument.objects.filter(kind="certificate", expires_on__isnull=False)
    for document in certificates.filter(
        expires_on__gte=today,
        expires_on__lte=today + dt.timedelta(days=REMIND_DAYS_BEFORE),
        reminded_at__isnull=True,
    ).select_related("agent__user"):
        if AgentDocument.objects.filter(pk=document.pk, reminded_at__isnull=True).update(
            reminded_at=timezone.now()
        ):
            _notify(
                document.agent,
                f"Homeshore: your {document.title or 'certificate'} expires soon",
                f"It expires on {document.expires_on:%d %B %Y}. Please upload the renewed one.",
            )
            reminded += 1
    for document in certificates.filter(expires_on__lt=today, expired_at__isnull=True):
        agent = _locked(document.agent)
        if not AgentDocument.objects.filter(pk=document.pk, expired_at__isnull=True).update(
            expired_at=timezone.now()
        ):
            continue
        _event(
            agent,
            Action.CHECK_EXPIRED,
            actor=None,
            reason=f"{document.title or 'Certificate'} expired on {document.expires_on:%d %b %Y}",
            check="certificate",
        )
        compliance_refresh(agent=agent, today=today)
        expired += 1
    return {"reminded": reminded, "expired": expired}
