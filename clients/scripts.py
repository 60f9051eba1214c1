"""What agents read and record on a line: its scripts (versioned, per language) and its
disposition codes (the firm's own wording). Firm admins only, checked here.

A script is Markdown, rendered by the `markdown` package and then sanitised by nh3 to a short
allow-list (headings, paragraphs, lists, emphasis, links, code, quotes, rules, breaks): no
image, no raw HTML and no `javascript:` link survives, since a firm's text is shown inside
the agent's portal page.
"""

import markdown
import nh3
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.safestring import SafeString, mark_safe

from accounts.models import User
from clients.models import SCRIPT_BODY_MAX, DispositionCode, LineScript, PhoneLine
from clients.services import require_firm_admin
from common.audit import audit_log
from common.errors import ApplicationError, ConflictError
from common.models import AuditAction
from common.text import TextValidator

ALLOWED_TAGS = {
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "a",
    "code",
    "pre",
    "blockquote",
    "hr",
    "br",
}


def script_html(body: str) -> SafeString:
    """The script's Markdown as sanitised HTML, safe to put in a page."""
    # Markdown passes raw HTML through as it is; nh3 then drops every tag, attribute and URL
    # scheme not on the lists (a <script>'s content too): its output is what we trust.
    rendered = markdown.markdown(body or "", extensions=["sane_lists"], output_format="html")
    cleaned = nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return mark_safe(cleaned)  # noqa: S308  (nh3's allow-list output)


def script_for(line: PhoneLine, language: str) -> LineScript | None:
    """The latest version of the line's script in `language`, else its default's."""
    scripts = LineScript.objects.filter(line=line)
    wanted = [language, ""] if language else [""]
    for lang in wanted:
        found = scripts.filter(language=lang).order_by("-version").first()
        if found is not None:
            return found
    return None


def script_versions(line: PhoneLine, language: str):
    return LineScript.objects.filter(line=line, language=language).select_related("created_by")


@transaction.atomic
def script_save(*, actor: User, line: PhoneLine, language: str, body: str) -> LineScript:
    """Write the next version of the line's script in `language` ("": the default)."""
    require_firm_admin(user=actor, firm=line.firm)
    if language and not line.languages.filter(language=language).exists():
        raise ApplicationError("The line does not offer this language.", field="language")
    body = (body or "").strip()
    if not body:
        raise ApplicationError("Write the script first.", field="body")
    if len(body) > SCRIPT_BODY_MAX:
        raise ApplicationError(f"A script is at most {SCRIPT_BODY_MAX} characters.", field="body")
    TextValidator(multiline=True)(body)
    # Lock the line: two admins saving at once would both read the same latest version.
    PhoneLine.objects.select_for_update().filter(pk=line.pk).first()
    latest = LineScript.objects.filter(line=line, language=language).aggregate(v=Max("version"))
    version = (latest["v"] or 0) + 1
    if (
        version > 1
        and LineScript.objects.filter(line=line, language=language, version=version - 1)
        .values_list("body", flat=True)
        .first()
        == body
    ):
        raise ConflictError("The script has not changed.", field="body")
    script = LineScript.objects.create(
        line=line, language=language, version=version, body=body, created_by=actor
    )
    audit_log(
        actor=actor,
        action=AuditAction.SCRIPT_SAVED,
        target=line,
        language=language or "default",
        version=version,
    )
    return script


# --- Disposition codes ------------------------------------------------------------------

DEFAULT_DISPOSITIONS = [
    ("RES", "Resolved", DispositionCode.Kind.RESOLVED),
    ("ESC", "Escalated", DispositionCode.Kind.ESCALATED),
    ("CB", "Callback needed", DispositionCode.Kind.CALLBACK),
    ("CMP", "Complaint", DispositionCode.Kind.COMPLAINT),
    ("SALE", "Sale", DispositionCode.Kind.SALE),
]


def dispositions_seed(line: PhoneLine) -> None:
    """A new line's starting codes (the issue's list), so wrap-up works from the first call;
    the firm relabels, reorders or retires them."""
    for position, (code, label, kind) in enumerate(DEFAULT_DISPOSITIONS):
        DispositionCode.objects.get_or_create(
            line=line, code=code, defaults={"label": label, "kind": kind, "position": position}
        )


def _clean_label(text: str, field: str) -> str:
    """A code's `code` or `label` as typed: required, clean, within the model's own length."""
    limit = DispositionCode._meta.get_field(field).max_length
    text = (text or "").strip()
    if not text:
        raise ApplicationError("This is required.", field=field)
    if len(text) > limit:
        raise ApplicationError(f"At most {limit} characters.", field=field)
    TextValidator()(text)
    return text


def _changed(actor: User, line: PhoneLine, what: str, code: DispositionCode) -> None:
    audit_log(
        actor=actor,
        action=AuditAction.DISPOSITIONS_CHANGED,
        target=line,
        change=what,
        code=code.code,
        label=code.label,
    )


@transaction.atomic
def disposition_add(
    *, actor: User, line: PhoneLine, code: str, label: str, kind: str
) -> DispositionCode:
    require_firm_admin(user=actor, firm=line.firm)
    code = _clean_label(code, "code").upper()
    label = _clean_label(label, "label")
    if kind not in DispositionCode.Kind.values:
        raise ApplicationError("Choose a kind.", field="kind")
    last = line.dispositions.aggregate(p=Max("position"))["p"]
    try:
        with transaction.atomic():
            found = DispositionCode.objects.create(
                line=line, code=code, label=label, kind=kind, position=(last or 0) + 1
            )
    except IntegrityError:
        raise ConflictError("The line already has this code.", field="code") from None
    _changed(actor, line, "added", found)
    return found


def _code_of(line: PhoneLine, code_id: int) -> DispositionCode:
    found = DispositionCode.objects.select_for_update().filter(line=line, pk=code_id).first()
    if found is None:  # another line's (or firm's) code: as if it did not exist
        raise ApplicationError("No such code on this line.")
    return found


@transaction.atomic
def disposition_relabel(
    *, actor: User, line: PhoneLine, code_id: int, label: str, kind: str
) -> DispositionCode:
    require_firm_admin(user=actor, firm=line.firm)
    found = _code_of(line, code_id)
    found.label = _clean_label(label, "label")
    if kind not in DispositionCode.Kind.values:
        raise ApplicationError("Choose a kind.", field="kind")
    found.kind = kind
    found.save(update_fields=["label", "kind"])
    _changed(actor, line, "relabelled", found)
    return found


@transaction.atomic
def disposition_move(*, actor: User, line: PhoneLine, code_id: int, up: bool) -> None:
    """Swap the code with its neighbour above (or below); positions are renumbered 0..n so
    equal positions (seeded, or added concurrently) cannot make a move do nothing."""
    require_firm_admin(user=actor, firm=line.firm)
    codes = list(DispositionCode.objects.select_for_update().filter(line=line))
    index = next((i for i, c in enumerate(codes) if c.pk == code_id), None)
    if index is None:
        raise ApplicationError("No such code on this line.")
    moved = codes[index]
    other = index - 1 if up else index + 1
    if 0 <= other < len(codes):
        codes[index], codes[other] = codes[other], codes[index]
    for position, code in enumerate(codes):
        if code.position != position:
            code.position = position
            code.save(update_fields=["position"])
    _changed(actor, line, "moved up" if up else "moved down", moved)


@transaction.atomic
def disposition_retire(
    *, actor: User, line: PhoneLine, code_id: int, active: bool = False
) -> DispositionCode:
    """Retire (or bring back) a code. Never deleted: calls keep the code they were given."""
    require_firm_admin(user=actor, firm=line.firm)
    found = _code_of(line, code_id)
    if not active and found.is_active and line.dispositions.filter(is_active=True).count() == 1:
        raise ConflictError("Keep at least one active code: agents need one to wrap up.")
    found.is_active = active
    found.save(update_fields=["is_active"])
    _changed(actor, line, "brought back" if active else "retired", found)
    return found
