"""Checks on documents agents upload (ID proofs, bank letters), by content rather than name.

The file name and the browser's Content-Type are chosen by the uploader, so neither is
trusted: the type is decided by the file's first bytes (its magic number), and the content
type and extension we store come from that.
"""

import hashlib

from django.core.files import File

from common.errors import ApplicationError

# Signature at offset 0 -> (content type, extension without the dot).
ALLOWED_TYPES: dict[bytes, tuple[str, str]] = {
    b"%PDF-": ("application/pdf", "pdf"),
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
}
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024

# The PDF specification lets `%%EOF` be followed by a little trailing whitespace or junk;
# readers look for it in the last kilobyte, and so do we.
PDF_EOF_MARKER = b"%%EOF"
PDF_TAIL_BYTES = 1024

_HEAD_BYTES = max(len(signature) for signature in ALLOWED_TYPES)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def _pdf_is_complete(uploaded_file: File, *, size: int) -> bool:
    uploaded_file.seek(max(0, size - PDF_TAIL_BYTES))
    return PDF_EOF_MARKER in uploaded_file.read(PDF_TAIL_BYTES)


def sniff_document(uploaded_file: File) -> tuple[str, str]:
    """Return (content type, extension) of an accepted document, or raise ApplicationError.

    Leaves the file positioned at its start, whatever the outcome, so it can be saved next.
    """
    size = uploaded_file.size
    if not size:
        raise ApplicationError("The file is empty.", field="file")
    if size > MAX_DOCUMENT_BYTES:
        raise ApplicationError(
            f"The file is larger than the {_megabytes(MAX_DOCUMENT_BYTES)} limit.",
            field="file",
        )
    try:
        uploaded_file.seek(0)
        head = uploaded_file.read(_HEAD_BYTES)
        kind = next(
            (kind for signature, kind in ALLOWED_TYPES.items() if head.startswith(signature)),
            None,
        )
        if kind is None:
            raise ApplicationError("Only PDF, JPEG or PNG files are accepted.", field="file")
        if kind[0] == "application/pdf" and not _pdf_is_complete(uploaded_file, size=size):
            raise ApplicationError(
                "The PDF is incomplete (it has no end-of-file marker): "
                "save or export it again and re-upload it.",
                field="file",
            )
    finally:
        uploaded_file.seek(0)
    return kind


def sha256_of(uploaded_file: File) -> str:
    """Hex SHA-256 of the whole file, read in chunks; the file is left at its start."""
    digest = hashlib.sha256()
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    return digest.hexdigest()
