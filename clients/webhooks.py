"""A firm's webhook endpoints: adding, changing, removing, resuming, replaying (its admins).

Each write checks the actor's admin seat in the endpoint's own firm and is audited with the
firm as the target (the record outlives a deleted endpoint); the secret is never in a record:
it is returned once by `webhook_create` / `webhook_secret_rotate` for the page to show.
"""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from clients.deliveries import deliveries_enqueue
from clients.models import ClientFirm, WebhookDelivery, WebhookEndpoint, WebhookEvent
from clients.services import require_firm_admin
from common.audit import audit_log
from common.errors import ApplicationError, ConflictError
from common.models import AuditAction
from common.outbound import secret_new, url_check

MAX_ENDPOINTS = 10  # per firm: each event is written once per endpoint


def _events_clean(events: list[str]) -> list[str]:
    chosen = [e for e in WebhookEvent.values if e in set(events)]
    if not chosen or len(chosen) != len(set(events)):
        raise ApplicationError("Choose at least one of the events listed.", field="events")
    return chosen


def _url_clean(url: str) -> str:
    url = url.strip()
    if why := url_check(url):
        raise ApplicationError(why, field="url")
    return url


@transaction.atomic
def webhook_create(
    *, firm: ClientFirm, user: User, url: str, events: list[str], description: str = ""
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret (shown once, then only rotated)."""
    require_firm_admin(user=user, firm=firm)
    url, events = _url_clean(url), _events_clean(events)
    # Lock the firm: two admins adding at once must not pass the limit together.
    ClientFirm.objects.select_for_update().get(pk=firm.pk)
    if WebhookEndpoint.objects.filter(firm=firm).count() >= MAX_ENDPOINTS:
        raise ConflictError(f"A firm can have at most {MAX_ENDPOINTS} webhook endpoints.")
    secret = secret_new()
    endpoint = WebhookEndpoint.objects.create(
        firm=firm,
        url=url,
        events=events,
        description=description.strip()[:100],
        secret=secret,
        created_by=user,
    )
    audit_log(
        actor=user,
        action=AuditAction.WEBHOOK_CREATED,
        target=firm,
        endpoint=endpoint.pk,
        url=url,
        events=events,
    )
    return endpoint, secret


def _endpoint_locked(*, firm: ClientFirm, user: User, endpoint_id: int) -> WebhookEndpoint:
    require_firm_admin(user=user, firm=firm)
    endpoint = WebhookEndpoint.objects.select_for_update().filter(pk=endpoint_id, firm=firm)
    found = endpoint.first()
    if found is None:
        raise ApplicationError("No such webhook endpoint.")  # the views 404 before this
    return found


@transaction.atomic
def webhook_update(
    *,
    firm: ClientFirm,
    user: User,
    endpoint_id: int,
    url: str,
    events: list[str],
    description: str,
    is_active: bool,
) -> WebhookEndpoint:
    endpoint = _endpoint_locked(firm=firm, user=user, endpoint_id=endpoint_id)
    new = {
        "url": _url_clean(url),
        "events": _events_clean(events),
        "description": description.strip()[:100],
        "is_active": is_active,
    }
    before = {k: getattr(endpoint, k) for k in new if getattr(endpoint, k) != new[k]}
    if not before:
        return endpoint
    for key, value in new.items():
        setattr(endpoint, key, value)
    fields = list(new)
    if "url" in before and endpoint.failing_since:
        # A new address is a fresh start: the old one's failures do not count toward a pause.
        endpoint.failing_since = None
        fields.append("failing_since")
    endpoint.save(update_fields=fields)
    audit_log(
        actor=user,
        action=AuditAction.WEBHOOK_UPDATED,
        target=firm,
        endpoint=endpoint.pk,
        before=before,
        after={k: new[k] for k in before},
    )
    return endpoint


@transaction.atomic
def webhook_secret_rotate(*, firm: ClientFirm, user: User, endpoint_id: int) -> str:
    """A new secret at once (the old one stops verifying): returned once, for the page."""
    endpoint = _endpoint_locked(firm=firm, user=user, endpoint_id=endpoint_id)
    endpoint.secret = secret_new()
    endpoint.save(update_fields=["secret"])
    audit_log(
        actor=user,
        action=AuditAction.WEBHOOK_UPDATED,
        target=firm,
        endpoint=endpoint.pk,
        secret="rotated",
    )
    return endpoint.secret


@transaction.atomic
def webhook_delete(*, firm: ClientFirm, user: User, endpoint_id: int) -> None:
    """The endpoint and its delivery log go; what was pending is never sent."""
    endpoint = _endpoint_locked(firm=firm, user=user, endpoint_id=endpoint_id)
    pending = endpoint.deliveries.filter(status=WebhookDelivery.Status.PENDING).count()
    audit_log(
        actor=user,
        action=AuditAction.WEBHOOK_DELETED,
        target=firm,
        endpoint=endpoint.pk,
        url=endpoint.url,
        pending=pending,
    )
    endpoint.delete()


@transaction.atomic
def webhook_resume(*, firm: ClientFirm, user: User, endpoint_id: int) -> int:
    """Send again to a paused endpoint: its waiting deliveries are due now (the sweep sends
    them within 30 s), and its failing streak starts afresh. Returns how many wait."""
    endpoint = _endpoint_locked(firm=firm, user=user, endpoint_id=endpoint_id)
    if endpoint.paused_at is None:
        raise ConflictError("This endpoint is not paused.")
    paused_at = endpoint.paused_at
    endpoint.paused_at = endpoint.failing_since = None
    endpoint.save(update_fields=["paused_at", "failing_since"])
    waiting = endpoint.deliveries.filter(status=WebhookDelivery.Status.PENDING).update(
        next_attempt_at=timezone.now()
    )
    audit_log(
        actor=user,
        action=AuditAction.WEBHOOK_RESUMED,
        target=firm,
        endpoint=endpoint.pk,
        paused_at=paused_at.isoformat(),
        waiting=waiting,
    )
    return waiting


@transaction.atomic
def webhook_replay(*, firm: ClientFirm, user: User, delivery_id: int) -> WebhookDelivery:
    """Send a delivered or failed delivery again, with the same message id (the firm drops
    repeats by `webhook-id`) and a fresh round of tries. The attempts already made stay in
    the log; `attempts` counts the new round."""
    require_firm_admin(user=user, firm=firm)
    delivery = (
        WebhookDelivery.objects.select_for_update()
        .filter(pk=delivery_id, endpoint__firm=firm)
        .first()
    )
    if delivery is None:
        raise ApplicationError("No such delivery.")
    if delivery.status == WebhookDelivery.Status.PENDING:
        raise ConflictError("This delivery is still being tried; it needs no replay.")
    previous = delivery.status
    delivery.status, delivery.attempts = WebhookDelivery.Status.PENDING, 0
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    audit_log(
        actor=user,
        action=AuditAction.WEBHOOK_REPLAYED,
        target=firm,
        delivery=delivery.pk,
        message_id=delivery.message_id,
        previous=previous,
    )
    deliveries_enqueue([delivery.pk])
    return delivery


@transaction.atomic
def firm_records_notes_set(*, firm: ClientFirm, user: User, notes_in_records: bool) -> None:
    """Whether the agents' call notes go out in the firm's call records (API and CSV)."""
    require_firm_admin(user=user, firm=firm)
    locked = ClientFirm.objects.select_for_update().get(pk=firm.pk)
    if locked.notes_in_records == notes_in_records:
        return
    locked.notes_in_records = notes_in_records
    locked.save(update_fields=["notes_in_records"])
    firm.notes_in_records = notes_in_records
    audit_log(
        actor=user,
        action=AuditAction.FIRM_UPDATED,
        target=firm,
        before={"notes_in_records": not notes_in_records},
        after={"notes_in_records": notes_in_records},
    )
