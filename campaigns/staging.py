"""Bulk writes of the streaming import (campaigns.imports), in SQL: where a large import's
time went, once the rows were checked, was Django building a model and an INSERT
parameter per value (`bulk_create`), not the database.

On PostgreSQL each batch goes in with `COPY … FROM STDIN` (psycopg2's `copy_expert`): the
staged rows, the new contacts (their ids taken from the table's sequence first, so their
numbers and list membership can name them), their numbers, their membership; stored contacts
the batch updates go through a temporary table and one UPDATE … FROM. Elsewhere (SQLite, the
development setup) the same batches go through the ORM's bulk writes as before.

Only the writing differs per database: which contact a row updates, and what is merged, is
decided once, in Python, by the firm's row rules (clients.contacts `contact_fold`:
`contact_match` and `contact_merge`), batch by batch. The numbers written are the checked
E.164 strings, never parsed again.
"""

import csv
import io
import json
from collections.abc import Iterable

from django.db import connection
from django.utils import timezone

from campaigns.models import ListMember
from clients.contacts import ImportResult, PendingContact
from clients.contacts import contacts_write as contacts_write_orm
from clients.models import ClientFirm, Contact


def _copying() -> bool:
    return connection.vendor == "postgresql"


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _copy(table: str, columns: list[str], rows: Iterable[tuple]) -> None:
    """COPY `rows` into `table` (a name of ours, never input) in CSV, every value quoted: a
    quoted empty cell is an empty string, never NULL."""
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)", buffer
        )


def rows_stage(job_id: int, rows: list[tuple[int, str, dict]]) -> None:
    """Stage (row number, key, data) rows of the job."""
    if not rows:
        return
    values = [(job_id, row, key, _json(data)) for row, key, data in rows]
    if _copying():
        _copy("campaigns_importrow", ["job_id", "row", "key", "data"], values)
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO campaigns_importrow (job_id, row, key, data) VALUES (%s, %s, %s, %s)",
            values,
        )


def contacts_write(firm: ClientFirm, items: Iterable[PendingContact]) -> ImportResult:
    """Write a batch's merged contacts (new ones created, stored ones updated) and their new
    numbers; new contacts get their pk as bulk_create would give it."""
    if not _copying():
        return contacts_write_orm(firm, items)
    items = list(items)
    new = [i.contact for i in items if i.contact.pk is None]
    old = [i.contact for i in items if i.contact.pk is not None]
    now = timezone.now()
    if new:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                ["clients_contact", len(new)],
            )
            for contact, (pk,) in zip(new, cursor.fetchall(), strict=True):
                contact.pk = pk
        columns = ["id", "firm_id", "external_id", "name", "language", "email", "time_zone"]
        columns.append("fields")
        _copy(
            "clients_contact",
            [*columns, "created_at", "updated_at"],
            (_contact_values(firm, c, now) for c in new),
        )
        for contact in new:
            contact.created_at = contact.updated_at = now
            contact._state.adding = False
    if old:
        _contacts_update(old, now)
    numbers = [(i.contact.pk, firm.pk, n) for i in items for n in sorted(i.numbers)]
    _copy("clients_contactnumber", ["contact_id", "firm_id", "number"], numbers)
    return ImportResult(created=len(new), updated=len(old), numbers_added=len(numbers))


def _contact_values(firm: ClientFirm, c: Contact, now) -> tuple:
    fields = _json(c.fields)
    return (
        c.pk,
        firm.pk,
        c.external_id,
        c.name,
        c.language,
        c.email,
        c.time_zone,
        fields,
        now,
        now,
    )


def _contacts_update(contacts: list[Contact], now) -> None:
    with connection.cursor() as cursor:
        # Dropped at the commit; emptied for each batch of the same transaction.
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS campaigns_import_update (id bigint,"
            " external_id text, name text, language text, email text, time_zone text,"
            " fields jsonb)"
            " ON COMMIT DROP"
        )
        cursor.execute("TRUNCATE campaigns_import_update")
    _copy(
        "campaigns_import_update",
        ["id", "external_id", "name", "language", "email", "time_zone", "fields"],
        (
            (c.pk, c.external_id, c.name, c.language, c.email, c.time_zone, _json(c.fields))
            for c in contacts
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE clients_contact c SET external_id = u.external_id, name = u.name,"
            " language = u.language, email = u.email, time_zone = u.time_zone,"
            " fields = u.fields,"
            " updated_at = %s FROM campaigns_import_update u WHERE c.id = u.id",
            [now],
        )
    for contact in contacts:
        contact.updated_at = now


def members_add(contact_list_id: int, contacts: Iterable[Contact], *, new: set[int]) -> None:
    """Put the contacts in the list; those in `new` (made by this batch) cannot be in it yet,
    the others may be."""
    contacts = list(contacts)
    if not _copying():
        ListMember.objects.bulk_create(
            [ListMember(contact_list_id=contact_list_id, contact=c) for c in contacts],
            batch_size=2000,
            ignore_conflicts=True,
        )
        return
    now = timezone.now()
    fresh = [(contact_list_id, c.pk, now) for c in contacts if c.pk in new]
    _copy("campaigns_listmember", ["contact_list_id", "contact_id", "added_at"], fresh)
    stored = [c.pk for c in contacts if c.pk not in new]
    if stored:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO campaigns_listmember (contact_list_id, contact_id, added_at)"
                " SELECT %s, unnest(%s::bigint[]), %s"
                " ON CONFLICT (contact_list_id, contact_id) DO NOTHING",
                [contact_list_id, stored, now],
            )
