"""A line's customer context (issue 16): its settings, and the lookup protocol both sides keep.

**The settings** (`line_context_set`, `line_context_secret_rotate`, `line_context_test`):
firm admins only (`require_firm_admin`, in the service), audited `line_workspace_set` with
the source, address, fields and keep flag before and after — never the secret, which is
only said to be created or rotated. The secret is returned once, to be shown once.

**The lookup** (one place for the request and the answer, so the firm's "Test the endpoint"
button and a real call read the same rules; `routing.services.context` sends real calls):

- We POST `lookup_payload(...)` as JSON, signed the Standard Webhooks way with the line's
  secret (headers `webhook-id`, `webhook-timestamp`, `webhook-signature`), and wait
  `CONTEXT_LOOKUP_TIMEOUT_SECONDS` (1 s): the agent is waiting with the caller on the line.
- The firm answers 2xx with `{"fields": {"plan": "Gold", "open_ticket": "T-1182", …}}`.
  An unknown caller is `{"fields": {}}`. Values are text, numbers or true/false (anything
  else is left out); only the line's chosen fields are kept, in the line's order, each cut
  to `FIELD_VALUE_MAX` characters. Anything else — no answer in time, a non-2xx status
  (redirects are not followed), not a JSON object, over 64 kB — is a failed lookup: the
  agent reads "No context (the firm's system did not answer)", staff read the reason.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from clients.models import Contact, ContextSource, PhoneLine
from clients.services import require_firm_admin
from common.audit import audit_log
from common.errors import ApplicationError
from common.models import AuditAction
from common.outbound import Answer, message_id_new, secret_new, signed_post, url_check

FIELDS_MAX = 40  # fields a line may show the agent
FIELD_NAME_MAX = 64
FIELD_VALUE_MAX = 500  # characters of one value the agent reads
# The field names the settings page offers for a contacts line: read from the firm's most
# recently uploaded contacts (not all 50,000: a page that offers names needs no full scan).
OFFERED_FROM_CONTACTS = 1000
SAMPLE_CALLER = "+910000000000"  # the test request's caller: never a real customer's number


def lookup_payload(
    *,
    line: PhoneLine,
    call_id: int,
    caller: str,
    language: str,
    caller_city: str,
    started_at: dt.datetime,
    test: bool = False,
) -> dict:
    """What the firm's lookup endpoint receives about a call.

    The caller's number is sent whole: it is the firm's own customer calling the firm's own
    line, and the number is what finds the customer's record in the firm's system. Nothing
    about the agent is sent (not even who: the firm learns that from the call's events), and
    certainly never the agent's phone. `fields` tells the firm what it needs to answer.
    """
    return {
        "type": "context.lookup",
        "test": test,
        "call": {
            "id": call_id,
            "caller": caller,
            "language": language,
            "caller_city": caller_city,
            "started_at": started_at.isoformat(),
        },
        "line": {"id": line.pk, "number": str(line.number), "name": line.name},
        "fields": list(line.context_fields),
    }


def lookup_ask(line: PhoneLine, payload: dict) -> tuple[Answer, list[list[str]], str]:
    """Send one lookup to the line's endpoint (signed, CONTEXT_LOOKUP_TIMEOUT_SECONDS) and
    read its answer: (the answer, the chosen fields it gave, why it failed — "" when not)."""
    answer = signed_post(
        line.context_url,
        secret=line.context_secret,
        payload=payload,
        message_id=message_id_new(),
        timeout=settings.CONTEXT_LOOKUP_TIMEOUT_SECONDS,
    )
    rows, error = lookup_answer_fields(answer, list(line.context_fields))
    return answer, rows, error


def _as_text(value) -> str | None:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (str, int, float)):
        return str(value)[:FIELD_VALUE_MAX]
    return None  # null, a list, an object: nothing an agent can read at a glance


def lookup_answer_fields(answer: Answer, chosen: list[str]) -> tuple[list[list[str]], str]:
    """The chosen fields the answer gave, in the line's order, and "" — or ([], why not)."""
    # The error first: an answer over 64 kB comes with its 2xx status and an error.
    if answer.error or not answer.ok:
        return [], answer.error or f"The server answered {answer.status_code}."
    data = answer.json()
    if not isinstance(data, dict):
        return [], "The answer was not a JSON object."
    fields = data.get("fields")
    if not isinstance(fields, dict):
        return [], 'The answer has no "fields" object.'
    return fields_chosen(fields, chosen), ""


def fields_chosen(values: dict, chosen: list[str]) -> list[list[str]]:
    """The line's chosen fields, in its order, that `values` gives, as text (a lookup's
    answer or a contact record: the same rule for both sources)."""
    rows = []
    for name in chosen:
        text = _as_text(values.get(name))
        if text is not None:
            rows.append([name, text])
    return rows


# --- The settings -------------------------------------------------------------------------


def _settings(line: PhoneLine) -> dict:
    return {
        "source": line.context_source,
        "url": line.context_url,
        "fields": list(line.context_fields),
        "keep": line.context_keep,
    }


def fields_check(fields: list[str]) -> list[str]:
    """The field names as a line keeps them: trimmed, no blanks or repeats, bounded."""
    names = []
    for raw in fields:
        name = raw.strip()
        if name and name not in names:
            names.append(name)
    if len(names) > FIELDS_MAX:
        raise ApplicationError(f"Choose at most {FIELDS_MAX} fields.", field="fields")
    if any(len(name) > FIELD_NAME_MAX for name in names):
        raise ApplicationError(
            f"A field name is at most {FIELD_NAME_MAX} characters.", field="fields"
        )
    return names


@transaction.atomic
def line_context_set(
    *, line: PhoneLine, user: User, source: str, url: str, fields: list[str], keep: bool
) -> str:
    """Set where the line's customer context comes from and what the agent sees. Returns a
    new secret when a lookup line had none (shown once), else ""."""
    require_firm_admin(user=user, firm=line.firm)
    line = PhoneLine.objects.select_for_update().get(pk=line.pk)  # lock, then re-read
    if source not in ContextSource.values:
        raise ApplicationError("Choose where the context comes from.", field="source")
    url = url.strip()
    if source == ContextSource.LOOKUP:
        if not url:
            raise ApplicationError("Give your lookup endpoint's address.", field="url")
        if why := url_check(url):
            raise ApplicationError(why, field="url")
    before = _settings(line)
    line.context_source, line.context_url = source, url
    line.context_fields, line.context_keep = fields_check(fields), keep
    secret = ""
    if source == ContextSource.LOOKUP and not line.context_secret:
        secret = line.context_secret = secret_new()
    line.save(
        update_fields=[
            "context_source",
            "context_url",
            "context_fields",
            "context_keep",
            "context_secret",
        ]
    )
    audit_log(
        actor=user,
        action=AuditAction.LINE_WORKSPACE_SET,
        target=line,
        before=before,
        after=_settings(line),
        part="customer context",
        secret="created" if secret else "unchanged",
    )
    return secret


@transaction.atomic
def line_context_secret_rotate(*, line: PhoneLine, user: User) -> str:
    """A new signing secret for the line's lookup (the old one stops working at once)."""
    require_firm_admin(user=user, firm=line.firm)
    line = PhoneLine.objects.select_for_update().get(pk=line.pk)
    line.context_secret = secret_new()
    line.save(update_fields=["context_secret"])
    audit_log(
        actor=user,
        action=AuditAction.LINE_WORKSPACE_SET,
        target=line,
        part="customer context",
        secret="rotated",
    )
    return line.context_secret


def line_context_test(*, line: PhoneLine, user: User) -> tuple[Answer, list[list[str]], str]:
    """Send the line's lookup endpoint a sample call (a made-up caller, `"test": true`),
    signed and bounded as a real one: what it answered, the chosen fields it gave, and why
    it would fail ("" if it would not). Never a real call's data."""
    require_firm_admin(user=user, firm=line.firm)
    if line.context_source != ContextSource.LOOKUP or not line.context_url:
        raise ApplicationError("Save a lookup endpoint first.")
    payload = lookup_payload(
        line=line,
        call_id=0,
        caller=SAMPLE_CALLER,
        language=line.languages.values_list("language", flat=True).first() or "en",
        caller_city="Mangaluru, Karnataka",
        started_at=timezone.now(),
        test=True,
    )
    return lookup_ask(line, payload)


def contact_field_names(*, firm) -> list[str]:
    """The field names present in the firm's (recent) contacts, for a contacts line to pick."""
    names = {"name"}
    recent = (
        Contact.objects.filter(firm=firm)
        .order_by("-updated_at")
        .values_list("fields", flat=True)[:OFFERED_FROM_CONTACTS]
    )
    for fields in recent:
        names.update(fields)
    return sorted(names)
