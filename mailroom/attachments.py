"""Attachments of inbound mail, judged by their content (issue 18). `mailroom.ingest`
stores what passes privately and notes what does not on the conversation (never a mail to
the sender: a refusal must not become a bounce, or a loop).

The sender's file name and content type are theirs to choose, so neither decides: the first
bytes do (the same signatures, PDF end marker and image-size bounds as agents' documents,
agents.uploads), with GIF and plain text or CSV besides. Executables, scripts, archives,
office documents (which carry macros), and anything not recognised are refused.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.core.files.base import ContentFile

from agents import uploads
from common.errors import ApplicationError

# Signature at offset 0 -> (content type, extension): agents' documents, and GIF.
ALLOWED_TYPES: dict[bytes, tuple[str, str]] = {
    **uploads.ALLOWED_TYPES,
    b"GIF87a": ("image/gif", "gif"),
    b"GIF89a": ("image/gif", "gif"),
}
# Signatures refused, with the reason the conversation shows.
REFUSED_TYPES: dict[bytes, str] = {
    b"MZ": "an executable program",
    b"\x7fELF": "an executable program",
    b"\xfe\xed\xfa\xce": "an executable program",
    b"\xfe\xed\xfa\xcf": "an executable program",
    b"\xcf\xfa\xed\xfe": "an executable program",
    b"\xca\xfe\xba\xbe": "an executable program",
    b"#!": "a script",
    b"PK\x03\x04": "an archive (or an office document, which may carry macros)",
    b"PK\x05\x06": "an archive",
    b"Rar!": "an archive",
    b"7z\xbc\xaf\x27\x1c": "an archive",
    b"\x1f\x8b": "an archive",
    b"BZh": "an archive",
    b"\xfd7zXZ\x00": "an archive",
    b"MSCF": "an archive",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "an office document (it may carry macros)",
    b"{\\rtf": "an office document (it may carry macros)",
}
# Names a text file must not have: what a click would run rather than show.
SCRIPT_EXTENSIONS = {
    *("js", "jse", "vbs", "vbe", "wsf", "wsh", "ps1", "psm1", "bat", "cmd", "sh", "bash"),
    *("hta", "html", "htm", "svg", "xml", "py", "pl", "rb", "php", "lnk", "scr", "reg"),
}
TEXT_EXTENSIONS = {"txt": "text/plain", "csv": "text/csv", "": "text/plain"}
TEXT_CLAIMS = {"text/plain", "text/csv", "application/csv", "application/octet-stream"}
_TEXT_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A message with more than this many attachments keeps the first ones only.
MAX_ATTACHMENTS = 20
NOT_ACCEPTED = "not a file type we accept (PDF, PNG, JPEG, GIF, plain text or CSV)"


@dataclass(frozen=True)
class Verdict:
    filename: str  # the sender's name, made safe to show
    content_type: str  # as sniffed ("" when refused before it was known)
    extension: str  # what the stored file is named with
    refused_reason: str  # "": accepted


def filename_clean(name: str) -> str:
    """The sender's file name, shown but never used as a path: no folders, no controls."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    return name[:255] or "attachment"


def _extension(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def attachment_check(filename: str, claimed_type: str, payload: bytes, *, max_bytes: int):
    """The Verdict on one attachment: accepted (with its sniffed type) or refused (why)."""
    name = filename_clean(filename)

    def refused(reason: str, content_type: str = "") -> Verdict:
        return Verdict(name, content_type, "", reason)

    if not payload:
        return refused("the file is empty")
    if len(payload) > max_bytes:
        return refused(f"larger than the {max_bytes / (1024 * 1024):g} MB limit")
    for signature, reason in REFUSED_TYPES.items():
        if payload.startswith(signature):
            return refused(reason)
    if len(payload) > 262 and payload[257:262] == b"ustar":
        return refused("an archive")
    kind = next((k for sig, k in ALLOWED_TYPES.items() if payload.startswith(sig)), None)
    if kind is not None:
        reason = _content_problem(payload, kind[0])
        return refused(reason, kind[0]) if reason else Verdict(name, kind[0], kind[1], "")
    return _text_verdict(name, claimed_type, payload)


def _content_problem(payload: bytes, content_type: str) -> str:
    """What agents' document checks say of a PDF without its end or an image too large to
    open; GIF declares its size in its first 10 bytes."""
    if content_type == "application/pdf":
        tail = payload[-uploads.PDF_TAIL_BYTES :]
        return "" if uploads.PDF_EOF_MARKER in tail else "an incomplete PDF"
    if content_type == "image/gif":
        width = int.from_bytes(payload[6:8], "little")
        height = int.from_bytes(payload[8:10], "little")
        too_big = max(width, height) > uploads.MAX_IMAGE_SIDE
        return "an image too large to open" if too_big else ""
    try:
        # The documents' own check (PNG IHDR, JPEG start of frame), on the bytes as a file.
        uploads._image_bounds_check(ContentFile(payload), content_type)
    except ApplicationError:
        return "an image that is damaged or too large to open"
    return ""


def _text_verdict(name: str, claimed_type: str, payload: bytes) -> Verdict:
    extension = _extension(name)
    if extension in SCRIPT_EXTENSIONS:
        return Verdict(name, "", "", "a script")
    if extension not in TEXT_EXTENSIONS or claimed_type.lower() not in TEXT_CLAIMS:
        return Verdict(name, "", "", NOT_ACCEPTED)
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        return Verdict(name, "", "", NOT_ACCEPTED)
    if _TEXT_CONTROLS.search(text):
        return Verdict(name, "", "", NOT_ACCEPTED)
    content_type = TEXT_EXTENSIONS[extension]
    if extension == "" and claimed_type.lower() == "text/csv":
        content_type = "text/csv"
    return Verdict(name, content_type, "csv" if content_type == "text/csv" else "txt", "")
