"""Checks on documents agents upload (ID proofs, bank letters), by content rather than name.

The file name and the browser's Content-Type are chosen by the uploader, so neither is
trusted: the type is decided by the file's first bytes (its magic number), and the content
type and extension we store come from that.
"""

import hashlib
import re
import struct

from django.conf import settings
from django.core.files import File
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from common.errors import ApplicationError

# Signature at offset 0 -> (content type, extension without the dot).
ALLOWED_TYPES: dict[bytes, tuple[str, str]] = {
    b"%PDF-": ("application/pdf", "pdf"),
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
}
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
# The form's other fields and the multipart framing around the file: far less than this.
FORM_OVERHEAD_BYTES = 64 * 1024
# An image is decoded to width x height pixels by whoever opens it (a vetting admin's
# browser): a small file can declare a huge canvas (a 20 kB PNG of 60000 x 60000 is 3.6
# gigapixels). Bounded by the dimensions the file declares, read from its header.
MAX_IMAGE_SIDE = 10_000
MAX_IMAGE_PIXELS = 40_000_000

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


def _too_large(limit: int | None = None) -> str:
    return f"The file is larger than the {_megabytes(limit or MAX_DOCUMENT_BYTES)} limit."


def upload_bound(path: str) -> int:
    """The largest file a request to `path` may carry: a document's 5 MB, or the bound of a
    pattern in settings.LARGE_UPLOADS (the outbound campaigns' list imports, streamed to disk
    by the next handlers and read by a background task)."""
    for pattern, setting in getattr(settings, "LARGE_UPLOADS", ()):
        if re.match(pattern, path):
            return getattr(settings, setting)
    return MAX_DOCUMENT_BYTES


class DocumentSizeUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: refuses a request too large for a document before its
    body is read. Django's DATA_UPLOAD_MAX_MEMORY_SIZE leaves files out, and the next
    handlers would stream a 100 MB upload whole to memory or disk before the form could say
    no. The declared CONTENT_LENGTH is enough to decide: Django never reads past it.

    It stops at the first file part, once the fields before it (the CSRF token, the
    document's kind) are parsed, without reading on (`connection_reset`); the view reads
    `upload_refusal(request)` and the form shows it on the file.
    """

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.content_length = content_length

    def new_file(self, *args, **kwargs):
        limit = upload_bound(self.request.path_info)
        if self.content_length > limit + FORM_OVERHEAD_BYTES:
            self.request.upload_refusal = _too_large(limit)
            raise StopUpload(connection_reset=True)

    def receive_data_chunk(self, raw_data, start):
        return raw_data  # to the next handler

    def file_complete(self, file_size):
        return None  # the next handler makes the file


def upload_refusal(request) -> str:
    """Why the upload of this request was refused before it was read ("" if it was not)."""
    return getattr(request, "upload_refusal", "")


def _png_size(head: bytes) -> tuple[int, int] | None:
    # The IHDR chunk comes first: 8 bytes of signature, length, "IHDR", width, height.
    if len(head) >= 24 and head[12:16] == b"IHDR":
        return struct.unpack(">II", head[16:24])
    return None


# JPEG start-of-frame markers carry the size; C4 (DHT), C8 (JPG) and CC (DAC) do not.
_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from the first start-of-frame segment, walking segment lengths."""
    at = 2  # past SOI
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # no length
            at += 2
            continue
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        if marker in _JPEG_SOF:
            if at + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return width, height
        if marker == 0xDA:  # start of scan: no frame header before it
            return None
        at += 2 + length
    return None


def _image_bounds_check(uploaded_file: File, content_type: str) -> None:
    uploaded_file.seek(0)
    if content_type == "image/png":
        size = _png_size(uploaded_file.read(24))
    else:
        # Frame headers come after the metadata segments (EXIF can take up to 64 kB each).
        size = _jpeg_size(uploaded_file.read(256 * 1024))
    if size is None:
        raise ApplicationError("The image is damaged: its size cannot be read.", field="file")
    width, height = size
    if not width or not height:
        raise ApplicationError("The image is damaged: it declares no size.", field="file")
    if max(width, height) > MAX_IMAGE_SIDE or width * height > MAX_IMAGE_PIXELS:
        raise ApplicationError(
            f"The image is {width} x {height} pixels: at most {MAX_IMAGE_SIDE} a side and "
            f"{MAX_IMAGE_PIXELS // 1_000_000} megapixels, please (scan at 300 dpi or less).",
            field="file",
        )


def sniff_document(uploaded_file: File) -> tuple[str, str]:
    """Return (content type, extension) of an accepted document, or raise ApplicationError.

    Leaves the file positioned at its start, whatever the outcome, so it can be saved next.
    """
    size = uploaded_file.size
    if not size:
        raise ApplicationError("The file is empty.", field="file")
    if size > MAX_DOCUMENT_BYTES:
        raise ApplicationError(_too_large(), field="file")
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
        if kind[0].startswith("image/"):
            _image_bounds_check(uploaded_file, kind[0])
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
