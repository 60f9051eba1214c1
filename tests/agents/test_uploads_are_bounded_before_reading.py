"""An upload too large is refused before its body is read, with a clear message on the form;
an image declaring more pixels than anyone should decode is refused by its header."""

import struct

import pytest
from django.urls import reverse

from agents import uploads
from agents.models import AgentDocument
from agents.uploads import sniff_document
from common.errors import ApplicationError
from tests.agents.test_upload_checks import JPEG, PNG, _png_chunk, _upload

pytestmark = pytest.mark.django_db

BOUNDARY = "BoUnDaRy"


def _multipart_start(kind: str = "identity") -> bytes:
    """The form's fields, then the start of the file part: what arrives before the file."""
    return (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="kind"\r\n\r\n'
        f"{kind}\r\n"
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="file"; filename="scan.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
        "%PDF-1.4\n"
    ).encode()


def test_a_100_mb_upload_is_refused_before_its_body_is_read(client, alice):
    client.force_login(alice)
    # Only the first 256 kB exist (the parser reads 64 kB at a time): the test client's
    # payload fails any read past them, so the page can answer only if nothing reads on into
    # the 100 MB the request declares.
    response = client.generic(
        "POST",
        reverse("agents:documents"),
        _multipart_start() + b"\x00" * (256 * 1024),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(100 * 1024 * 1024),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["The file is larger than the 5 MB limit."]
    assert not AgentDocument.objects.exists()


def test_a_document_under_the_limit_is_still_taken(client, alice):
    client.force_login(alice)
    pdf = b"%PDF-1.4\n" + b"\x00" * (4 * 1024 * 1024) + b"\n%%EOF\n"
    response = client.post(
        reverse("agents:documents"), {"kind": "identity", "file": _upload("scan.pdf", pdf)}
    )
    assert response.status_code == 302
    assert AgentDocument.objects.get().size == len(pdf)


def _png(width: int, height: int) -> bytes:
    ihdr = _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    return PNG[:8] + ihdr + PNG[8 + len(ihdr) :] + b"\x00" * 20_000


def _jpeg(width: int, height: int) -> bytes:
    frame = b"\xff\xc0\x00\x0b\x08" + struct.pack(">HH", height, width) + b"\x01\x01\x11\x00"
    return JPEG[:20] + frame + b"\xff\xd9"


@pytest.mark.parametrize(
    "content",
    [_png(60000, 60000), _png(10001, 10), _png(8000, 8000), _jpeg(60000, 60000), _jpeg(100, 20000)],
    ids=["png_60000_square", "png_too_wide", "png_64_megapixels", "jpeg_60000_square", "jpeg_tall"],
)
def test_an_image_declaring_too_many_pixels_is_refused(content):
    with pytest.raises(ApplicationError) as error:
        sniff_document(_upload("photo", content))
    assert error.value.field == "file" and "pixels" in error.value.message


@pytest.mark.parametrize(
    "content", [_png(2480, 3508), _jpeg(4000, 3000)], ids=["a4_300dpi", "12mp"]
)
def test_an_image_of_a_sensible_size_is_taken(content):
    assert sniff_document(_upload("photo", content))[0].startswith("image/")


def test_a_jpeg_without_a_frame_header_is_refused_as_damaged():
    with pytest.raises(ApplicationError) as error:
        sniff_document(_upload("photo.jpg", JPEG[:20] + b"\xff\xd9"))
    assert "damaged" in error.value.message


def test_the_limits_are_the_modules():
    assert (uploads.MAX_IMAGE_SIDE, uploads.MAX_IMAGE_PIXELS) == (10_000, 40_000_000)
