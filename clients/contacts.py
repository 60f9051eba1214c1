"""The firm's contact records (issue 16; the outbound campaigns of issue 17 call them too).

`contacts_import` takes a CSV the firm uploads, all or nothing, in one transaction:

- UTF-8, with or without a byte-order mark (Excel writes one); a header row naming the
  columns `number` (several numbers in one cell separated by `;`), `name`, `language` (a
  code such as `kn`, or its English name), `external_id` (the firm's own id); every other
  column becomes one of the contact's fields (what a "contacts" line may show the agent).
- An `email` column (optional) is checked with Django's EmailValidator and stored in lower
  case (email campaigns, mailroom); a row needs a number or an address, or both.
- Each number is checked with phonenumbers and stored in E.164 (a number without +, such as
  098450 12345, is read as Indian). Every bad row is reported by its row number in the file
  (the header is row 1) and why; one bad row writes nothing.
- Duplicates are merged: a row whose external id, or else one of whose numbers (or its
  email address), matches a contact (stored, or an earlier row) updates it — name, language
  and address when given, fields by name, numbers added. A row whose numbers belong to two
  different contacts is an error.
- Bounded: `MAX_BYTES` (the upload handler refuses a bigger request before reading it,
  `agents.uploads`), `MAX_ROWS`, `MAX_FIELD_COLUMNS`. Millions of rows stream through a
  background importer in the outbound campaigns issue; this one reads the file in memory.

Firm admins only (`require_firm_admin`), audited `contacts_imported` with counts only —
never a customer's name or number in the audit log.
"""

import csv
import io
from dataclasses import dataclass, field

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import connection, transaction
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

from accounts.models import User
from agents.uploads import MAX_DOCUMENT_BYTES
from clients.models import ClientFirm, Contact, ContactNumber, Language
from clients.services import require_firm_admin
from common.audit import audit_log
from common.errors import ApplicationError
from common.models import AuditAction
from common.text import TextValidator, text_normalise

MAX_BYTES = MAX_DOCUMENT_BYTES  # 5 MB: the same request bound as every upload
MAX_ROWS = 50_000
MAX_FIELD_COLUMNS = 40
MAX_NUMBERS_A_ROW = 10
VALUE_MAX = 500
ERRORS_SHOWN = 20
DEFAULT_REGION = "IN"
KNOWN = {"number", "numbers", "name", "language", "external_id", "email"}
_LANGUAGES = {
    **{code: code for code in Language.values},
    **{label.lower(): code for code, label in Language.choices},
}
_clean = TextValidator()
_email_valid = EmailValidator()


class ImportRefused(ApplicationError):
    """The file was not imported; `errors` lists each bad row ("Row 7: …")."""

    def __init__(self, errors: list[str]):
        shown = errors[:ERRORS_SHOWN]
        more = len(errors) - len(shown)
        tail = [f"… and {more} more."] if more else []
        super().__init__(
            "Nothing was imported. " + " ".join(shown + tail), field="file", extra={"rows": shown}
        )
        self.errors = errors


@dataclass
class ContactRow:
    line: int
    external_id: str
    name: str
    language: str
    numbers: list[str]
    fields: dict[str, str]
    email: str = ""  # lower case; "" when the file gives none


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    numbers_added: int = 0


@dataclass
class PendingContact:
    """One contact the import writes: a stored one (pk) or a new one."""

    contact: Contact
    numbers: set[str] = field(default_factory=set)  # numbers to add
    touched: bool = False


def _text(value: str | None, limit: int, what: str) -> str:
    value = text_normalise((value or "").strip())
    try:
        _clean(value)
    except ValidationError:
        raise ValueError(f"the {what} holds an invisible control character") from None
    if len(value) > limit:
        raise ValueError(f"the {what} is longer than {limit} characters")
    return value


def number_parse(raw: str) -> str:
    try:
        parsed = phonenumbers.parse(raw, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise ValueError(f"“{raw[:40]}” is not a phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


class CheckedNumber(PhoneNumber):
    """A number `number_parse` has checked, in E.164. PhoneNumberField parses and validates
    every value it stores or looks up, again; this one it takes as it is (the parse was a
    third of a large import's time). Other formats still format the real number."""

    def __init__(self, e164: str):
        super().__init__(raw_input=e164)
        self.e164 = e164

    def is_valid(self) -> bool:
        return True

    def format_as(self, format) -> str:
        if format == phonenumbers.PhoneNumberFormat.E164:
            return self.e164
        return phonenumbers.format_number(phonenumbers.parse(self.e164), format)


def email_parse(raw: str | None) -> str:
    """The address in lower case ("" for none); ValueError when it is not one."""
    value = (raw or "").strip().lower()
    if not value:
        return ""
    try:
        _email_valid(value)
    except ValidationError:
        raise ValueError(f"“{value[:60]}” is not an email address") from None
    return value


def row_parse(line: int, cells: dict[str, str], extra: list[str]) -> ContactRow:
    raw_numbers = [n.strip() for n in (cells.get("number") or "").split(";") if n.strip()]
    email = email_parse(cells.get("email"))
    if not raw_numbers and not email:
        raise ValueError("no number" if "email" not in cells else "no number and no email")
    if len(raw_numbers) > MAX_NUMBERS_A_ROW:
        raise ValueError(f"more than {MAX_NUMBERS_A_ROW} numbers")
    numbers = list(dict.fromkeys(number_parse(n) for n in raw_numbers))
    language = _text(cells.get("language"), 40, "language").lower()
    if language and language not in _LANGUAGES:
        raise ValueError(f"“{language[:40]}” is not a language we know")
    fields = {}
    for column in extra:
        value = _text(cells.get(column), VALUE_MAX, column)
        if value:
            fields[column] = value
    return ContactRow(
        line=line,
        external_id=_text(cells.get("external_id"), 64, "external id"),
        name=_text(cells.get("name"), 150, "name"),
        language=_LANGUAGES.get(language, ""),
        numbers=numbers,
        fields=fields,
        email=email,
    )


def header_parse(names: list[str]) -> tuple[list[str], list[str]]:
    """The file's columns (trimmed, known ones lower-cased) and the extra ones, in order."""
    columns = []
    for raw in names:
        name = (raw or "").strip()
        columns.append(name.lower() if name.lower() in KNOWN else name)
    if "numbers" in columns and "number" not in columns:
        columns[columns.index("numbers")] = "number"
    if "number" not in columns and "email" not in columns:
        raise ImportRefused(["Row 1: there is no “number” column."])
    extra = [c for c in columns if c and c not in KNOWN]
    if len(set(columns)) != len(columns):
        raise ImportRefused(["Row 1: a column name appears twice."])
    if len(extra) > MAX_FIELD_COLUMNS:
        raise ImportRefused([f"Row 1: more than {MAX_FIELD_COLUMNS} columns of fields."])
    if any(len(c) > 64 for c in extra):
        raise ImportRefused(["Row 1: a column name is longer than 64 characters."])
    return columns, extra


def contacts_parse(data: bytes) -> list[ContactRow]:
    """The file's rows, checked; ImportRefused listing every bad row."""
    if len(data) > MAX_BYTES:
        raise ImportRefused([f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB."])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(["The file is not UTF-8 text (save it as “CSV UTF-8”)."]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        head = next(reader, None)
        if head is None:
            raise ImportRefused(["The file is empty."])
        columns, extra = header_parse(head)
        rows, errors = [], []
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue  # a blank line
            if len(rows) + len(errors) >= MAX_ROWS:
                raise ImportRefused([f"The file has more than {MAX_ROWS:,} rows."])
            line = reader.line_num
            if len(cells) > len(columns):
                errors.append(f"Row {line}: more cells than columns.")
                continue
            try:
                rows.append(row_parse(line, dict(zip(columns, cells, strict=False)), extra))
            except ValueError as error:
                errors.append(f"Row {line}: {error}.")
    except csv.Error as error:
        raise ImportRefused([f"Row {reader.line_num}: not readable as CSV ({error})."]) from None
    if errors:
        raise ImportRefused(errors)
    if not rows:
        raise ImportRefused(["The file has no rows under its header."])
    return rows


def _chunks(items: list, size: int = 1000):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def contact_fold(row, *, firm: ClientFirm, pending: dict, by_id: dict, by_number: dict):
    """Fold a good row into the contact it names (stored, or an earlier row's) or a new one,
    and note its id and numbers for the rows after it; returns that contact's PendingContact.
    Raises ValueError (`contact_match`) when the row's numbers name two different contacts.
    The one merge of both importers: this one and the background one (campaigns.imports)."""
    target = contact_match(row, by_id, by_number)
    if target is None:
        target = PendingContact(Contact(firm_id=firm.pk, external_id=row.external_id))
    item = pending.setdefault(id(target.contact), target)
    contact_merge(item, row)
    if row.external_id:
        by_id[row.external_id] = item
    for number in row.numbers:
        if by_number.get(number) is not item:
            by_number[number] = item
            item.numbers.add(number)
    if row.email:
        by_number[row.email] = item  # an address has an @, a number never: no collision
    return item


@transaction.atomic
def contacts_import(*, firm: ClientFirm, user: User, data: bytes) -> ImportResult:
    """Import the CSV `data` into the firm's contacts (see the module): all or nothing."""
    require_firm_admin(user=user, firm=firm)
    rows = contacts_parse(data)
    # One import at a time per firm: the merge reads the stored contacts, then writes.
    ClientFirm.objects.select_for_update().filter(pk=firm.pk).first()
    by_id, by_number = contacts_stored(firm, rows)
    pending: dict[int, PendingContact] = {}  # by id(): stored contacts and new ones alike
    errors = []
    for row in rows:
        try:
            contact_fold(row, firm=firm, pending=pending, by_id=by_id, by_number=by_number)
        except ValueError as error:
            errors.append(f"Row {row.line}: {error}.")
    if errors:
        raise ImportRefused(errors)
    return _write(firm, user, pending.values(), rows=len(rows))


def _owners(sql: str, firm: ClientFirm, values: list[str]) -> dict[str, int]:
    """{value: contact id} for `sql` (… WHERE firm_id = %s AND <column> IN), in chunks."""
    found: dict[str, int] = {}
    size = 5000 if connection.vendor == "postgresql" else 900  # SQLite's bound on parameters
    with connection.cursor() as cursor:
        for chunk in _chunks(values, size):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"{sql} IN ({marks})", [firm.pk, *chunk])
            found.update(cursor.fetchall())
    return found


def contacts_stored(firm: ClientFirm, rows: list[ContactRow]) -> tuple[dict, dict]:
    """The firm's stored contacts that the file names, by external id and by number. Looked
    up in SQL by the checked E.164 text as stored (the ORM would parse each number again);
    only the contacts found are loaded."""
    ids = sorted({r.external_id for r in rows if r.external_id})
    numbers = sorted({n for r in rows for n in r.numbers})
    emails = sorted({r.email for r in rows if getattr(r, "email", "")})
    by_external_id = _owners(
        "SELECT external_id, id FROM clients_contact WHERE firm_id = %s AND external_id", firm, ids
    )
    by_contact_number = _owners(
        "SELECT number, contact_id FROM clients_contactnumber WHERE firm_id = %s AND number",
        firm,
        numbers,
    )
    # Keyed with the numbers (`by_number`): an address has an @, an E.164 number never.
    by_contact_number |= _owners(
        "SELECT email, id FROM clients_contact WHERE firm_id = %s AND email", firm, emails
    )
    items: dict[int, PendingContact] = {}
    wanted = sorted({*by_external_id.values(), *by_contact_number.values()})
    for chunk in _chunks(wanted, 900):
        for contact in Contact.objects.filter(pk__in=chunk):
            items[contact.pk] = PendingContact(contact)
    by_id = {value: items[pk] for value, pk in by_external_id.items()}
    by_number = {value: items[pk] for value, pk in by_contact_number.items()}
    return by_id, by_number


def contact_match(row: ContactRow, by_id: dict, by_number: dict) -> PendingContact | None:
    """The contact this row updates (None: a new one); ValueError if it names two."""
    found = by_id.get(row.external_id) if row.external_id else None
    for number in row.numbers:
        owner = by_number.get(number)
        if owner is None:
            continue
        if found is None:
            found = owner
        elif owner is not found:
            raise ValueError(f"the number {number} belongs to another contact")
    email = getattr(row, "email", "")
    owner = by_number.get(email) if email else None
    if owner is not None and found is None:
        found = owner
    elif owner is not None and owner is not found:
        raise ValueError("the email address belongs to another contact")
    if (
        found is not None
        and row.external_id
        and found.contact.external_id not in ("", row.external_id)
    ):
        raise ValueError(
            f"its numbers belong to the contact with external id {found.contact.external_id}"
        )
    return found


def contact_merge(item: PendingContact, row: ContactRow) -> None:
    contact = item.contact
    if row.external_id and not contact.external_id:
        contact.external_id = row.external_id
    if row.name:
        contact.name = row.name
    if row.language:
        contact.language = row.language
    if getattr(row, "email", ""):
        contact.email = row.email
    contact.fields = {**contact.fields, **row.fields}
    item.touched = True


def contacts_write(firm: ClientFirm, items) -> ImportResult:
    """Write the merged contacts (PendingContact: stored ones updated, new ones created) and
    their new numbers, in bulk. Also the campaigns' streaming importer's, a batch at a time."""
    items = list(items)
    new = [i for i in items if i.contact.pk is None]
    old = [i for i in items if i.contact.pk is not None]
    now = timezone.now()
    for item in old:
        item.contact.updated_at = now  # bulk_update skips auto_now
    Contact.objects.bulk_create([i.contact for i in new], batch_size=1000)
    for chunk in _chunks(old):
        Contact.objects.bulk_update(
            [i.contact for i in chunk],
            ["external_id", "name", "language", "email", "time_zone", "fields", "updated_at"],
        )
    numbers = [
        ContactNumber(contact=i.contact, firm=firm, number=CheckedNumber(n))
        for i in items
        for n in sorted(i.numbers)
    ]
    ContactNumber.objects.bulk_create(numbers, batch_size=1000)
    return ImportResult(created=len(new), updated=len(old), numbers_added=len(numbers))


def _write(firm: ClientFirm, user: User, items, *, rows: int) -> ImportResult:
    result = contacts_write(firm, items)
    result.rows = rows
    audit_log(
        actor=user,
        action=AuditAction.CONTACTS_IMPORTED,
        target=firm,
        rows=result.rows,
        created=result.created,
        updated=result.updated,
        numbers_added=result.numbers_added,
    )
    return result
