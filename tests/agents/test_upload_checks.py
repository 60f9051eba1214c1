import hashlib
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agents import uploads
from agents.uploads import sha256_of, sniff_document
from common.errors import ApplicationError


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


# A complete 1x1 greyscale PNG and a JFIF header, a 1x1 frame header (SOF0) and the end
# marker: built here, no fixtures.
PNG = (
    b"\x89PNG\r\n\x1a\n"
    + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    + _png_chunk(b"IDAT", zlib.compress(b"\x00\x00"))
    + _png_chunk(b"IEND", b"")
)
JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    + b"\xff\xc0\x00\x0b\x08\x00\x01\x00\x01\x01\x01\x11\x00"
    + b"\xff\xd9"
)
PDF = (
    b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
    b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
    b"trailer <</Root 1 0 R>>\n%%EOF\n"
)


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("id-proof.pdf", PDF, ("application/pdf", "pdf")),
        ("photo.jpeg", JPEG, ("image/jpeg", "jpg")),
        ("cheque.png", PNG, ("image/png", "png")),
        ("misnamed.txt", PNG, ("image/png", "png")),
    ],
)
def test_it_accepts_a_pdf_jpeg_or_png_by_its_content(name, content, expected):
    upload = _upload(name, content)
    upload.read(3)  # a caller that already peeked must not confuse the sniff
    assert sniff_document(upload) == expected
    assert upload.tell() == 0


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("aadhaar.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 100),
        ("pan.pdf", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 100),
        ("cheque.png", b"This is my cancelled cheque, honest.\n"),
    ],
    ids=["an_executable_renamed_pdf", "an_elf_binary_renamed_pdf", "a_text_file_renamed_png"],
)
def test_it_rejects_content_that_is_not_a_pdf_jpeg_or_png(name, content):
    upload = _upload(name, content)
    with pytest.raises(ApplicationError) as error:
        sniff_document(upload)
    assert error.value.field == "file"
    assert error.value.message == "Only PDF, JPEG or PNG files are accepted."
    assert upload.tell() == 0


def test_it_rejects_an_empty_file():
    with pytest.raises(ApplicationError) as error:
        sniff_document(_upload("empty.pdf", b""))
    assert error.value.message == "The file is empty."


def test_it_rejects_a_file_over_the_5_mb_limit():
    oversized = PDF[:-6] + b"\x00" * uploads.MAX_DOCUMENT_BYTES + b"%%EOF\n"
    with pytest.raises(ApplicationError) as error:
        sniff_document(_upload("scan.pdf", oversized))
    assert error.value.message == "The file is larger than the 5 MB limit."


def test_it_reads_the_limit_when_called_so_it_can_be_lowered(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_DOCUMENT_BYTES", 1024 * 1024)
    with pytest.raises(ApplicationError) as error:
        sniff_document(_upload("id-proof.pdf", PDF + b"\x00" * 1024 * 1024))
    assert error.value.message == "The file is larger than the 1 MB limit."


def test_it_rejects_a_truncated_pdf_without_an_end_of_file_marker():
    with pytest.raises(ApplicationError) as error:
        sniff_document(_upload("statement.pdf", PDF[: len(PDF) // 2]))
    assert error.value.field == "file"
    assert error.value.message.startswith("The PDF is incomplete (it has no end-of-file marker)")


def test_it_finds_the_end_of_file_marker_of_a_pdf_longer_than_a_kilobyte():
    long_pdf = PDF[:-6] + b"% padding\n" * 500 + b"%%EOF\n"
    assert sniff_document(_upload("long.pdf", long_pdf)) == ("application/pdf", "pdf")


def test_the_digest_covers_the_whole_file_and_leaves_it_at_the_start():
    content = PDF + b"\x00" * (3 * 64 * 1024)  # more than one chunk
    upload = _upload("big.pdf", content)
    upload.DEFAULT_CHUNK_SIZE = 64 * 1024
    assert sha256_of(upload) == hashlib.sha256(content).hexdigest()
    assert upload.tell() == 0
