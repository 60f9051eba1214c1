"""The firm's email settings and the staff's hand on conversations (issue 18).

Every write checks the actor itself — a firm's admin (clients.services.require_firm_admin), or
the agency's vetting and admin staff — whatever the page let through, and is audited in its
own transaction. A mailbox's password is written here and never read back out: the audit
record, the pages and the API never carry it.
"""

import string

from django.db import IntegrityError, transaction

from accounts.models import User
from clients.models import ClientFirm, PhoneLine
from clients.services import require_firm_admin
from common.audit import audit_log
from common.enqueue import enqueue
from common.errors import ApplicationError, ConflictError, require_role
from common.limits import field_check
from common.models import AuditAction
from mailroom.models import Address, Conversation, Event, Mailbox, Queue, Template

A = AuditAction
# What a reply template may name: the consumer, the agent (their display name) and the firm.
TEMPLATE_PLACEHOLDERS = frozenset({"customer_name", "agent_name", "firm_name"})
POLL_TASK = "mailroom.tasks.imap_poll_mailbox"  # the IMAP work's task: a mailbox id


# --- Queues ---------------------------------------------------------------------------------


def _queue_check(*, firm: ClientFirm, line: PhoneLine, language: str, minutes: int) -> None:
    if line.firm_id != firm.pk:
        raise ApplicationError("Choose one of your own lines.", field="line")
    if language and not line.languages.filter(language=language).exists():
        raise ApplicationError(
            "Choose one of the line's languages, or let each message's be detected.",
            field="language",
        )
    field_check(Queue, "first_response_minutes", minutes)


@transaction.atomic
def queue_save(
    *,
    actor: User,
    firm: ClientFirm,
    queue: Queue | None = None,
    name: str,
    line: PhoneLine,
    language: str = "",
    first_response_minutes: int,
    display_name: str = "",
    is_active: bool = True,
) -> Queue:
    """Create a queue of `firm` on one of its lines, or change `queue` (the firm's own)."""
    require_firm_admin(user=actor, firm=firm)
    _queue_check(firm=firm, line=line, language=language, minutes=first_response_minutes)
    if queue is not None and queue.firm_id != firm.pk:
        raise ApplicationError("That queue is not your firm's.")
    created = queue is None
    queue = queue or Queue(firm=firm)
    before = None if created else _queue_facts(queue)
    queue.name, queue.line, queue.language = name, line, language
    queue.first_response_minutes = first_response_minutes
    queue.display_name, queue.is_active = display_name, is_active
    try:
        with transaction.atomic():  # the unique name, where the race is
            queue.save()
    except IntegrityError as error:
        raise ApplicationError("You have a queue of that name.", field="name") from error
    audit_log(
        actor=actor,
        action=A.MAIL_QUEUE_SAVED,
        target=queue,
        before=before,
        after=_queue_facts(queue),
        created=created,
    )
    return queue


def _queue_facts(queue: Queue) -> dict:
    return {
        "name": queue.name,
        "line": queue.line_id,
        "language": queue.language,
        "first_response_minutes": queue.first_response_minutes,
        "display_name": queue.display_name,
        "is_active": queue.is_active,
    }


# --- Inbound addresses ------------------------------------------------------------------------


@transaction.atomic
def address_add(*, actor: User, queue: Queue, email: str) -> Address:
    """One more address consumers write to `queue` at (lower case, no one else's)."""
    require_firm_admin(user=actor, firm=queue.firm)
    email = field_check(Address, "email", (email or "").strip().lower())
    taken = ApplicationError("That address is already taken.", field="email")
    if Address.objects.filter(email=email).exists():
        raise taken
    try:
        with transaction.atomic():  # two firms adding it at once: the unique column decides
            address = Address.objects.create(queue=queue, email=email)
    except IntegrityError as error:
        raise taken from error
    audit_log(actor=actor, action=A.MAIL_ADDRESS_ADDED, target=address, queue=queue.pk)
    return address


@transaction.atomic
def address_remove(*, actor: User, address: Address) -> bool:
    """Stop taking mail at `address`. One a conversation or campaign was on stays, inactive
    (replies still leave from it); an unused one is deleted. True when deleted."""
    queue = address.queue
    require_firm_admin(user=actor, firm=queue.firm)
    address = Address.objects.select_for_update().get(pk=address.pk)
    used = Conversation.objects.filter(address=address).exists() or (address.mailboxes.exists())
    audit_log(actor=actor, action=A.MAIL_ADDRESS_REMOVED, target=address, queue=queue.pk, kept=used)
    if used:
        address.is_active = False
        address.save(update_fields=["is_active"])
        return False
    try:
        with transaction.atomic():
            address.delete()
    except IntegrityError:  # a campaign sends from it (PROTECT): keep it, inactive
        address.is_active = False
        address.save(update_fields=["is_active"])
        return False
    return True


# --- IMAP mailboxes ---------------------------------------------------------------------------


@transaction.atomic
def mailbox_save(
    *,
    actor: User,
    queue: Queue,
    mailbox: Mailbox | None = None,
    address: Address,
    host: str,
    port: int,
    use_ssl: bool,
    username: str,
    password: str = "",
    folder: str = "INBOX",
    is_active: bool = True,
) -> Mailbox:
    """Add an IMAP mailbox to `queue`, or change one. A blank password keeps the one stored
    (the pages never show it back); a new mailbox needs one."""
    require_firm_admin(user=actor, firm=queue.firm)
    if address.queue_id != queue.pk:
        raise ApplicationError("Choose one of this queue's addresses.", field="address")
    if mailbox is not None and mailbox.queue_id != queue.pk:
        raise ApplicationError("That mailbox is not this queue's.")
    if mailbox is None and not password:
        raise ApplicationError("Enter the mailbox's password.", field="password")
    field_check(Mailbox, "port", port)
    created = mailbox is None
    mailbox = mailbox or Mailbox(queue=queue)
    moved = not created and (mailbox.host, mailbox.username, mailbox.folder) != (
        host,
        username,
        folder,
    )
    mailbox.address, mailbox.host, mailbox.port, mailbox.use_ssl = address, host, port, use_ssl
    mailbox.username, mailbox.folder, mailbox.is_active = username, folder or "INBOX", is_active
    if password:
        mailbox.password = password
    if moved:  # another mailbox: its UIDs mean nothing here (Message-IDs keep out repeats)
        mailbox.uid_validity, mailbox.last_uid = None, 0
    if password or moved or is_active:
        mailbox.failures, mailbox.last_error = 0, ""  # the firm fixed it: poll afresh
    try:
        with transaction.atomic():
            mailbox.save()
    except IntegrityError as error:
        raise ApplicationError(
            "That mailbox and folder are already polled.", field="username"
        ) from error
    audit_log(
        actor=actor,
        action=A.MAIL_MAILBOX_SAVED,
        target=mailbox,
        queue=queue.pk,
        created=created,
        password_changed=bool(password),
    )
    return mailbox


@transaction.atomic
def mailbox_remove(*, actor: User, mailbox: Mailbox) -> None:
    require_firm_admin(user=actor, firm=mailbox.queue.firm)
    audit_log(actor=actor, action=A.MAIL_MAILBOX_REMOVED, target=mailbox, queue=mailbox.queue_id)
    mailbox.delete()


def mailbox_poll_now(*, actor: User, mailbox: Mailbox) -> None:
    """Poll `mailbox` now rather than at beat's next turn (the IMAP work's task)."""
    require_firm_admin(user=actor, firm=mailbox.queue.firm)
    if not mailbox.is_active:
        raise ConflictError("Turn the mailbox on first.")
    from celery import current_app

    task = current_app.tasks.get(POLL_TASK)
    if task is None:  # the IMAP poller is not installed (yet): say so, never a 500
        raise ApplicationError("Polling is not available yet: try again later.")
    enqueue(task, args=(mailbox.pk,))


# --- Reply templates --------------------------------------------------------------------------


def template_placeholders_check(body: str) -> None:
    """Only {customer_name}, {agent_name} and {firm_name}; "{{" and "}}" are literal braces."""
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(body) if name is not None]
    except ValueError as error:
        raise ApplicationError(
            "A brace is not closed: write {customer_name}, or {{ and }} for a brace.",
            field="body",
        ) from error
    unknown = sorted({name for name in names if name not in TEMPLATE_PLACEHOLDERS})
    if unknown or any(not name for name in names):
        shown = ", ".join("{" + name + "}" for name in unknown) or "{}"
        raise ApplicationError(
            f"Unknown placeholder {shown}: use {{customer_name}}, {{agent_name}} or {{firm_name}}.",
            field="body",
        )


@transaction.atomic
def template_save(
    *,
    actor: User,
    firm: ClientFirm,
    template: Template | None = None,
    name: str,
    queue: Queue | None = None,
    language: str = "",
    body: str,
) -> Template:
    require_firm_admin(user=actor, firm=firm)
    if queue is not None and queue.firm_id != firm.pk:
        raise ApplicationError("Choose one of your queues.", field="queue")
    if template is not None and template.firm_id != firm.pk:
        raise ApplicationError("That template is not your firm's.")
    template_placeholders_check(body)
    created = template is None
    template = template or Template(firm=firm)
    template.name, template.queue, template.language, template.body = name, queue, language, body
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError as error:
        raise ApplicationError("You have a template of that name.", field="name") from error
    audit_log(actor=actor, action=A.MAIL_TEMPLATE_SAVED, target=template, created=created)
    return template


@transaction.atomic
def template_remove(*, actor: User, template: Template) -> None:
    require_firm_admin(user=actor, firm=template.firm)
    audit_log(actor=actor, action=A.MAIL_TEMPLATE_REMOVED, target=template, name=template.name)
    template.delete()


# --- The staff's hand on a conversation -------------------------------------------------------

STAFF_ROLES = (User.Role.ADMIN, User.Role.VETTING)


def conversation_release(*, actor: User, conversation: Conversation, reason: str = "") -> bool:
    """Take a conversation from its agent and put it back in its queue, to be offered again
    (mailroom.assignment re-checks who is eligible). False when it had no agent to take it
    from: answered, closed or already waiting."""
    require_role(actor, *STAFF_ROLES, message="Only the agency's staff can reassign email.")
    with transaction.atomic():
        # Locked and re-read: the agent may be replying, or the sweep releasing it, right now.
        conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
        if conversation.status != Conversation.Status.ASSIGNED:
            return False
        agent = conversation.agent
        conversation.status, conversation.agent, conversation.assigned_at = (
            Conversation.Status.WAITING,
            None,
            None,
        )
        conversation.engagement = None
        conversation.save(update_fields=["status", "agent", "assigned_at", "engagement"])
        Event.objects.create(
            conversation=conversation,
            kind=Event.Kind.RELEASED,
            agent=agent,
            actor=actor,
            detail=(reason or "Put back in the queue by the agency's staff")[:500],
        )
        audit_log(
            actor=actor,
            action=A.MAIL_CONVERSATION_RELEASED,
            target=conversation,
            reason=reason,
            agent=agent.pk if agent else None,
        )
        transaction.on_commit(lambda: _route(conversation.pk))
    return True


def _route(conversation_id: int) -> None:
    from mailroom.assignment import conversation_route

    conversation = Conversation.objects.get(pk=conversation_id)
    if conversation.status == Conversation.Status.WAITING:
        conversation_route(conversation)
