"""mailroom.parsing: one pass over the raw bytes gives what the mailroom keeps."""

import pytest

from mailroom.parsing import (
    MessageTooLarge,
    MessageUnreadable,
    html_sanitise,
    parse,
    reply_trim,
)
from tests.mailroom.conftest import raw_email

TO = "claims@acme-insurance.example"


def test_it_reads_headers_text_html_and_attachments():
    raw = raw_email(
        to=f"Acme Claims <{TO}>",
        sender="Asha Menon <Asha.Menon@Example.NET>",
        message_id="<m1@example.net>",
        in_reply_to="<ours-1@acme>",
        references="<ours-0@acme> <ours-1@acme>",
        html="<p>Hello <b>there</b></p>",
        headers={"Delivered-To": TO},
        attachments=[("bill.pdf", "application/pdf", b"%PDF-1.4 body %%EOF")],
    )
    parsed = parse(raw)
    assert parsed.message_id == "m1@example.net"
    assert parsed.in_reply_to == "ours-1@acme"
    assert parsed.references == ("ours-0@acme", "ours-1@acme")
    assert (parsed.from_name, parsed.from_email) == ("Asha Menon", "asha.menon@example.net")
    assert parsed.to == (TO,) and parsed.delivered_to == TO
    assert parsed.text.startswith("Hello, I sent my claim papers")
    assert "<b>there</b>" in parsed.html
    [attachment] = parsed.attachments
    assert (attachment.filename, attachment.content_type) == ("bill.pdf", "application/pdf")
    assert attachment.payload == b"%PDF-1.4 body %%EOF"
    assert parsed.size == len(raw) and not parsed.automatic
    assert (parsed.spf, parsed.dkim) == ("none", "none")


def test_an_html_only_message_gets_its_text_from_the_html():
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = "bob@example.net"
    message["To"] = TO
    message.set_content("<p>First line</p><p>Second &amp; last</p><script>x()</script>", "html")
    parsed = parse(message.as_bytes())
    assert parsed.text == "First line\nSecond & last"


def test_a_message_without_a_message_id_gets_one_from_its_bytes():
    raw = raw_email(to=TO).replace(b"Message-ID:", b"X-Old-Id:")
    assert parse(raw).message_id == parse(raw).message_id
    assert parse(raw).message_id != parse(raw + b"\n").message_id


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"X-Autoreply": "yes"},
        {"X-Autorespond": "on vacation"},
        {"Precedence": "bulk"},
        {"Precedence": "auto_reply"},
        {"Return-Path": "<>"},
    ],
)
def test_machines_mail_is_automatic(headers):
    assert parse(raw_email(to=TO, headers=headers)).automatic


def test_a_persons_mail_and_a_bounce_are_told_apart():
    assert not parse(raw_email(to=TO, headers={"Auto-Submitted": "no"})).automatic
    bounce = raw_email(to=TO, sender="MAILER-DAEMON@mx.example.net")
    assert parse(bounce).automatic


@pytest.mark.parametrize(
    ("headers", "spf", "dkim"),
    [
        (
            {"Authentication-Results": "mx.example; spf=pass smtp.mailfrom=x; dkim=pass"},
            "pass",
            "pass",
        ),
        ({"Authentication-Results": "mx.example; spf=softfail; dkim=fail"}, "fail", "fail"),
        ({"Authentication-Results": "mx.example; spf=permerror; dkim=none"}, "fail", "none"),
        ({"Received-SPF": "Fail (mailfrom) identity=mailfrom"}, "fail", "none"),
        ({"Received-SPF": "Pass (mailfrom)"}, "pass", "none"),
        ({}, "none", "none"),
    ],
)
def test_it_reads_spf_and_dkim_from_the_receiving_server(headers, spf, dkim):
    parsed = parse(raw_email(to=TO, headers=headers))
    assert (parsed.spf, parsed.dkim) == (spf, dkim)


def test_it_refuses_a_message_over_the_limit_before_parsing(settings):
    settings.MAILROOM_MESSAGE_MAX_BYTES = 100
    with pytest.raises(MessageTooLarge):
        parse(raw_email(to=TO))


def test_it_refuses_garbage_with_no_sender():
    with pytest.raises(MessageUnreadable):
        parse(b"\x00\x01 not an email at all \xff")


def test_quoted_history_is_trimmed_and_html_sanitised():
    text = "Thanks, that helps.\n\nOn Mon, 1 Dec 2026, Acme <c@acme.example> wrote:\n> old\n"
    assert reply_trim(text, ["en", "hi"]) == "Thanks, that helps."
    html = '<p onclick="x()">Hi <img src="https://track.example/p.gif"><a href="https://a.example">a</a></p>'
    clean = html_sanitise(html)
    assert "img" not in clean and "onclick" not in clean
    assert 'rel="noopener noreferrer"' in clean


def test_malformed_headers_read_as_absent_rather_than_failing():
    raw = (
        b"From: Asha <asha@example.net>\r\nTo: claims@acme-insurance.example\r\n"
        b"Message-ID: <@>\r\nDate: not a date\r\nIn-Reply-To: \r\nSubject: =?bogus?Q?x?=\r\n"
        b"Content-Type: text/plain; charset=no-such-charset\r\n\r\nHello there\r\n"
    )
    parsed = parse(raw)
    assert parsed.from_email == "asha@example.net" and parsed.date is None
    assert parsed.message_id and "Hello there" in parsed.text
