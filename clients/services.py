"""Writes for client firms: the firm itself, its people (invitations), phone lines, API keys.

The marketplace (requests, applications, engagements) is in `clients.marketplace`.
Every write is atomic; rules a user can break raise `ApplicationError` naming the field.
Firm administration (the firm, invitations, members, API keys) is audited with the firm as
the record's object — invitations and seats are deleted, the firm stays — so a firm's whole
history is one indexed read; the invitation, member or key is named in the detail.
"""

import datetime as dt
import hashlib
import secrets

import phonenumbers
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from agents.gazetteer import place_get
from agents.models import AgentProfile, speciality_error
from clients.models import (
    ApiKey,
    ClientFirm,
    FirmInvite,
    FirmMember,
    LineLanguage,
    LinePrompt,
    PhoneLine,
)
from clients.prompts import PLACEHOLDERS, default_text, placeholders_check
from common.audit import audit_log
from common.errors import ApplicationError, ConflictError
from common.limits import field_check, instance_check
from common.mail import mail_after_commit
from common.models import AuditAction
from common.taxids import STATES, gstin_clean


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class NotAllowed(ApplicationError):
    """The actor's own role does not allow this (a plain member, another firm, an agent)."""

    status_code = 403


def require_firm_admin(*, user: User, firm: ClientFirm) -> None:
    """The ACTOR holds an admin seat in this very firm. Every firm-management service calls
    it itself: a view that forgets its own check (or a form that offers more than it should)
    must still not let a plain member invite an admin, remove people or mint API keys."""
    if not FirmMember.objects.filter(user=user, firm=firm, role=FirmMember.Role.ADMIN).exists():
        raise NotAllowed("Only your firm's admins can do this.")


def is_firm_person(*, user: User, firm_id: int) -> bool:
    """An active client user with a seat (admin or member) in this very firm: who works the
    firm's daily tasks (its callback queue, scoring its calls)."""
    return (
        user.is_active
        and user.has_role(User.Role.CLIENT)
        and FirmMember.objects.filter(user=user, firm_id=firm_id).exists()
    )


def require_agency_admin(*, user: User) -> None:
    """Agency administrators only (opening firms): never a client user, whatever their seat."""
    if not (user.is_active and user.has_role(User.Role.ADMIN)):
        raise NotAllowed("Only the agency's administrators can do this.")


# --- Firms and people -------------------------------------------------------------------


@transaction.atomic
def firm_create(
    *,
    name: str,
    engagement_type: str,
    currency: str,
    contact_name: str,
    contact_email: str,
    contact_phone: str = "",
    admin_email: str,
    invited_by: User,
    base_url: str,
) -> tuple[ClientFirm, FirmInvite]:
    """The agency opens a firm and invites its first admin."""
    require_agency_admin(user=invited_by)
    name = name.strip()
    if ClientFirm.objects.filter(name__iexact=name).exists():
        raise ApplicationError("A firm with this name already exists.", field="name")
    firm = ClientFirm.objects.create(
        name=name,
        engagement_type=engagement_type,
        currency=currency,
        contact_name=contact_name,
        contact_email=contact_email,
        contact_phone=contact_phone,
    )
    audit_log(
        actor=invited_by,
        action=AuditAction.FIRM_CREATED,
        target=firm,
        after={"name": firm.name, "engagement_type": engagement_type, "currency": currency},
    )
    invite, _token = _invite_send(
        firm=firm,
        email=admin_email,
        role=FirmMember.Role.ADMIN,
        invited_by=invited_by,
        base_url=base_url,
        field="admin_email",
    )
    return firm, invite


@transaction.atomic
def firm_update(*, firm: ClientFirm, user: User, **fields) -> ClientFirm:
    require_firm_admin(user=user, firm=firm)
    # The engagement type decides how the firm is billed: only the agency changes it.
    allowed = {"name", "currency", "contact_name", "contact_email", "contact_phone"}
    before, after = {}, {}
    for key, value in fields.items():
        if key not in allowed:
            raise ApplicationError(f"{key} cannot be changed here.")
        if getattr(firm, key) != value:
            before[key], after[key] = str(getattr(firm, key)), str(value)  # JSON: phone too
        setattr(firm, key, value)
    if ClientFirm.objects.filter(name__iexact=firm.name).exclude(pk=firm.pk).exists():
        raise ApplicationError("A firm with this name already exists.", field="name")
    firm.save()
    if after:
        audit_log(
            actor=user, action=AuditAction.FIRM_UPDATED, target=firm, before=before, after=after
        )
    return firm


TAX_FIELDS = ("legal_name", "billing_address", "state", "gstin")


@transaction.atomic
def firm_tax_details_set(
    *, firm: ClientFirm, user: User, legal_name: str, billing_address: str, state: str, gstin: str
) -> ClientFirm:
    """The firm as its tax invoices name it: legal name, billing address, state (the place
    of supply) and GSTIN. The firm's own admins or the agency's finance staff (and
    administrators) may set them; invoices already issued keep what they were issued with.

    A GSTIN is optional (an unregistered recipient), but when given it must be valid, in
    the chosen state (its first two digits; a missing state is taken from it), with a
    billing address (rule 46 of the CGST Rules: a registered recipient's name, address and
    GSTIN are on the invoice)."""
    if not (user.is_active and user.has_role(User.Role.FINANCE)):
        require_firm_admin(user=user, firm=firm)
    gstin = gstin.strip().upper()
    if gstin:
        try:
            gstin = gstin_clean(gstin, state=state)
        except ValidationError as error:
            raise ApplicationError(error.messages[0], field="gstin") from None
        state = state or gstin[:2]
        if not billing_address.strip():
            raise ApplicationError(
                "A registered firm's invoices carry its billing address: enter it.",
                field="billing_address",
            )
    if state and state not in STATES:
        raise ApplicationError("Choose a state from the list.", field="state")
    locked = ClientFirm.objects.select_for_update().get(pk=firm.pk)
    values = {
        "legal_name": legal_name.strip(),
        "billing_address": billing_address.strip(),
        "state": state,
        "gstin": gstin,
    }
    before = {
        key: getattr(locked, key) for key in TAX_FIELDS if getattr(locked, key) != values[key]
    }
    for key, value in values.items():
        setattr(firm, key, value)
    firm.save(update_fields=list(TAX_FIELDS))
    if before:
        audit_log(
            actor=user,
            action=AuditAction.FIRM_UPDATED,
            target=firm,
            before=before,
            after={key: values[key] for key in before},
            part="tax details",
        )
    return firm


@transaction.atomic
def invite_create(
    *,
    firm: ClientFirm,
    email: str,
    role: str,
    invited_by: User,
    base_url: str,
    field: str = "email",
) -> tuple[FirmInvite, str]:
    """A firm admin invites a colleague by email; returns the invitation and its one-time
    token. The inviter's own seat is checked here: a plain member may not invite anyone (an
    invitation as admin would hand them an admin seat through a second address)."""
    require_firm_admin(user=invited_by, firm=firm)
    return _invite_send(
        firm=firm, email=email, role=role, invited_by=invited_by, base_url=base_url, field=field
    )


def _invite_send(
    *,
    firm: ClientFirm,
    email: str,
    role: str,
    invited_by: User,
    base_url: str,
    field: str,
) -> tuple[FirmInvite, str]:
    """The invitation itself; callers have checked who may send it (firm or agency admin)."""
    if role not in FirmMember.Role.values:
        raise ApplicationError("Choose admin or member.", field="role")
    email = email.strip().lower()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        membership = FirmMember.objects.filter(user=existing).first()
        if membership and membership.firm_id == firm.pk:
            raise ApplicationError(f"{email} is already a member of {firm}.", field=field)
        raise ApplicationError(
            f"{email} already has a Homeshore account; invite another address.", field=field
        )
    FirmInvite.objects.filter(firm=firm, email=email, accepted_at__isnull=True).delete()
    token = secrets.token_urlsafe(32)
    invite = FirmInvite.objects.create(
        firm=firm,
        email=email,
        role=role,
        token_hash=_digest(token),
        invited_by=invited_by,
        expires_at=timezone.now() + dt.timedelta(days=settings.FIRM_INVITE_DAYS),
    )
    link = base_url.rstrip("/") + reverse("clients:invite_accept", args=[token])
    body = (
        f"{invited_by.name or invited_by.email} invites you to {firm} on Homeshore.\n\n"
        f"Accept within {settings.FIRM_INVITE_DAYS} days: {link}\n"
    )
    mail_after_commit(subject=f"Join {firm} on Homeshore", body=body, to=[email])
    audit_log(
        actor=invited_by,
        action=AuditAction.INVITE_CREATED,
        target=firm,
        invite=invite.pk,
        email=email,
        role=role,
    )
    return invite, token


def invite_get(*, token: str) -> FirmInvite | None:
    """The open, unexpired invitation for this token, or None."""
    return (
        FirmInvite.objects.select_related("firm")
        .filter(token_hash=_digest(token), accepted_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )


@transaction.atomic
def invite_accept(*, token: str, name: str, password: str) -> User:
    """Create the invited client user (email verified: they hold the emailed link)."""
    invite = (
        FirmInvite.objects.select_for_update()
        .filter(token_hash=_digest(token), accepted_at__isnull=True)
        .first()
    )  # locked: the same link clicked twice creates one account
    if invite is None or invite.expires_at <= timezone.now():
        raise ConflictError("This invitation has expired or was already used.")
    if User.objects.filter(email__iexact=invite.email).exists():
        raise ConflictError(f"{invite.email} already has an account: sign in instead.")
    try:
        validate_password(password, User(email=invite.email, name=name))
    except ValidationError as error:
        raise ApplicationError(" ".join(error.messages), field="password") from error
    user = User.objects.create_user(
        invite.email, password, name=name.strip(), role=User.Role.CLIENT
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    FirmMember.objects.create(firm=invite.firm, user=user, role=invite.role)
    invite.accepted_at = timezone.now()
    invite.save(update_fields=["accepted_at"])
    audit_log(
        actor=user,
        action=AuditAction.INVITE_ACCEPTED,
        target=invite.firm,
        invite=invite.pk,
        email=user.email,
        role=invite.role,
    )
    return user


@transaction.atomic
def member_remove(*, firm: ClientFirm, user: User, member_id: int) -> None:
    # Lock every admin seat of the firm (in id order) before counting: two admins removing
    # each other at once would otherwise both see two admins and leave none.
    admins = list(
        FirmMember.objects.select_for_update()
        .filter(firm=firm, role=FirmMember.Role.ADMIN)
        .order_by("pk")
    )
    if not any(a.user_id == user.pk for a in admins):
        raise NotAllowed("Only your firm's admins can do this.")
    member = FirmMember.objects.select_for_update().filter(firm=firm, pk=member_id).first()
    if member is None:
        raise ApplicationError("No such member.")
    if member.is_admin and len(admins) == 1:
        raise ConflictError("A firm keeps at least one admin.")
    member.user.is_active = False  # the seat was the account's only purpose
    member.user.save(update_fields=["is_active"])
    member.delete()
    audit_log(
        actor=user,
        action=AuditAction.MEMBER_REMOVED,
        target=firm,
        member=member.user_id,
        email=member.user.email,
        role=member.role,
    )


# --- Phone lines ------------------------------------------------------------------------


def _line_languages(languages: list[tuple[str, int | None]]) -> list[tuple[str, int | None]]:
    if not languages:
        raise ApplicationError("Offer at least one language.", field="languages")
    codes = [code for code, _digit in languages]
    if len(set(codes)) != len(codes):
        raise ApplicationError("Each language can be offered once.", field="languages")
    if len(languages) == 1:
        return [(codes[0], None)]  # one language: no menu to play
    digits = [digit for _code, digit in languages]
    if any(d is None or not 1 <= d <= 9 for d in digits) or len(set(digits)) != len(digits):
        raise ApplicationError(
            "With several languages, give each its own menu digit from 1 to 9.",
            field="languages",
        )
    return languages


def _line_number_free(number: str, *, line: PhoneLine | None) -> None:
    taken = PhoneLine.objects.filter(number=number)
    if line is not None:
        taken = taken.exclude(pk=line.pk)
    if taken.exists() or AgentProfile.objects.filter(phone=number).exists():
        raise ApplicationError("This number is already in use on Homeshore.", field="number")


@transaction.atomic
def line_save(
    *,
    firm: ClientFirm,
    line: PhoneLine | None = None,
    number: str,
    name: str,
    domain: str,
    sub_skill: str = "",
    region_geoname_id: int,
    time_zone: str,
    business_days: str,
    opens_at: dt.time,
    closes_at: dt.time,
    ring_timeout_seconds: int = 20,
    wrap_up_seconds: int = 30,
    max_wait_seconds: int = 180,
    service_level_target_seconds: int = 20,
    languages: list[tuple[str, int | None]],
) -> PhoneLine:
    """Create a line (line=None) or update one of this firm's lines, languages included."""
    if line is not None and line.firm_id != firm.pk:
        raise ApplicationError("No such line.")
    number = str(number)
    _line_number_free(number, line=line)
    if closes_at <= opens_at:
        raise ApplicationError("Closing time must be after opening time.", field="closes_at")
    if not business_days:
        raise ApplicationError("Choose at least one business day.", field="business_days")
    place = place_get(region_geoname_id) if region_geoname_id else None
    if place is None:
        raise ApplicationError("Choose the default region from the list.", field="region")
    if error := speciality_error(domain, sub_skill):
        raise ApplicationError(error, field="sub_skill")
    languages = _line_languages(languages)
    created = line is None
    line = line or PhoneLine(firm=firm)
    line.number, line.name, line.domain, line.sub_skill = number, name.strip(), domain, sub_skill
    line.region_geoname_id, line.region_name = place.geoname_id, place.label
    line.region_latitude, line.region_longitude = place.latitude, place.longitude
    line.time_zone, line.business_days = time_zone, "".join(sorted(set(business_days)))
    line.opens_at, line.closes_at = opens_at, closes_at
    line.ring_timeout_seconds, line.wrap_up_seconds = ring_timeout_seconds, wrap_up_seconds
    line.max_wait_seconds = max_wait_seconds
    # From today on: past days keep the target they were counted against (routing.rollups).
    line.service_level_target_seconds = service_level_target_seconds
    instance_check(line)  # the model's limits (ring timeout, wrap-up, wait) and constraints
    try:
        with transaction.atomic():  # a concurrent save of the same number loses here
            line.save()
    except IntegrityError as error:
        raise ApplicationError(
            "This number is already in use on Homeshore.", field="number"
        ) from error
    line.languages.all().delete()
    LineLanguage.objects.bulk_create(
        [LineLanguage(line=line, language=code, menu_digit=digit) for code, digit in languages]
    )
    if created:  # a new line starts with the usual wrap-up codes (the firm edits them)
        from clients.scripts import dispositions_seed  # scripts imports this module

        dispositions_seed(line)
    return line


@transaction.atomic
def line_after_call_set(
    *,
    firm: ClientFirm,
    user: User,
    line: PhoneLine,
    survey_enabled: bool,
    sticky_days: int,
    escalation_number: str = "",
    route_franchise_first: bool | None = None,
) -> PhoneLine:
    """What happens around a call on the line (issue 16), set by the firm's admins: the
    post-call survey, the sticky agent's days, the escalation number agents may send a
    caller to, and franchise-first routing (issue 19; None: left as it is). The escalation
    number is the firm's own desk: never a number on Homeshore (a line, which would loop
    back, or an agent's personal phone). Audited."""
    require_firm_admin(user=user, firm=firm)
    line = PhoneLine.objects.select_for_update().filter(pk=line.pk, firm=firm).first()
    if line is None:
        raise ApplicationError("No such line.")
    escalation_number = str(escalation_number or "")
    if escalation_number and (
        PhoneLine.objects.filter(number=escalation_number).exists()
        or AgentProfile.objects.filter(phone=escalation_number).exists()
    ):
        # The same words as a taken line number: whose number it is stays unsaid.
        raise ApplicationError(
            "This number is already in use on Homeshore: give your own desk's number.",
            field="escalation_number",
        )
    if escalation_number and _premium_rate(escalation_number):
        # A transfer is an outbound leg the agency pays for: a premium-rate number would bill
        # us per minute for each caller sent there (toll fraud); a desk is never one.
        raise ApplicationError(
            "A premium-rate number cannot be an escalation number: give your own desk's number.",
            field="escalation_number",
        )
    fields = ["survey_enabled", "sticky_days", "escalation_number", "route_franchise_first"]
    before = {"survey_enabled": line.survey_enabled, "sticky_days": line.sticky_days}
    before["escalation_number"] = str(line.escalation_number or "")
    before["route_franchise_first"] = line.route_franchise_first
    if route_franchise_first is None:
        route_franchise_first = line.route_franchise_first
    line.survey_enabled, line.sticky_days = survey_enabled, sticky_days
    line.escalation_number = escalation_number
    line.route_franchise_first = route_franchise_first
    instance_check(line)  # sticky days within the model's bounds
    line.save(update_fields=fields)
    after = {"survey_enabled": survey_enabled, "sticky_days": sticky_days}
    after["escalation_number"] = escalation_number
    after["route_franchise_first"] = route_franchise_first
    if after != before:
        audit_log(
            actor=user,
            action=AuditAction.LINE_WORKSPACE_SET,
            target=line,
            before=before,
            after=after,
        )
    return line


def _premium_rate(number: str) -> bool:
    try:
        parsed = phonenumbers.parse(number)
    except phonenumbers.NumberParseException:
        return False  # the form's PhoneNumberField has said so already
    return phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.PREMIUM_RATE


@transaction.atomic
def line_prompts_set(
    *, firm: ClientFirm, line: PhoneLine, language: str, texts: dict[str, str]
) -> None:
    """The firm's own texts for its line's prompts in `language`, by prompt key. A blank text,
    or the catalogue's own, goes back to the catalogue (clients.prompts)."""
    line = PhoneLine.objects.select_for_update().filter(pk=line.pk, firm=firm).first()
    if line is None:
        raise ApplicationError("No such line.")
    offered = list(line.languages.values_list("language", flat=True))
    if language not in offered:
        raise ApplicationError("This line does not offer that language.", field="language")
    for key, text in texts.items():
        if key not in PLACEHOLDERS:
            raise ApplicationError(f"There is no prompt {key!r}.")
        text = " ".join(text.split())  # one line of speech: newlines and runs of spaces go
        if text:
            try:
                placeholders_check(key, text)
            except ValueError as error:
                raise ApplicationError(str(error), field=key) from error
        if not text or text == default_text(key, language, offered=offered)[0]:
            LinePrompt.objects.filter(line=line, language=language, key=key).delete()
            continue
        field_check(LinePrompt, "text", text, field=key)  # its length, from the model
        LinePrompt.objects.update_or_create(
            line=line, language=language, key=key, defaults={"text": text}
        )


# --- API keys ---------------------------------------------------------------------------

API_KEY_SCHEME = "hsk"


@transaction.atomic
def api_key_create(*, firm: ClientFirm, user: User, name: str) -> tuple[ApiKey, str]:
    """A new key; the returned raw key is shown once and never stored."""
    require_firm_admin(user=user, firm=firm)
    if not name.strip():
        raise ApplicationError("Name the key after the system that will use it.", field="name")
    for _attempt in range(5):  # 32 random bits of prefix: a clash is rare, never fatal
        prefix = secrets.token_hex(4)
        raw = f"{API_KEY_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
        try:
            with transaction.atomic():
                key = ApiKey.objects.create(
                    firm=firm,
                    name=name.strip(),
                    prefix=prefix,
                    key_hash=_digest(raw),
                    created_by=user,
                )
        except IntegrityError:
            continue
        audit_log(
            actor=user,
            action=AuditAction.API_KEY_CREATED,
            target=firm,
            key=key.pk,
            prefix=prefix,
            name=key.name,
        )
        return key, raw
    raise ConflictError("Could not make a unique key; please try again.")


@transaction.atomic
def api_key_revoke(*, firm: ClientFirm, user: User, key_id: int) -> ApiKey:
    require_firm_admin(user=user, firm=firm)
    key = ApiKey.objects.select_for_update().filter(firm=firm, pk=key_id).first()
    if key is None:
        raise ApplicationError("No such key.")
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit_log(
            actor=user,
            action=AuditAction.API_KEY_REVOKED,
            target=firm,
            key=key.pk,
            prefix=key.prefix,
            name=key.name,
        )
    return key


def api_key_check(raw: str) -> ApiKey | None:
    """The active key matching `raw`, or None. Constant-time on the hash comparison."""
    scheme, _, rest = raw.partition("_")
    prefix, _, secret = rest.partition("_")
    if scheme != API_KEY_SCHEME or len(prefix) != 8 or not secret:
        return None
    key = ApiKey.objects.select_related("firm").filter(prefix=prefix).first()
    if key is None or key.revoked_at is not None:
        return None
    if not secrets.compare_digest(key.key_hash, _digest(raw)):
        return None
    now = timezone.now()
    # Record use at most once a minute: a busy integration must not write on every request.
    if key.last_used_at is None or now - key.last_used_at > dt.timedelta(minutes=1):
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key
