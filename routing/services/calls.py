"""A call arrives: its record, its language, and the provider requests already answered."""

import datetime as dt
import zoneinfo

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from clients.models import PhoneLine, WebhookEvent
from common.errors import ApplicationError
from routing.models import Call, ProviderRequest
from routing.origin import origin_resolve
from routing.services.firm_events import call_event

Status = Call.Status


def _commit_without_flush_wait(outermost: bool) -> None:
    """Let this transaction's COMMIT return before its WAL reaches the disk (PostgreSQL's
    `synchronous_commit = off`, for this transaction only; nothing else changes).

    For rows whose loss in a crash is harmless, on the webhook's path: a new call's row
    (Twilio's retry creates it again, and the decision's own synchronous commit flushes it
    first anyway: WAL is flushed in order) and the stored answer to a request (a retry is
    answered from the call's state instead). A flush waited ~4 ms a commit here, three a
    webhook (docs/performance.md, "Webhook cost"). The decision itself (an agent reserved)
    keeps a synchronous commit. Only when this is the outermost transaction: SET LOCAL
    would reach an enclosing transaction's other writes too.
    """
    if outermost and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def line_is_open(line: PhoneLine, at: dt.datetime) -> bool:
    local = at.astimezone(zoneinfo.ZoneInfo(line.time_zone))
    return (
        str(local.weekday()) in line.business_days
        and line.opens_at <= local.time().replace(tzinfo=None) < line.closes_at
    )


def call_start(
    *,
    provider: str,
    provider_call_id: str,
    to: str,
    caller: str,
    provider_location: dict | None = None,
    language: str = "",
    at: dt.datetime | None = None,
) -> Call:
    """The call for this provider id: created on first sight, returned as it is on a retry."""
    existing = Call.objects.filter(provider=provider, provider_call_id=provider_call_id).first()
    if existing is not None:
        return existing
    at = at or timezone.now()
    line = (
        PhoneLine.objects.select_related("firm")
        .prefetch_related("languages")
        .filter(number=to, is_active=True)
        .first()
    )
    if line is None:
        raise ApplicationError(f"No active line has the number {to}.", field="to")
    offered = [x.language for x in line.languages.all()]
    if language and language not in offered:
        raise ApplicationError(
            f"This line offers {', '.join(offered)}, not {language}.", field="language"
        )
    language = language or (offered[0] if len(offered) == 1 else "")
    origin = origin_resolve(caller=caller, line=line, provider_location=provider_location)
    call = Call(
        provider=provider,
        provider_call_id=provider_call_id,
        line=line,
        firm=line.firm,
        caller=caller,
        origin_label=origin.label,
        origin_latitude=origin.latitude,
        origin_longitude=origin.longitude,
        origin_source=origin.source,
        language=language,
        domain=line.domain,
        sub_skill=line.sub_skill,
    )
    if not line_is_open(line, at):
        call.status, call.ended_at, call.outcome = Status.AFTER_HOURS, at, "Outside business hours"
    elif language:
        call.status, call.queued_at = Status.QUEUED, at
    outermost = not connection.in_atomic_block
    try:
        with transaction.atomic():
            _commit_without_flush_wait(outermost)
            call.save()
            if call.status == Status.AFTER_HOURS:  # told to the firm as missed, with why
                call_event(call, WebhookEvent.CALL_MISSED)
    except IntegrityError:
        # The same provider id created by a concurrent retry: answer from that one.
        return Call.objects.get(provider=provider, provider_call_id=provider_call_id)
    return call


@transaction.atomic
def call_language_choose(*, call_id: int, digit: str, at: dt.datetime | None = None) -> Call:
    """The caller pressed a menu digit. Two wrong presses: the line's first language."""
    call = Call.objects.select_for_update(of=("self",)).select_related("line").get(pk=call_id)
    if call.status != Status.MENU:
        return call  # a retry after the choice was made
    languages = list(call.line.languages.all())
    chosen = next((x.language for x in languages if str(x.menu_digit) == str(digit).strip()), "")
    call.menu_tries += 1
    if not chosen and call.menu_tries >= 2:
        chosen = languages[0].language
    if chosen:
        call.language, call.status, call.queued_at = chosen, Status.QUEUED, at or timezone.now()
    call.save(update_fields=["language", "status", "queued_at", "menu_tries"])
    return call


def provider_request_record(
    *, provider: str, key: str, content_type: str, body: str, status_code: int
) -> ProviderRequest:
    """Keep the answer given to a provider's request, so a retry of it gets the same answer.
    Two copies of one request racing: the unique (provider, key) lets one row in, and the
    loser returns the winner's answer instead."""
    outermost = not connection.in_atomic_block
    try:
        with transaction.atomic():
            _commit_without_flush_wait(outermost)
            return ProviderRequest.objects.create(
                provider=provider,
                key=key,
                content_type=content_type,
                body=body,
                status_code=status_code,
            )
    except IntegrityError:
        return ProviderRequest.objects.get(provider=provider, key=key)
