"""Email campaigns (issue 18): a firm's mail to the contacts of its lists, and its sender.

Lifecycle (firm admins only, checked here; another firm's campaign → 404):
draft → scheduled (a time) → sending → done, with pause/resume while sending and cancel from
any state before done. Starting writes one `CampaignEmail` per distinct address of the lists'
contacts (in bulk, in chunks); an address on the firm's suppression list is written
SUPPRESSED and never sent.

The sender (`campaigns_tick`, Celery beat every few seconds) sends each sending campaign's
queued emails at most `rate_per_minute` in any 60 seconds. The database is the truth for the
rate: an email's `sent_at` is set when a sender *takes* it (a claim, committed before the
SMTP conversation), so the count of `sent_at` in the last minute includes the mail in flight;
the campaign row's lock (skip_locked) keeps two senders from spending one budget twice, and the
rows' (skip_locked) keeps them from taking one email twice. A claim older than `CLAIM_LEASE`
whose email is still queued belonged to a sender that died: it is taken again.

Delivery semantics — at-least-once. The SMTP send happens outside any transaction (no lock
held across the network); marking SENT, `sent += 1` and the `campaign_email_sent` signal
(billing's ledger row) commit together after it. A sender dying between the server's "250 OK"
and that commit leaves the email queued with an old claim, and it is sent again after the
lease: the contact may get it twice, rarely, but it is billed once (the mark is a
compare-and-set on QUEUED, and billing's row is idempotent). At-most-once would instead mark
before sending and lose the email on that crash; for information a firm pays to deliver, a rare
duplicate is the smaller harm, and it is what mail providers themselves do.
"""

import datetime as dt
import logging
from dataclasses import dataclass
from email.utils import formataddr, make_msgid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import EmailValidator
from django.db import transaction
from django.db.models import F, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from campaigns.models import ContactList
from clients.models import ClientFirm, Contact, StaffingRequest
from clients.services import require_firm_admin
from common.audit import audit_log
from common.errors import ApplicationError
from common.models import AuditAction
from mailroom.models import Address, CampaignEmail, EmailCampaign, EmailSuppression
from mailroom.rendering import contact_values, html_alternative, template_problems, template_render
from mailroom.signals import campaign_email_sent
from mailroom.suppression import is_suppressed

logger = logging.getLogger(__name__)
Status = EmailCampaign.Status
Row = CampaignEmail.Status
MAX_ATTEMPTS = 3  # a failing send is tried this often (one try a tick), then FAILED
CLAIM_LEASE = dt.timedelta(minutes=10)
CLAIM_MAX = 100  # emails a sender takes from one campaign in one tick
CHUNK = 1000
SMTP_TIMEOUT = 30  # seconds; far inside the lease even for a whole tick's claim
EDITABLE = (Status.DRAFT, Status.SCHEDULED)
STARTABLE = (Status.DRAFT, Status.SCHEDULED)
CANCELLABLE = (Status.DRAFT, Status.SCHEDULED, Status.SENDING, Status.PAUSED)


def _locked(firm: ClientFirm, pk: int) -> EmailCampaign:
    campaign = EmailCampaign.objects.select_for_update().filter(firm=firm, pk=pk).first()
    if campaign is None:
        raise Http404("No such campaign.")
    return campaign


def _refuse_unless(campaign: EmailCampaign, allowed: tuple, doing: str) -> None:
    if campaign.status not in allowed:
        state = campaign.get_status_display().lower()
        raise ApplicationError(f"A {state} campaign cannot {doing}.")


@dataclass(frozen=True)
class CampaignInput:
    name: str
    request: StaffingRequest
    address: Address
    lists: list[ContactList]
    subject: str
    body: str
    rate_per_minute: int


def _check(firm: ClientFirm, data: CampaignInput) -> None:
    """The parts are this firm's, and the templates are templates (see mailroom.rendering)."""
    if data.request.firm_id != firm.pk:
        raise ApplicationError("Choose one of your own staffing requests.", field="request")
    if data.request.campaign_email_rate is None:  # the request takes no campaign mail
        raise ApplicationError(
            "That request has no campaign-email rate: choose one that has.", field="request"
        )
    if data.address.queue.firm_id != firm.pk:
        raise ApplicationError("Choose one of your own addresses.", field="address")
    if any(c.firm_id != firm.pk for c in data.lists):
        raise ApplicationError("Choose your own contact lists.", field="lists")
    for field in ("subject", "body"):
        problems = template_problems(getattr(data, field))
        if problems:
            raise ApplicationError(" ".join(problems), field=field)


@transaction.atomic
def campaign_save(
    *, actor: User, firm: ClientFirm, data: CampaignInput, pk: int | None = None
) -> EmailCampaign:
    """Create a draft, or change a draft or scheduled campaign."""
    require_firm_admin(user=actor, firm=firm)
    _check(firm, data)
    if pk is None:
        campaign = EmailCampaign(firm=firm, created_by=actor)
        action = AuditAction.CAMPAIGN_CREATED
    else:
        campaign = _locked(firm, pk)
        _refuse_unless(campaign, EDITABLE, "be changed")
        action = AuditAction.CAMPAIGN_UPDATED
    for name in ("name", "request", "address", "subject", "body", "rate_per_minute"):
        setattr(campaign, name, getattr(data, name))
    try:
        campaign.full_clean(exclude=["lists", "created_by"])
    except ValidationError as error:
        field, problems = next(iter(error.message_dict.items()))
        raise ApplicationError(problems[0], field=field) from None
    campaign.save()
    campaign.lists.set(data.lists)
    audit_log(actor=actor, action=action, target=campaign, channel="email")
    return campaign


@transaction.atomic
def campaign_schedule(
    *, actor: User, firm: ClientFirm, pk: int, at: dt.datetime, now: dt.datetime | None = None
) -> EmailCampaign:
    require_firm_admin(user=actor, firm=firm)
    campaign = _locked(firm, pk)
    _refuse_unless(campaign, STARTABLE, "be scheduled")
    if at <= (now or timezone.now()):
        raise ApplicationError("Choose a time in the future.", field="scheduled_at")
    _refuse_without_lists(campaign)
    campaign.status, campaign.scheduled_at = Status.SCHEDULED, at
    campaign.save(update_fields=["status", "scheduled_at"])
    audit_log(actor=actor, action=AuditAction.CAMPAIGN_SCHEDULED, target=campaign, at=str(at))
    return campaign


def _refuse_without_lists(campaign: EmailCampaign) -> None:
    if not campaign.lists.exists():
        raise ApplicationError("Choose at least one contact list first.")


@transaction.atomic
def campaign_start(
    *, actor: User, firm: ClientFirm, pk: int, now: dt.datetime | None = None
) -> EmailCampaign:
    """Start now: every address queued (or suppressed) at once; the sender takes it on."""
    require_firm_admin(user=actor, firm=firm)
    campaign = _locked(firm, pk)
    _refuse_unless(campaign, STARTABLE, "start")
    _refuse_without_lists(campaign)
    _start(campaign, now or timezone.now())
    audit_log(actor=actor, action=AuditAction.CAMPAIGN_STARTED, target=campaign)
    return campaign


def _start(campaign: EmailCampaign, now: dt.datetime) -> None:
    queued, suppressed = emails_materialise(campaign)
    campaign.recipients, campaign.suppressed = queued + suppressed, suppressed
    campaign.status, campaign.started_at = Status.SENDING, now
    if not queued:
        campaign.status, campaign.finished_at = Status.DONE, now
    campaign.save(update_fields=["recipients", "suppressed", "status", "started_at", "finished_at"])


def emails_materialise(campaign: EmailCampaign) -> tuple[int, int]:
    """One CampaignEmail per distinct address of the lists' contacts (the first contact by id
    holding it), written in chunks; (queued, suppressed). Runs once, inside the start's lock."""
    contacts = (
        Contact.objects.filter(
            firm_id=campaign.firm_id, memberships__contact_list__email_campaigns=campaign
        )
        .exclude(email="")
        .order_by("pk")
        .values_list("pk", "email")
        .distinct()
    )
    seen: set[str] = set()
    queued = suppressed = 0
    batch: list[tuple[int, str]] = []
    for pk, email in contacts.iterator(chunk_size=CHUNK):
        email = email.lower()
        if email in seen:
            continue
        seen.add(email)
        batch.append((pk, email))
        if len(batch) >= CHUNK:
            q, s = _materialise_chunk(campaign, batch)
            queued, suppressed, batch = queued + q, suppressed + s, []
    if batch:
        q, s = _materialise_chunk(campaign, batch)
        queued, suppressed = queued + q, suppressed + s
    return queued, suppressed


def _materialise_chunk(campaign: EmailCampaign, batch: list[tuple[int, str]]) -> tuple[int, int]:
    stopped = set(
        EmailSuppression.objects.filter(
            firm_id=campaign.firm_id, email__in=[e for _pk, e in batch]
        ).values_list("email", flat=True)
    )
    rows = [
        CampaignEmail(
            campaign=campaign,
            contact_id=pk,
            firm_id=campaign.firm_id,
            email=email,
            status=Row.SUPPRESSED if email in stopped else Row.QUEUED,
        )
        for pk, email in batch
    ]
    CampaignEmail.objects.bulk_create(rows, batch_size=CHUNK)
    hit = sum(1 for _pk, e in batch if e in stopped)
    return len(batch) - hit, hit


def _move(actor: User, firm: ClientFirm, pk: int, allowed: tuple, to: str, doing: str, action):
    require_firm_admin(user=actor, firm=firm)
    campaign = _locked(firm, pk)
    _refuse_unless(campaign, allowed, doing)
    campaign.status = to
    fields = ["status"]
    if to == Status.CANCELLED:
        campaign.finished_at = timezone.now()
        fields.append("finished_at")
    campaign.save(update_fields=fields)
    audit_log(actor=actor, action=action, target=campaign, status=to)
    return campaign


@transaction.atomic
def campaign_pause(*, actor: User, firm: ClientFirm, pk: int) -> EmailCampaign:
    return _move(
        actor, firm, pk, (Status.SENDING,), Status.PAUSED, "pause", AuditAction.CAMPAIGN_PAUSED
    )


@transaction.atomic
def campaign_resume(*, actor: User, firm: ClientFirm, pk: int) -> EmailCampaign:
    return _move(
        actor, firm, pk, (Status.PAUSED,), Status.SENDING, "resume", AuditAction.CAMPAIGN_RESUMED
    )


@transaction.atomic
def campaign_cancel(*, actor: User, firm: ClientFirm, pk: int) -> EmailCampaign:
    """Stop for good: what is still queued is never sent (the sender only takes the queued
    emails of sending campaigns)."""
    return _move(
        actor,
        firm,
        pk,
        CANCELLABLE,
        Status.CANCELLED,
        "be cancelled",
        AuditAction.CAMPAIGN_COMPLETED,
    )


# --- The message -------------------------------------------------------------------------


def unsubscribe_url(token) -> str:
    path = reverse("mail_hooks:unsubscribe", kwargs={"token": token})
    return settings.PORTAL_URL.rstrip("/") + path


def campaign_message(
    campaign: EmailCampaign,
    *,
    to: str,
    values: dict[str, str],
    message_id: str,
    token=None,
    test: bool = False,
) -> EmailMultiAlternatives:
    """The mail as it leaves: From the campaign's address (its queue's display name), our
    Message-ID, and the one-click unsubscribe headers of RFC 8058 (RFC 2369's List-Unsubscribe
    with an https link and a mailto, and List-Unsubscribe-Post) — both given by the big
    mailbox providers' bulk-sender rules — plus Auto-Submitted and Precedence so that
    vacation responders stay quiet."""
    address = campaign.address
    subject = template_render(campaign.subject, values)
    body = template_render(campaign.body, values)
    headers = {
        "Message-ID": f"<{message_id}>",
        "Auto-Submitted": "auto-generated",
        "Precedence": "bulk",
    }
    if test:
        subject = f"[Test] {subject}"
        body += "\n\n--\nA test: each contact's mail ends with their own unsubscribe link here."
    else:
        url = unsubscribe_url(token)
        body += f"\n\n--\nTo stop these emails, unsubscribe: {url}"
        headers["List-Unsubscribe"] = f"<{url}>, <mailto:{address.email}?subject=unsubscribe>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    display = address.queue.display_name or campaign.firm.name
    message = EmailMultiAlternatives(
        subject=subject.replace("\n", " ").replace("\r", " "),
        body=body,
        from_email=formataddr((display, address.email)),
        to=[to],
        headers=headers,
    )
    message.attach_alternative(html_alternative(body), "text/html")
    return message


def _domain(campaign: EmailCampaign) -> str:
    return campaign.address.email.rpartition("@")[2] or "localhost"


def _values_of_first_contact(campaign: EmailCampaign) -> dict[str, str]:
    contact = (
        Contact.objects.filter(memberships__contact_list__email_campaigns=campaign)
        .exclude(email="")
        .order_by("pk")
        .first()
    )
    if contact is None:
        return {"name": "", "first_name": "", "email": ""}
    return contact_values(contact)


def campaign_preview(campaign: EmailCampaign) -> dict:
    """The first contact's rendering (a read, for the page)."""
    values = _values_of_first_contact(campaign)
    message = campaign_message(
        campaign,
        to=values["email"] or "preview@example.invalid",
        values=values,
        message_id="preview@example.invalid",
        token="00000000-0000-0000-0000-000000000000",
    )
    return {"subject": message.subject, "body": message.body, "contact": values}


def campaign_test_send(*, actor: User, firm: ClientFirm, pk: int, to: str) -> None:
    """One mail to the address the admin types, with the first contact's fields, "[Test]" in
    the subject: no CampaignEmail, never counted, never billed."""
    require_firm_admin(user=actor, firm=firm)
    campaign = EmailCampaign.objects.filter(firm=firm, pk=pk).first()
    if campaign is None:
        raise Http404("No such campaign.")
    try:
        EmailValidator()(to)
    except ValidationError:
        raise ApplicationError("That is not an email address.", field="to") from None
    message_id = make_msgid(domain=_domain(campaign))[1:-1]
    message = campaign_message(
        campaign,
        to=to,
        values=_values_of_first_contact(campaign),
        message_id=message_id,
        test=True,
    )
    try:
        message.send()
    except Exception as error:  # the provider refused: tell the admin, keep nothing
        logger.warning("Campaign %s: test send failed (%s)", campaign.pk, type(error).__name__)
        raise ApplicationError("The mail server refused the test mail.", field="to") from None


# --- The sender ----------------------------------------------------------------------------


def campaigns_tick(*, now: dt.datetime | None = None) -> int:
    """Start the scheduled campaigns that are due, then send each sending campaign's share
    of this minute. Returns how many emails were sent."""
    now = now or timezone.now()
    due = EmailCampaign.objects.filter(status=Status.SCHEDULED, scheduled_at__lte=now)
    for pk in list(due.values_list("pk", flat=True)):
        _start_scheduled(pk, now)
    sent = 0
    sending = EmailCampaign.objects.filter(status=Status.SENDING).values_list("pk", flat=True)
    for pk in list(sending):
        sent += campaign_send_due(campaign_id=pk, now=now)
    return sent


@transaction.atomic
def _start_scheduled(pk: int, now: dt.datetime) -> None:
    campaign = EmailCampaign.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
    if campaign is None or campaign.status != Status.SCHEDULED:
        return  # another sender started it, or the firm changed it meanwhile
    _start(campaign, now)
    audit_log(actor=None, action=AuditAction.CAMPAIGN_STARTED, target=campaign, scheduled=True)


def campaign_send_due(*, campaign_id: int, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    rows = _claim(campaign_id, now)
    sent = 0
    if rows:
        campaign = EmailCampaign.objects.select_related("address__queue", "firm").get(
            pk=campaign_id
        )
        contacts = Contact.objects.in_bulk([r.contact_id for r in rows])
        connection = get_connection(timeout=SMTP_TIMEOUT)
        try:
            connection.open()  # one SMTP session for the tick's mail
        except Exception as error:  # the server is not there: each email tried again later
            for row in rows:
                _send_failed(row, error)
        else:
            try:
                for row in rows:
                    sent += _send_one(campaign, row, contacts.get(row.contact_id), connection)
            finally:
                connection.close()
    _finish_if_done(campaign_id, now)
    return sent


@transaction.atomic
def _claim(campaign_id: int, now: dt.datetime) -> list[CampaignEmail]:
    """Take this tick's share: rate_per_minute less what was taken in the last 60 seconds.
    The campaign's lock serialises senders on the budget (a busy campaign is skipped, not
    waited for); the rows' lock (skip_locked) keeps an email out of two claims."""
    campaign = (
        EmailCampaign.objects.select_for_update(skip_locked=True)
        .filter(pk=campaign_id, status=Status.SENDING)
        .first()
    )
    if campaign is None:
        return []
    emails = CampaignEmail.objects.filter(campaign_id=campaign_id)
    used = emails.filter(sent_at__gt=now - dt.timedelta(seconds=60), sent_at__lte=now).count()
    budget = min(campaign.rate_per_minute - used, CLAIM_MAX)
    if budget <= 0:
        return []
    # A lost claim that has had its tries (a sender dying, or its mark failing, each time)
    # fails rather than mail the contact yet again.
    worn = emails.filter(
        status=Row.QUEUED, sent_at__lt=now - CLAIM_LEASE, attempts__gte=MAX_ATTEMPTS
    ).update(status=Row.FAILED, error="Not confirmed as sent after its tries.")
    if worn:
        EmailCampaign.objects.filter(pk=campaign_id).update(failed=F("failed") + worn)
    free = Q(sent_at__isnull=True) | Q(sent_at__lt=now - CLAIM_LEASE)  # unclaimed, or lost
    rows = list(
        emails.select_for_update(skip_locked=True)
        .filter(free, status=Row.QUEUED)
        .order_by("pk")[:budget]
    )
    domain = _domain(campaign)
    for row in rows:
        row.sent_at = now
        row.attempts += 1
        row.message_id = row.message_id or make_msgid(domain=domain)[1:-1]  # kept on a resend
    CampaignEmail.objects.bulk_update(rows, ["sent_at", "attempts", "message_id"])
    return rows


def _send_one(campaign: EmailCampaign, row: CampaignEmail, contact, connection) -> int:
    if contact is None or is_suppressed(firm_id=row.firm_id, email=row.email):
        # Suppressed since the start (an unsubscribe from another campaign, a bounce).
        with transaction.atomic():
            if CampaignEmail.objects.filter(pk=row.pk, status=Row.QUEUED).update(
                status=Row.SUPPRESSED
            ):
                EmailCampaign.objects.filter(pk=campaign.pk).update(suppressed=F("suppressed") + 1)
        return 0
    message = campaign_message(
        campaign,
        to=row.email,
        values=contact_values(contact),
        message_id=row.message_id,
        token=row.token,
    )
    message.connection = connection
    # anymail backends send these to the provider, which returns them with each tracking
    # event (mailroom.tracking finds the row by them); Django's SMTP backend ignores them.
    message.metadata = {"campaign_email": str(row.pk)}
    message.tags = ["campaign"]
    try:
        message.send()
    except Exception as error:  # the server refused or could not be reached: retry or fail
        _send_failed(row, error)
        return 0
    status = getattr(message, "anymail_status", None)
    try:
        return _mark_sent(row, provider_id=(getattr(status, "message_id", None) or "")[:255])
    except Exception:  # the mark (or billing's row) failed: the claim's lease sends it again
        logger.exception("Campaign email %s: sent, but not marked", row.pk)
        return 0


@transaction.atomic
def _mark_sent(row: CampaignEmail, *, provider_id: str) -> int:
    """SENT, counted and billed (the signal: billing's ledger row) in one transaction. A
    compare-and-set on QUEUED: a resend after a lost commit is never billed twice."""
    locked = CampaignEmail.objects.select_for_update().filter(pk=row.pk, status=Row.QUEUED).first()
    if locked is None:
        return 0
    locked.status, locked.provider_id, locked.error = Row.SENT, provider_id, ""
    locked.save(update_fields=["status", "provider_id", "error"])
    EmailCampaign.objects.filter(pk=locked.campaign_id).update(sent=F("sent") + 1)
    campaign_email_sent.send(sender=CampaignEmail, email=locked)
    return 1


@transaction.atomic
def _send_failed(row: CampaignEmail, error: Exception) -> None:
    # The error's class only: a server's message can quote the address.
    reason = f"The mail server refused it ({type(error).__name__})."[:500]
    logger.warning("Campaign email %s: send failed (%s)", row.pk, type(error).__name__)
    locked = CampaignEmail.objects.select_for_update().filter(pk=row.pk, status=Row.QUEUED).first()
    if locked is None:
        return
    locked.error = reason
    if locked.attempts >= MAX_ATTEMPTS:
        locked.status = Row.FAILED
        EmailCampaign.objects.filter(pk=locked.campaign_id).update(failed=F("failed") + 1)
    else:
        locked.sent_at = None  # back in the queue: the next tick tries again
    locked.save(update_fields=["error", "status", "sent_at"])


def _finish_if_done(campaign_id: int, now: dt.datetime) -> None:
    """DONE when nothing is queued (an email in flight is still queued until marked)."""
    if not CampaignEmail.objects.filter(campaign_id=campaign_id, status=Row.QUEUED).exists():
        EmailCampaign.objects.filter(pk=campaign_id, status=Status.SENDING).update(
            status=Status.DONE, finished_at=now
        )
