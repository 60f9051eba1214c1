"""Inbound email, from raw bytes to what the mailroom keeps (issue 18).

`parse(raw)` reads a message once with the standard library's `email` package (the default
policy: decoded headers, RFC 2231 file names, charsets): its headers, the text part (or the
HTML part made text when there is none), the HTML part, the attachments' bytes, the ids it
threads by, whether a machine sent it (RFC 3834 and its older cousins) and what the
receiving server said of SPF and DKIM. Nothing is stored here; `mailroom.ingest` does that.

`reply_trim` cuts quoted history off the text (mail-parser-reply), `html_sanitise` makes the
HTML safe to show (nh3).
"""

import email
import email.errors
import email.policy
import email.utils
import functools
import hashlib
import html as html_module
import re
from dataclasses import dataclass

import nh3
from django.conf import settings
from mailparser_reply import EmailReplyParser

from common.errors import ApplicationError

AUTH_PASS, AUTH_FAIL, AUTH_NONE = "pass", "fail", "none"
# What counts as a failed check: a sender the domain did not authorise ("softfail" is the
# domain saying "probably not"), or a policy so broken it cannot authorise anybody.
_FAILING = {"fail", "softfail", "permerror"}
# Precedence values a person's own mail never carries (RFC 3834 §3.1.8 and common use).
_MACHINE_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
GENERATED_ID_DOMAIN = "generated.mailroom.invalid"
# HTML we keep: formatting, lists, tables, links. No <img> at all (an image from the network
# tells the sender the agent opened the mail), no style, no forms, no scripts.
HTML_TAGS = {
    *("a", "b", "strong", "i", "em", "u", "s", "p", "br", "div", "span", "blockquote"),
    *("ul", "ol", "li", "pre", "code", "hr", "h1", "h2", "h3", "h4", "h5", "h6"),
    *("table", "thead", "tbody", "tr", "th", "td", "small", "sub", "sup"),
}
HTML_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan"}}
_HTML_CLEANER = nh3.Cleaner(
    tags=HTML_TAGS,
    clean_content_tags={"script", "style", "title", "head"},
    attributes=HTML_ATTRIBUTES,
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer",
)
_TEXT_CLEANER = nh3.Cleaner(tags=set(), clean_content_tags={"script", "style", "title", "head"})
_BLOCK_END = re.compile(r"<\s*(br|/p|/div|/tr|/li|/h[1-6]|/blockquote|hr)\b[^>]*>", re.I)
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
_ANGLE_ID = re.compile(r"<([^<>\s]+)>")
# What the default policy raises on a header it cannot make sense of: such a header reads as
# absent, never as a 500 (a spammer's malformed Message-ID must not stop the queue).
_HEADER_ERRORS = (ValueError, TypeError, IndexError, AttributeError, email.errors.MessageError)


class MessageRefused(ApplicationError):
    """An inbound message we will not store (too large, unreadable, no sender, nobody of
    ours it is for). Never a reason to bounce: the sender hears nothing from us."""


class MessageTooLarge(MessageRefused):
    pass


class MessageUnreadable(MessageRefused):
    pass


@dataclass(frozen=True)
class ParsedAttachment:
    filename: str
    content_type: str  # as the sender claimed it: mailroom.attachments decides by content
    payload: bytes


@dataclass(frozen=True)
class ParsedMessage:
    message_id: str
    in_reply_to: str
    references: tuple[str, ...]
    from_name: str
    from_email: str
    to: tuple[str, ...]
    delivered_to: str
    subject: str
    date: object  # datetime | None: the sender's clock, never trusted for ordering
    text: str
    html: str  # as sent: sanitise before storing or showing (html_sanitise)
    attachments: tuple[ParsedAttachment, ...]
    automatic: bool
    spf: str
    dkim: str
    size: int


def parse(raw: bytes) -> ParsedMessage:
    """The message in `raw`, read once; MessageRefused for one too large (checked before
    parsing), or one with no sender address (garbage)."""
    limit = settings.MAILROOM_MESSAGE_MAX_BYTES
    if len(raw) > limit:
        raise MessageTooLarge(f"The message is larger than the {limit // (1024 * 1024)} MB limit.")
    message = email.message_from_bytes(raw, policy=email.policy.default)
    from_name, from_email = _sender(message)
    if "@" not in from_email:
        raise MessageUnreadable("The message has no sender address.")
    text_part, html_part = _body_parts(message)
    html = _content_text(html_part) if html_part is not None else ""
    text = _content_text(text_part) if text_part is not None else html_to_text(html)
    in_reply_to = _ids(_header(message, "In-Reply-To"))
    spf, dkim = authentication_results(message)
    return ParsedMessage(
        message_id=(_ids(_header(message, "Message-ID")) or [""])[0] or generated_id(raw),
        in_reply_to=in_reply_to[0] if in_reply_to else "",
        references=tuple(_ids(_header(message, "References"))),
        from_name=from_name,
        from_email=from_email,
        to=tuple(_addresses(message, "To")),
        delivered_to=(
            _addresses(message, "Delivered-To") or _addresses(message, "X-Original-To") or [""]
        )[0],
        subject=" ".join(_header(message, "Subject").split()),
        date=_date(message),
        text=text,
        html=html,
        attachments=tuple(_attachments(message, skip=(text_part, html_part))),
        automatic=is_automatic(message, from_email),
        spf=spf,
        dkim=dkim,
        size=len(raw),
    )


def generated_id(raw: bytes) -> str:
    """A Message-ID for a message that has none: the same bytes always give the same id, so a
    provider's retry is still recognised as the message already stored."""
    return f"{hashlib.sha256(raw).hexdigest()[:40]}@{GENERATED_ID_DOMAIN}"


def _header(message, name: str) -> str:
    try:
        value = message.get(name)
    except _HEADER_ERRORS:
        return ""
    return str(value) if value is not None else ""


def _ids(value: str) -> list[str]:
    """Message ids without their angle brackets, in order; bare tokens when a broken client
    left the brackets out."""
    found = _ANGLE_ID.findall(value)
    if not found:
        found = [token for token in value.split() if "@" in token]
    return [token[:255] for token in found]


def _addresses(message, name: str) -> list[str]:
    out = []
    try:
        values = message.get_all(name) or []
    except _HEADER_ERRORS:
        return out
    for value in values:
        for _display, address in email.utils.getaddresses([str(value)]):
            if "@" in address:
                out.append(address.strip().lower())
    return out


def _sender(message) -> tuple[str, str]:
    try:
        header = message.get("From")
        addresses = getattr(header, "addresses", ()) if header is not None else ()
    except _HEADER_ERRORS:
        header, addresses = None, ()
    if addresses:
        return str(addresses[0].display_name or "")[:150], addresses[0].addr_spec.lower()
    name, address = email.utils.parseaddr(str(header or ""))
    return name[:150], address.strip().lower()


def _date(message):
    try:
        header = message.get("Date")
        return getattr(header, "datetime", None)
    except (*_HEADER_ERRORS, OverflowError):
        return None


def _body_parts(message):
    """The text and HTML parts a mail client would show (not attachments)."""
    try:
        text_part = message.get_body(preferencelist=("plain",))
        html_part = message.get_body(preferencelist=("html",))
    except (KeyError, *_HEADER_ERRORS):
        return None, None
    return text_part, html_part


def _content_text(part) -> str:
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError):  # an unknown or lying charset
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", errors="replace")
    return content if isinstance(content, str) else ""


def _attachments(message, *, skip) -> list[ParsedAttachment]:
    out = []
    skipped = {id(part) for part in skip if part is not None}
    for part in message.walk():
        if part.is_multipart() or id(part) in skipped:
            continue
        filename = part.get_filename()
        content_type = part.get_content_type()
        is_body_text = content_type in ("text/plain", "text/html") and not filename
        if is_body_text and part.get_content_disposition() != "attachment":
            continue  # an alternative text of the body, or a forwarded message's text
        out.append(
            ParsedAttachment(
                filename=filename or "",
                content_type=content_type,
                payload=part.get_payload(decode=True) or b"",
            )
        )
    return out


def is_automatic(message, from_email: str) -> bool:
    """Sent by a machine rather than a person: an auto-reply, a bounce, a list's mail."""
    auto_submitted = _header(message, "Auto-Submitted").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return True
    if "X-Autoreply" in message or "X-Autorespond" in message:
        return True
    if _header(message, "Precedence").strip().lower() in _MACHINE_PRECEDENCE:
        return True
    if _header(message, "Return-Path").replace(" ", "") == "<>":
        return True
    return from_email.partition("@")[0] == "mailer-daemon"


_RESULT = re.compile(r"\b(spf|dkim)\s*=\s*([a-z]+)", re.I)


def authentication_results(message) -> tuple[str, str]:
    """(spf, dkim) as "pass", "fail" or "none", from the receiving server's topmost
    Authentication-Results (RFC 8601; the ones below it may be the sender's own inventions),
    else Received-SPF for SPF."""
    spf: set[str] = set()
    dkim: set[str] = set()
    try:
        results = message.get_all("Authentication-Results") or []
        received = message.get_all("Received-SPF") or []
    except _HEADER_ERRORS:
        return AUTH_NONE, AUTH_NONE
    if results:
        for method, result in _RESULT.findall(str(results[0])):
            (spf if method.lower() == "spf" else dkim).add(result.lower())
    if not spf and received:
        spf.add(str(received[0]).split(None, 1)[0].lower() if str(received[0]) else "")
    return verdict(spf), verdict(dkim)


def verdict(results) -> str:
    """One verdict from a check's results: any pass passes (a message may carry several DKIM
    signatures, one good one is enough), else any failure fails, else none."""
    results = {str(r).strip().lower() for r in results if r}
    if "pass" in results:
        return AUTH_PASS
    if results & _FAILING:
        return AUTH_FAIL
    return AUTH_NONE


def html_to_text(html: str) -> str:
    """What an HTML-only message says, as plain text (line breaks where blocks end)."""
    if not html:
        return ""
    text = html_module.unescape(_TEXT_CLEANER.clean(_BLOCK_END.sub("\n", html)))
    text = "\n".join(line.strip() for line in text.replace("\r\n", "\n").split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def html_sanitise(html: str) -> str:
    """The HTML safe to show an agent: basic formatting, links with rel=noopener noreferrer,
    no images, styles, forms or scripts."""
    return _HTML_CLEANER.clean(html) if html else ""


@functools.lru_cache(maxsize=32)
def _reply_parser(languages: tuple[str, ...]) -> EmailReplyParser:
    return EmailReplyParser(languages=list(languages))


def reply_trim(text: str, languages=()) -> str:
    """The new part of a message's text, its quoted history ("On … wrote:", "-----Original
    Message-----", the languages' own headers where mail-parser-reply knows them) cut off;
    the whole text when nothing is left."""
    if not text.strip():
        return ""
    latest = _reply_parser(tuple(sorted(languages)) or ("en",)).parse_reply(text)
    return latest.strip() if latest and latest.strip() else text.strip()
