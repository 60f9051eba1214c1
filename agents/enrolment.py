"""Writes for the agent's own profile: about, phone, languages, skills, bank details."""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber
from phonenumbers import NumberParseException

from agents.banking import (
    account_last4,
    validate_holder_name,
    validate_iban,
    validate_ifsc,
    validate_indian_account_number,
)
from agents.gazetteer import place_get
from agents.models import AgentLanguage, AgentProfile, AgentSkill, speciality_error
from agents.services import checks_reopen
from agents.sms import send_sms
from common.audit import audit_log
from common.errors import ApplicationError
from common.limits import field_check
from common.models import AuditAction
from common.taxids import pan_clean, pan_masked

CODE_TTL_SECONDS = 10 * 60
MAX_CODE_ATTEMPTS = 5
MAX_SENDS_PER_WINDOW = 3


@transaction.atomic
def profile_update(
    *, agent: AgentProfile, full_name: str, former_employer: str, geoname_id: int | None
) -> AgentProfile:
    full_name = full_name.strip()
    if not full_name:
        raise ApplicationError("Please enter your full name.", field="full_name")
    place = place_get(geoname_id) if geoname_id else None
    if geoname_id and place is None:
        raise ApplicationError("Choose your city from the list.", field="city")
    # The stored name and city, locked: what a check vouched for is compared with these.
    stored = AgentProfile.objects.select_for_update().get(pk=agent.pk)
    agent.full_name, agent.former_employer = full_name, former_employer.strip()
    if place:
        agent.geoname_id, agent.city, agent.state = place.geoname_id, place.name, place.state
        agent.country_code, agent.time_zone = place.country_code, place.time_zone
        agent.latitude, agent.longitude = place.latitude, place.longitude
    agent.save()
    changed = [f for f in ("full_name", "city") if _identity(stored, f) != _identity(agent, f)]
    if changed and stored.status != AgentProfile.Status.APPLIED:
        # Past the application (submitted, verified, suspended, rejected): vetting read these.
        before = {f: getattr(stored, f) for f in changed}
        audit_log(
            actor=agent.user,
            action=AuditAction.PROFILE_CHANGED,
            target=agent,
            before=before,
            after={f: getattr(agent, f) for f in changed},
        )
        checks_reopen(agent=agent, changed=changed, actor=agent.user)
    return agent


def _identity(agent: AgentProfile, field: str):
    """What a check vouched for: the name as written, the city by its gazetteer id."""
    return agent.geoname_id if field == "city" else getattr(agent, field)


def _code_key(agent: AgentProfile) -> str:
    return f"agents:phone-code:{agent.pk}"


def _digest(code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), code.encode(), hashlib.sha256).hexdigest()


def phone_code_send(*, agent: AgentProfile, phone: PhoneNumber | str) -> None:
    """Text a six-digit code to `phone`; the number is saved only once the code is confirmed."""
    if isinstance(phone, str):
        try:
            phone = PhoneNumber.from_string(phone, region=settings.PHONENUMBER_DEFAULT_REGION)
        except NumberParseException:
            phone = None
    if not phone or not phone.is_valid():
        raise ApplicationError("Enter a valid mobile number, e.g. +91 98450 12345.", field="phone")
    e164 = phone.as_e164
    if AgentProfile.objects.filter(phone=e164).exclude(pk=agent.pk).exists():
        raise ApplicationError("This number belongs to another account.", field="phone")
    sends_key = f"agents:phone-sends:{agent.pk}"
    cache.add(sends_key, 0, CODE_TTL_SECONDS)
    if cache.incr(sends_key) > MAX_SENDS_PER_WINDOW:
        raise ApplicationError(
            "Too many codes sent. Please wait ten minutes and try again.", field="phone"
        )
    code = f"{secrets.randbelow(10**6):06d}"
    cache.set(
        _code_key(agent),
        {"phone": e164, "digest": _digest(code), "attempts": 0},
        CODE_TTL_SECONDS,
    )
    send_sms(to=e164, body=f"Your Homeshore confirmation code is {code}. It expires in 10 minutes.")


@transaction.atomic
def phone_code_confirm(*, agent: AgentProfile, code: str) -> AgentProfile:
    pending = cache.get(_code_key(agent))
    if not pending:
        raise ApplicationError("The code has expired. Ask for a new one.", field="code")
    if pending["attempts"] >= MAX_CODE_ATTEMPTS:
        cache.delete(_code_key(agent))
        raise ApplicationError("Too many wrong codes. Ask for a new one.", field="code")
    if not hmac.compare_digest(pending["digest"], _digest(code.strip())):
        pending["attempts"] += 1
        cache.set(_code_key(agent), pending, CODE_TTL_SECONDS)
        raise ApplicationError("That code is not right. Please check the SMS.", field="code")
    cache.delete(_code_key(agent))
    agent.phone, agent.phone_verified_at = pending["phone"], timezone.now()
    try:
        with transaction.atomic():
            agent.save(update_fields=["phone", "phone_verified_at", "updated_at"])
    except IntegrityError:  # another account confirmed the same number meanwhile
        raise ApplicationError("This number belongs to another account.", field="code") from None
    return agent


@transaction.atomic
def language_set(*, agent: AgentProfile, language: str, proficiency: int) -> AgentLanguage:
    if language not in AgentLanguage.Code.values:
        raise ApplicationError("Choose a language from the list.", field="language")
    proficiency = field_check(AgentLanguage, "proficiency", proficiency)
    row, _ = AgentLanguage.objects.update_or_create(
        agent=agent, language=language, defaults={"proficiency": proficiency}
    )
    return row


@transaction.atomic
def skill_set(
    *, agent: AgentProfile, domain: str, sub_skill: str, level: int, years: int
) -> AgentSkill:
    if domain not in AgentSkill.Domain.values:
        raise ApplicationError("Choose a domain from the list.", field="domain")
    if error := speciality_error(domain, sub_skill):
        raise ApplicationError(error, field="sub_skill")
    level = field_check(AgentSkill, "level", level)
    years = field_check(AgentSkill, "years", years)
    row, _ = AgentSkill.objects.update_or_create(
        agent=agent, domain=domain, sub_skill=sub_skill, defaults={"level": level, "years": years}
    )
    return row


def language_remove(*, agent: AgentProfile, language_id: int) -> None:
    """The agent's own row only: another agent's id removes nothing."""
    AgentLanguage.objects.filter(agent=agent, pk=language_id).delete()


def skill_remove(*, agent: AgentProfile, skill_id: int) -> None:
    """The agent's own row only: another agent's id removes nothing."""
    AgentSkill.objects.filter(agent=agent, pk=skill_id).delete()


# What an agent's bank details consist of, by the name an audit record gives each.
BANK_FIELDS = {"holder_name": "bank_holder_name", "ifsc": "bank_ifsc", "account": "bank_account"}


@transaction.atomic
def bank_details_set(
    *,
    agent: AgentProfile,
    holder_name: str,
    ifsc: str = "",
    account_number: str = "",
    iban: str = "",
) -> AgentProfile:
    """Validate and store payout details; the number is encrypted, only its last four kept clear."""
    holder_name = validate_holder_name(holder_name)
    if iban.strip():
        number, agent.bank_ifsc = validate_iban(iban), ""
    else:
        agent.bank_ifsc = validate_ifsc(ifsc)
        number = validate_indian_account_number(account_number)
    agent.bank_holder_name = holder_name
    agent.bank_account, agent.bank_account_last4 = number, account_last4(number)
    # The details as stored, locked: two saves at once must not both record the same "before".
    stored = AgentProfile.objects.select_for_update().get(pk=agent.pk)
    agent.save(
        update_fields=[
            "bank_holder_name",
            "bank_ifsc",
            "bank_account",
            "bank_account_last4",
            "updated_at",
        ]
    )
    changed = [
        name
        for name, field in BANK_FIELDS.items()
        if getattr(stored, field) != getattr(agent, field)
    ]
    if changed:
        # Only the last four of the number: the audit log is read far more widely than
        # the encrypted column, so it never holds a usable account number.
        audit_log(
            actor=agent.user,
            action=(
                AuditAction.BANK_DETAILS_CHANGED
                if stored.bank_account
                else AuditAction.BANK_DETAILS_SET
            ),
            target=agent,
            before={"account_last4": stored.bank_account_last4} if stored.bank_account else None,
            after={"account_last4": agent.bank_account_last4},
            changed=changed,
        )
        checks_reopen(agent=agent, changed=["bank"], actor=agent.user)
    return agent


@transaction.atomic
def agent_pan_set(*, agent: AgentProfile, pan: str) -> AgentProfile:
    """The agent's own PAN, for the TDS withheld from their payouts (Form 16A names it).
    Validated by python-stdnum; audited masked; a change (not the first entry) sends the
    identity check back to review, as the TDS is credited to whoever the PAN names."""
    try:
        number = pan_clean(pan)
    except ValidationError as error:
        raise ApplicationError(error.messages[0], field="pan") from None
    # Lock, then re-read: two saves at once must not both record the same "before".
    stored = AgentProfile.objects.select_for_update().get(pk=agent.pk)
    if stored.pan == number:
        return agent
    agent.pan = number
    agent.save(update_fields=["pan", "updated_at"])
    audit_log(
        actor=agent.user,
        action=AuditAction.PAN_CHANGED if stored.pan else AuditAction.PAN_SET,
        target=agent,
        before={"pan": pan_masked(stored.pan)} if stored.pan else None,
        after={"pan": pan_masked(number)},
    )
    if stored.pan:
        checks_reopen(agent=agent, changed=["PAN"], actor=agent.user)
    return agent
