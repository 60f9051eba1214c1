"""A line's scripts: versioned per language, rendered from Markdown and sanitised (nothing a
firm types can run in the agent's page), written by the firm's admins only."""

import pytest
from django.urls import reverse

from clients.models import FirmMember, LineScript
from clients.scripts import script_for, script_html, script_save
from clients.services import NotAllowed
from common.errors import ConflictError
from common.models import AuditRecord
from tests.factories import FirmMemberFactory, PhoneLineFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(acme):
    return PhoneLineFactory(firm=acme, languages=["en", "kn"])


@pytest.fixture
def mohan(acme):
    """A plain member of acme (not an admin)."""
    return FirmMemberFactory(
        firm=acme, user__email="mohan@firm.example", role=FirmMember.Role.MEMBER
    ).user


def test_markdown_keeps_headings_lists_emphasis_and_safe_links():
    html = script_html(
        "# Greet\n\n- Say **hello**\n- Ask *why*\n\n[Policy](https://acme.example/p)"
    )
    assert "<h1>Greet</h1>" in html
    assert "<li>Say <strong>hello</strong></li>" in html and "<em>why</em>" in html
    assert '<a href="https://acme.example/p" rel="noopener noreferrer">Policy</a>' in html


@pytest.mark.parametrize(
    ("body", "gone"),
    [
        ("Hi <script>alert(1)</script>", "<script"),
        ("[click](javascript:alert(1))", "javascript:"),
        ('<img src="x" onerror="alert(1)">', "<img"),
        ("![logo](https://acme.example/logo.png)", "<img"),
        ('<div style="color:red" onclick="x()">raw</div>', "onclick"),
        ("<iframe src='https://evil.example'></iframe>", "<iframe"),
        ('<a href="https://x.example" onmouseover="y()">a</a>', "onmouseover"),
    ],
)
def test_no_script_image_handler_or_raw_html_survives(body, gone):
    assert gone not in script_html(body).lower()


def test_each_save_is_the_next_version_in_its_language(carol, line):
    script_save(actor=carol, line=line, language="", body="Hello v1")
    script_save(actor=carol, line=line, language="", body="Hello v2")
    kannada = script_save(actor=carol, line=line, language="kn", body="Namaskara")
    assert list(
        LineScript.objects.filter(line=line, language="").values_list("version", flat=True)
    ) == [2, 1]
    assert kannada.version == 1
    assert script_for(line, "kn") == kannada
    assert script_for(line, "en").body == "Hello v2"  # no English script: the default
    assert AuditRecord.objects.filter(action="script_saved").count() == 3


def test_an_unchanged_script_is_not_a_new_version(carol, line):
    script_save(actor=carol, line=line, language="", body="Same")
    with pytest.raises(ConflictError):
        script_save(actor=carol, line=line, language="", body="Same")


def test_a_member_who_is_not_an_admin_cannot_save_a_script(mohan, line):
    with pytest.raises(NotAllowed):
        script_save(actor=mohan, line=line, language="", body="Mine")
    assert not LineScript.objects.exists()


def test_another_firms_admin_cannot_save_a_script(dave, line):
    with pytest.raises(NotAllowed):
        script_save(actor=dave, line=line, language="", body="Theirs")


def test_the_page_previews_without_saving_then_saves(client, carol, line):
    client.force_login(carol)
    url = reverse("clients:line_scripts", args=[line.pk]) + "?language=kn"
    response = client.post(url, {"action": "preview", "body": "**Namaskara** <script>x</script>"})
    assert response.status_code == 200
    assert (
        b"<strong>Namaskara</strong>" in response.content and b"<script>x" not in response.content
    )
    assert not LineScript.objects.exists()
    response = client.post(url, {"action": "save", "body": "**Namaskara**"})
    assert response.status_code == 302
    assert LineScript.objects.get().language == "kn"
    page = client.get(url)
    assert b"Version 1 (current)" in page.content


def test_a_member_sees_the_scripts_but_cannot_post(client, carol, mohan, line):
    script_save(actor=carol, line=line, language="", body="Read me")
    client.force_login(mohan)
    url = reverse("clients:line_scripts", args=[line.pk])
    page = client.get(url)
    assert page.status_code == 200 and b"Read me" in page.content
    assert b"Save as a new version" not in page.content
    assert client.post(url, {"action": "save", "body": "Changed"}).status_code == 403
    assert LineScript.objects.count() == 1


def test_another_firms_line_is_a_404(client, dave, line):
    client.force_login(dave)
    assert client.get(reverse("clients:line_scripts", args=[line.pk])).status_code == 404
    assert (
        client.post(reverse("clients:line_scripts", args=[line.pk]), {"body": "x"}).status_code
        == 404
    )


def test_a_language_the_line_does_not_offer_is_a_404(client, carol, line):
    client.force_login(carol)
    assert (
        client.get(reverse("clients:line_scripts", args=[line.pk]) + "?language=ta").status_code
        == 404
    )


def test_the_lines_page_links_to_its_scripts_and_codes(client, carol, line):
    client.force_login(carol)
    page = client.get(reverse("clients:line", args=[line.pk])).content.decode()
    assert reverse("clients:line_scripts", args=[line.pk]) in page
    assert reverse("clients:line_dispositions", args=[line.pk]) in page
