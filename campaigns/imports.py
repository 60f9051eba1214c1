"""Contact lists, the firm's do-not-call list and the national registry, imported from files
in a Celery task with a progress bar: duplicates merged, bad rows reported, nothing
half-imported, memory flat whatever the file's length.

`import_start` checks who asks and what the file is (campaigns.readers: by content, bounded by
CAMPAIGNS_IMPORT_MAX_BYTES), stores the file privately, records an `ImportJob` (audited with
counts only) and sends `campaigns.import_run` once committed. `import_run` is the task's body:

1. Claim (compare-and-set): a queued job, or one whose lease expired. The lease's expiry is
   also the claim's token: every later write names it, so a worker the sweep replaced finds
   its token gone and stops (`LeaseLost`) instead of writing beside the new one.
2. Read the file BATCH rows at a time; each row is checked with the rules of the firm's
   contact upload (clients.contacts: `number` with `;`-separated numbers in E.164, name,
   language by code or English name, external_id, the other columns as fields) and staged as
   an `ImportRow`, with the key duplicates merge on (the external id, else the first
   number). Each batch is one short transaction: progress (bytes read), lease renewed, rows
   staged (campaigns.staging: `COPY` on PostgreSQL). Once a row is bad nothing more is
   staged; every row is still checked, the first ERRORS_KEPT bad rows kept (row number and
   reason), all of them counted.
3. Any bad row: REFUSED, the staged rows deleted, nothing applied. Otherwise APPLYING, then
   one transaction applies the staged rows, read back from the table in key order a batch at
   a time (never the whole file in Python): contacts are matched to the firm's stored ones by
   external id or number, looked up in SQL by the checked text (never parsed again), and
   merged by the upload's own rules (a row whose numbers belong to two contacts refuses the
   import); then created or updated in bulk with their numbers and list membership
   (campaigns.staging: `COPY` on PostgreSQL, the ORM's bulk writes elsewhere), then the
   list's version and count; do-not-call numbers go in with the list's next version; a
   registry extract becomes a new complete `RegistryVersion`.

A crash anywhere rolls the apply back whole and leaves the job leased: `imports_sweep` (the
campaigns beat task calls it) queues a job whose lease expired again, up to MAX_REQUEUES
times, then fails it; each run starts from the file, its predecessor's staged rows deleted.

Who: a firm's admins keep a partial-BPO firm's lists; the agency's administrators keep a
complete-BPO firm's (its users only view them) and may act for any firm; the registry is the
administrators' alone. `suppression_add` / `suppression_remove` are also the dialer's (an
opt-out, a "do not call" disposition).
"""

import datetime as dt
import functools
import logging
import os
import uuid
from dataclasses import dataclass, field

import phonenumbers
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from phonenumbers.tzdata import TIMEZONE_DATA

from accounts.models import User
from campaigns import readers
from campaigns.hours import CURRENT_NAME, zone, zones_for_number
from campaigns.lifecycle import lists_changed
from campaigns.models import (
    ALL_CATEGORIES,
    Category,
    ContactList,
    ImportJob,
    ImportRow,
    ListMember,
    RegistryEntry,
    RegistryVersion,
    SuppressionEntry,
    SuppressionList,
    category_bit,
)
from campaigns.staging import contacts_write, members_add, rows_stage
from clients.contacts import (
    ContactRow,
    ImportRefused,
    PendingContact,
    contact_fold,
    contacts_stored,
    header_parse,
    number_parse,
    row_parse,
)
from clients.models import ClientFirm
from clients.services import NotAllowed, require_agency_admin, require_firm_admin
from common.audit import audit_log
from common.errors import ApplicationError, ConflictError
from common.models import AuditAction
from common.text import text_normalise

logger = logging.getLogger(__name__)
Kind, Status = ImportJob.Kind, ImportJob.Status
LIVE = (Status.RUNNING, Status.APPLYING)
BATCH = 5000
ERRORS_KEPT = 1000
LEASE_SECONDS = 300  # renewed every batch; the apply's own transaction holds the row lock
START_WITHIN_SECONDS = 120  # a queued job whose task has not started by then is sent again
MAX_REQUEUES = 3


class LeaseLost(Exception):
    """The sweep gave the job to another task: this one stops writing."""


class _Refused(Exception):
    """The apply found bad rows (numbers of two contacts): rolled back, the job refused."""

    def __init__(self, errors: list[dict], count: int):
        super().__init__(f"{count} bad rows")
        self.errors, self.count = errors, count


# --- Who keeps the lists -------------------------------------------------------------------


def _agency_admin(user: User) -> bool:
    return user.is_active and user.has_role(User.Role.ADMIN)


def list_keeper(*, user: User, firm: ClientFirm) -> bool:
    """May `user` change the firm's lists and do-not-call list (the pages' question)?"""
    try:
        lists_keeper_require(actor=user, firm=firm)
    except NotAllowed:
        return False
    return True


def lists_keeper_require(*, actor: User, firm: ClientFirm) -> None:
    """The agency's administrators, for any firm; a partial-BPO firm's own admins. A
    complete-BPO firm's lists are the agency's to keep: its users only view them."""
    if _agency_admin(actor):
        return
    if firm.engagement_type == ClientFirm.EngagementType.COMPLETE:
        raise NotAllowed("The agency keeps your lists: ask your account manager to upload.")
    require_firm_admin(user=actor, firm=firm)


@transaction.atomic
def contact_list_create(*, actor: User, firm: ClientFirm, name: str) -> ContactList:
    lists_keeper_require(actor=actor, firm=firm)
    name = text_normalise(name.strip())
    if not name:
        raise ApplicationError("Give the list a name.", field="name")
    if ContactList.objects.filter(firm=firm, name=name).exists():
        raise ConflictError("A list of that name exists already.", field="name")
    return ContactList.objects.create(firm=firm, name=name[:120], created_by=actor)


# --- Starting an import --------------------------------------------------------------------


def _job_audit(job: ImportJob, action: str, *, actor: User | None = None, **detail) -> None:
    """An import's audit record: about its list, else its firm, else itself (the registry);
    counts only, never a contact's name or number."""
    audit_log(
        actor=actor,
        action=action,
        target=job.contact_list or job.firm or job,
        job=job.pk,
        kind=job.kind,
        **detail,
    )


def import_start(
    *,
    actor: User,
    kind: str,
    firm: ClientFirm | None = None,
    contact_list: ContactList | None = None,
    upload,
) -> ImportJob:
    """Check who and what, store the file, record the job; its task is sent on commit."""
    if kind == Kind.REGISTRY:
        require_agency_admin(user=actor)
        firm = contact_list = None
    else:
        if firm is None:
            raise ApplicationError("Which firm's list?")
        lists_keeper_require(actor=actor, firm=firm)
        if kind == Kind.CONTACTS and (contact_list is None or contact_list.firm_id != firm.pk):
            raise ApplicationError("Which list?")
        if kind == Kind.SUPPRESSION:
            contact_list = None
    try:
        file_format = readers.file_sniff(
            upload, size=upload.size, max_bytes=settings.CAMPAIGNS_IMPORT_MAX_BYTES
        )
    except readers.ReadRefused as error:
        raise ApplicationError(error.message, field="file") from None
    from campaigns.tasks import import_publish  # the task calls this module back

    with transaction.atomic():
        job = ImportJob(
            kind=kind,
            firm=firm,
            contact_list=contact_list,
            file_name=text_normalise(os.path.basename(upload.name or "upload"))[:255],
            file_format=file_format,
            bytes_total=upload.size,
            created_by=actor,
        )
        # A name of our own: the uploader's is only shown, never a path.
        job.file.save(f"{uuid.uuid4().hex}.{file_format}", upload, save=False)
        job.save()
        _job_audit(job, AuditAction.OUTBOUND_IMPORT_STARTED, actor=actor, bytes=job.bytes_total)
        # robust: a broker that is down leaves the job queued for the sweep, not a 500.
        transaction.on_commit(lambda: import_publish(job_id=job.pk), robust=True)
    return job


# --- The task's body -----------------------------------------------------------------------


def _lease(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(seconds=LEASE_SECONDS)


def _claim(job_id: int) -> dt.datetime | None:
    """Take the job (compare-and-set); its new lease expiry is the token, or None."""
    now = timezone.now()
    token = _lease(now)
    expired = Q(lease_until__isnull=True) | Q(lease_until__lte=now)
    free = Q(status=Status.QUEUED) | (Q(status__in=LIVE) & expired)
    claimed = ImportJob.objects.filter(free, pk=job_id).update(
        status=Status.RUNNING,
        lease_until=token,
        started_at=now,
        bytes_read=0,
        rows_read=0,
        rows_ok=0,
        rows_bad=0,
        rows_merged=0,
        created_count=0,
        updated_count=0,
        errors=[],
        message="",
    )
    return token if claimed else None


@dataclass
class _Run:
    job: ImportJob
    token: dt.datetime
    errors: list = field(default_factory=list)
    read: int = 0
    ok: int = 0
    bad: int = 0

    def mine(self, *statuses: str):
        return ImportJob.objects.filter(
            pk=self.job.pk, status__in=statuses or LIVE, lease_until=self.token
        )

    def renew(self, **fields) -> None:
        """Write progress and renew the lease, if the job is still ours (else LeaseLost)."""
        token = _lease(timezone.now())
        if not self.mine().update(lease_until=token, **fields):
            raise LeaseLost
        self.token = token

    def bad_row(self, row: int, reason: str) -> None:
        self.bad += 1
        if len(self.errors) < ERRORS_KEPT:
            self.errors.append({"row": row, "reason": reason})

    def counts(self) -> dict:
        return {"rows_read": self.read, "rows_ok": self.ok, "rows_bad": self.bad}


def import_run(*, job_id: int) -> dict:
    """Claim, read and stage, then refuse or apply (see the module). Safe to run twice."""
    token = _claim(job_id)
    if token is None:
        return {"job": job_id, "skipped": "not queued, or another task holds it"}
    job = ImportJob.objects.select_related("firm", "contact_list").get(pk=job_id)
    run = _Run(job=job, token=token)
    ImportRow.objects.filter(job=job).delete()  # a previous run's, if it crashed
    try:
        refusal = _stage(run)
        if refusal or run.bad or not run.ok:
            _refuse(run, refusal or ("" if run.bad else "The file has no rows under its header."))
            return {"job": job_id, "refused": run.bad or 1}
        try:
            _apply(run)
        except _Refused as refused:
            run.errors, run.bad, run.ok = refused.errors, refused.count, run.ok - refused.count
            _refuse(run, "")
            return {"job": job_id, "refused": refused.count}
    except LeaseLost:
        logger.warning("Import %s: lease lost to another task; stopped", job_id)
        return {"job": job_id, "skipped": "lease lost"}
    return {"job": job_id, "rows": run.ok}


def _columns(kind: str, header: list[str]) -> tuple[list[str], list[str], str]:
    """(columns, field columns, time zone column) or ImportRefused."""
    if kind == Kind.CONTACTS:
        columns, extra = header_parse(header)
        zone_column = next((c for c in extra if c.strip().lower() == "time_zone"), "")
        return columns, [c for c in extra if c != zone_column], zone_column
    columns = [(c or "").strip().lower() for c in header]
    columns = ["number" if c == "numbers" else c for c in columns]
    needed = ["number"] + (["blocked"] if kind == Kind.REGISTRY else [])
    for name in needed:
        if name not in columns:
            raise ImportRefused([f"Row 1: there is no “{name}” column."])
    return columns, [], ""


@dataclass
class StagedContact(ContactRow):
    time_zone: str = ""  # given in the file, and a zone we know
    zone_guess: str = ""  # the numbers' zone, when they are in exactly one


@functools.cache
def _country_zones(calling_code: str) -> frozenset[str]:
    """Every zone phonenumbers knows for a country calling code (codes are prefix-free)."""
    zones = {
        CURRENT_NAME.get(z, z)
        for prefix, names in TIMEZONE_DATA.items()
        if prefix.startswith(calling_code)
        for z in names
    }
    return frozenset(z for z in zones if zone(z) is not None)


def _zone_guess(numbers: list[str]) -> str:
    """The numbers' zone when phonenumbers gives exactly one (campaigns.hours.zones_for_number),
    else "". A country with one zone (India) answers without looking at each number: the
    per-number lookup classifies the number first, as costly as checking it again."""
    zones: set[str] = set()
    for number in numbers:
        digits = number.lstrip("+")
        code = next((digits[:n] for n in (1, 2, 3) if int(digits[:n]) in CALLING_CODES), "")
        country = _country_zones(code) if code else frozenset()
        zones.update(country if len(country) == 1 else zones_for_number(number))
        if len(zones) > 1:
            return ""
    return zones.pop() if zones else ""


CALLING_CODES = frozenset(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)


def _contact_row(line: int, cells: dict, extra: list[str], zone_column: str) -> tuple[str, dict]:
    row = row_parse(line, cells, extra)
    given = (cells.get(zone_column) or "").strip() if zone_column else ""
    time_zone = given if given and zone(given) is not None else ""
    if row.external_id:
        key = f"x:{row.external_id}"
    else:  # a row with an email address and no number is keyed by its address
        key = f"n:{row.numbers[0]}" if row.numbers else f"e:{row.email}"
    return key, {
        "x": row.external_id,
        "n": row.name,
        "l": row.language,
        "z": time_zone,
        "g": "" if time_zone else _zone_guess(row.numbers),
        "num": row.numbers,
        "f": row.fields,
        "e": row.email,
    }


def _blocked(raw: str) -> tuple[bool, int]:
    raw = (raw or "").strip().lower()
    if raw in ("full", "0"):
        return True, 0
    bits = 0
    for part in raw.replace(",", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        if part not in Category.values:
            raise ValueError(f"“{part[:20]}” is not a category (1 to 7, or full)")
        bits |= category_bit(part)
    if not bits:
        raise ValueError("no blocked categories (1 to 7, or full)")
    return False, bits


def _number_row(kind: str, cells: dict) -> tuple[str, dict]:
    raw = (cells.get("number") or "").strip()
    if not raw:
        raise ValueError("no number")
    number = number_parse(raw)
    if kind == Kind.REGISTRY:
        fully, bits = _blocked(cells.get("blocked", ""))
        return number, {"f": fully, "b": bits}
    return number, {}


def _stage(run: _Run) -> str:
    """Read and check every row, staging the good ones while none is bad. Returns a refusal
    of the whole file ("" when it was read to its end)."""
    job = run.job
    with job.file.storage.open(job.file.name, "rb") as file:
        try:
            reader = readers.rows_open(file, file_format=job.file_format, size=job.bytes_total)
        except readers.ReadRefused as error:
            return error.message
        try:
            columns, extra, zone_column = _columns(job.kind, reader.header)
        except ImportRefused as refused:
            run.errors = [{"row": 1, "reason": e.removeprefix("Row 1: ")} for e in refused.errors]
            run.bad = len(run.errors)
            return ""
        staged: list[tuple[int, str, dict]] = []

        def flush() -> None:
            with transaction.atomic():
                run.renew(bytes_read=reader.bytes_read, errors=run.errors, **run.counts())
                rows_stage(job.pk, staged)
            staged.clear()

        try:
            for line, cells in reader.rows(columns):
                run.read += 1
                try:
                    if None in cells:
                        raise ValueError("more cells than columns")
                    if job.kind == Kind.CONTACTS:
                        key, data = _contact_row(line, cells, extra, zone_column)
                    else:
                        key, data = _number_row(job.kind, cells)
                except ValueError as error:
                    run.bad_row(line, str(error))
                else:
                    run.ok += 1
                    if not run.bad:  # a refused file is checked to its end, not staged
                        staged.append((line, key[:80], data))
                if run.read % BATCH == 0:
                    flush()
        except readers.ReadRefused as error:
            run.bad_row(error.row, error.message)
            staged.clear()
        finally:
            reader.close()
        flush()
    return ""


def _refuse(run: _Run, message: str) -> None:
    job = run.job
    with transaction.atomic():
        done = run.mine().update(
            status=Status.REFUSED,
            message=message[:500]
            or f"{run.bad:,} bad row{'s' * (run.bad != 1)}: nothing was imported.",
            errors=run.errors,
            finished_at=timezone.now(),
            lease_until=None,
            **run.counts(),
        )
        if not done:
            raise LeaseLost
        ImportRow.objects.filter(job=job).delete()
        _job_audit(job, AuditAction.OUTBOUND_IMPORT_REFUSED, **run.counts())


def _apply(run: _Run) -> None:
    job = run.job
    run.renew(status=Status.APPLYING, bytes_read=job.bytes_total, **run.counts())
    with transaction.atomic():
        # The lease, from here to the commit, is this row lock: the sweep skips locked rows.
        if run.mine(Status.APPLYING).select_for_update().values_list("pk").first() is None:
            raise LeaseLost
        if job.kind == Kind.CONTACTS:
            created, updated = _apply_contacts(job)
        elif job.kind == Kind.SUPPRESSION:
            created, updated = _apply_suppression(job), 0
        else:
            created, updated = _apply_registry(job), 0
        ImportRow.objects.filter(job=job).delete()
        merged = max(0, run.ok - created - updated) if job.kind == Kind.CONTACTS else 0
        run.mine(Status.APPLYING).update(
            status=Status.DONE,
            created_count=created,
            updated_count=updated,
            rows_merged=merged,
            finished_at=timezone.now(),
            lease_until=None,
            **run.counts(),
        )
        _job_audit(
            job,
            AuditAction.OUTBOUND_IMPORT_DONE,
            created=created,
            updated=updated,
            merged=merged,
            **run.counts(),
        )


def _staged(job: ImportJob):
    """The staged rows in key order (duplicates together), streamed from the database."""
    rows = ImportRow.objects.filter(job=job).order_by("key", "row")
    return rows.values_list("row", "key", "data").iterator(chunk_size=BATCH)


def _groups(job: ImportJob):
    """Batches of about BATCH staged rows, never splitting a key's rows between two."""
    batch, last = [], None
    for row, key, data in _staged(job):
        if len(batch) >= BATCH and key != last:
            yield batch
            batch = []
        batch.append((row, key, data))
        last = key
    if batch:
        yield batch


def _apply_contacts(job: ImportJob) -> tuple[int, int]:
    firm = job.firm
    # One import at a time per firm: each batch reads the stored contacts, then writes.
    ClientFirm.objects.select_for_update().filter(pk=firm.pk).first()
    contact_list = ContactList.objects.select_for_update().get(pk=job.contact_list_id)
    created = updated = bad = 0
    errors: list[dict] = []
    for batch in _groups(job):
        rows = [
            StagedContact(
                line=row,
                external_id=d["x"],
                name=d["n"],
                language=d["l"],
                numbers=d["num"],
                fields=d["f"],
                time_zone=d["z"],
                zone_guess=d["g"],
                email=d.get("e", ""),
            )
            for row, _key, d in batch
        ]
        # The firm's contacts these rows name, stored before or by an earlier batch.
        by_id, by_number = contacts_stored(firm, rows)
        pending: dict[int, PendingContact] = {}
        for row in rows:
            try:
                item = contact_fold(
                    row, firm=firm, pending=pending, by_id=by_id, by_number=by_number
                )
            except ValueError as error:
                bad += 1
                if len(errors) < ERRORS_KEPT:
                    errors.append({"row": row.line, "reason": str(error)})
                continue
            if row.time_zone:
                item.contact.time_zone = row.time_zone
            elif not item.contact.time_zone and row.zone_guess:
                item.contact.time_zone = row.zone_guess
        if bad:
            continue  # the import is refused: only the checking goes on
        new = {id(i.contact) for i in pending.values() if i.contact.pk is None}
        result = contacts_write(firm, pending.values())
        created, updated = created + result.created, updated + result.updated
        contacts = [i.contact for i in pending.values()]
        members_add(contact_list.pk, contacts, new={c.pk for c in contacts if id(c) in new})
    if bad:
        errors.sort(key=lambda e: e["row"])
        raise _Refused(errors, bad)
    ContactList.objects.filter(pk=contact_list.pk).update(
        version=F("version") + 1,
        members_count=ListMember.objects.filter(contact_list=contact_list).count(),
        updated_at=timezone.now(),
    )
    # The new contacts join the list's scheduled, running and paused campaigns in this same
    # transaction: without it they waited for the campaign's next start or resume.
    lists_changed(contact_list=contact_list)
    return created, updated


def _suppression_list(firm: ClientFirm) -> SuppressionList:
    """The firm's do-not-call list, locked (made on first use)."""
    SuppressionList.objects.get_or_create(firm=firm)
    return SuppressionList.objects.select_for_update().get(firm=firm)


def _apply_suppression(job: ImportJob) -> int:
    listed = _suppression_list(job.firm)
    version = listed.version + 1
    before = SuppressionEntry.objects.filter(firm=job.firm).count()
    numbers = (
        ImportRow.objects.filter(job=job)
        .order_by("key")
        .values_list("key", flat=True)
        .distinct()
        .iterator(chunk_size=BATCH)
    )
    batch = []
    for number in numbers:
        batch.append(
            SuppressionEntry(
                firm=job.firm,
                number=number,
                source=SuppressionEntry.Source.UPLOAD,
                version=version,
                created_by=job.created_by,
            )
        )
        if len(batch) >= BATCH:
            SuppressionEntry.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    SuppressionEntry.objects.bulk_create(batch, ignore_conflicts=True)
    SuppressionList.objects.filter(pk=listed.pk).update(version=version, updated_at=timezone.now())
    return SuppressionEntry.objects.filter(firm=job.firm).count() - before


def _apply_registry(job: ImportJob) -> int:
    version = RegistryVersion.objects.create(uploaded_by=job.created_by, source_name=job.file_name)
    count, batch, last = 0, [], None
    for _row, number, data in _staged(job):
        if last is not None and last.number == number:  # the same number twice: both blocks
            last.fully_blocked = last.fully_blocked or data["f"]
            last.blocked = (last.blocked | data["b"]) & ALL_CATEGORIES
            continue
        last = RegistryEntry(version=version, number=number, fully_blocked=data["f"])
        last.blocked = data["b"]
        batch.append(last)
        count += 1
        if len(batch) > BATCH:  # keep the last one back: the next row may be its twin
            RegistryEntry.objects.bulk_create(batch[:-1])
            batch = batch[-1:]
    RegistryEntry.objects.bulk_create(batch)
    RegistryVersion.objects.filter(pk=version.pk).update(
        entries=count, is_complete=True, completed_at=timezone.now()
    )
    return count


# --- The sweep -----------------------------------------------------------------------------


def imports_sweep(*, now: dt.datetime | None = None) -> dict[str, list[int]]:
    """Send lost jobs again (a lease expired: the worker died; queued but never started: the
    message was lost); fail those sent MAX_REQUEUES times already."""
    from campaigns.tasks import import_publish

    now = now or timezone.now()
    start_by = now - dt.timedelta(seconds=START_WITHIN_SECONDS)
    expired = Q(lease_until__isnull=True) | Q(lease_until__lte=now)
    unstarted = Q(lease_until__lte=now) | Q(lease_until__isnull=True, created_at__lte=start_by)
    lost = (Q(status__in=LIVE) & expired) | (Q(status=Status.QUEUED) & unstarted)
    sends, failed = [], []
    with transaction.atomic():
        # SKIP LOCKED: an applying job's row is locked by its own transaction — in hand.
        for job in ImportJob.objects.select_for_update(skip_locked=True).filter(lost):
            if job.requeues >= MAX_REQUEUES:
                failed.append(job)
                continue
            logger.warning("Import %s lost (%s): queued again", job.pk, job.status)
            ImportJob.objects.filter(pk=job.pk).update(
                status=Status.QUEUED,
                lease_until=now + dt.timedelta(seconds=START_WITHIN_SECONDS),
                requeues=F("requeues") + 1,
            )
            sends.append(job.pk)
        for job in failed:
            ImportJob.objects.filter(pk=job.pk).update(
                status=Status.FAILED,
                message=f"Stopped after {job.requeues} new starts: please upload it again.",
                finished_at=now,
                lease_until=None,
            )
            ImportRow.objects.filter(job=job).delete()
            _job_audit(job, AuditAction.OUTBOUND_IMPORT_FAILED, requeues=job.requeues)
    for job_id in sends:
        import_publish(job_id=job_id)
    return {"requeued": sends, "failed": [job.pk for job in failed]}


# --- The firm's do-not-call list, one number at a time -------------------------------------


def _suppression_actor_check(actor: User | None, firm: ClientFirm, source: str) -> None:
    # The dialer adds opt-outs and "do not call" dispositions for the contact (an agent's
    # answer, a key pressed): the contact's wish, whoever relays it. A firm's own additions
    # are its list keepers'.
    if source in (SuppressionEntry.Source.ADDED, SuppressionEntry.Source.UPLOAD):
        if actor is None:
            raise NotAllowed("Who adds this number?")
        lists_keeper_require(actor=actor, firm=firm)


@transaction.atomic
def suppression_add(
    *, actor: User | None, firm: ClientFirm, number: str, source: str, attempt=None
) -> SuppressionEntry:
    """Put `number` on the firm's do-not-call list (the list's version goes up); a number
    already on it stays as it was. Audited without the number."""
    _suppression_actor_check(actor, firm, source)
    try:
        number = number_parse(str(number).strip())
    except ValueError as error:
        raise ApplicationError(f"{str(error)[:80]}.", field="number") from None
    listed = _suppression_list(firm)
    entry = SuppressionEntry.objects.filter(firm=firm, number=number).first()
    if entry is not None:
        return entry
    listed.version += 1
    listed.save(update_fields=["version", "updated_at"])
    entry = SuppressionEntry.objects.create(
        firm=firm,
        number=number,
        source=source,
        attempt=attempt,
        version=listed.version,
        created_by=actor,
    )
    audit_log(
        actor=actor,
        action=AuditAction.SUPPRESSION_ADDED,
        target=firm,
        source=source,
        version=listed.version,
        attempt=getattr(attempt, "pk", None),
    )
    return entry


@transaction.atomic
def suppression_remove(*, actor: User, firm: ClientFirm, number: str) -> bool:
    """Take `number` off the firm's do-not-call list (the version goes up): the list's keepers
    only. False if it was not on it."""
    lists_keeper_require(actor=actor, firm=firm)
    try:
        number = number_parse(str(number).strip())
    except ValueError as error:
        raise ApplicationError(f"{str(error)[:80]}.", field="number") from None
    listed = _suppression_list(firm)
    deleted, _ = SuppressionEntry.objects.filter(firm=firm, number=number).delete()
    if not deleted:
        return False
    listed.version += 1
    listed.save(update_fields=["version", "updated_at"])
    audit_log(
        actor=actor,
        action=AuditAction.SUPPRESSION_REMOVED,
        target=firm,
        version=listed.version,
    )
    return True
