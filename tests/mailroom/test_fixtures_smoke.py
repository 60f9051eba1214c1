"""The shared fixtures work: the SMTP server receives what Django sends."""

from django.core.mail import EmailMessage

from tests.mailroom.conftest import raw_email


def test_the_smtp_sink_receives_mail_sent_through_djangos_backend(smtp_sink):
    EmailMessage("Hello", "Body", "a@acme-insurance.example", ["b@example.net"]).send()
    assert [m["Subject"] for m in smtp_sink.messages] == ["Hello"]
    assert smtp_sink.envelopes == [("a@acme-insurance.example", ["b@example.net"])]


def test_a_raw_email_has_the_headers_asked_for(mail_address, mail_agent):
    raw = raw_email(to=mail_address.email, in_reply_to="<x@y>")
    assert b"In-Reply-To: <x@y>" in raw and mail_agent.email_capacity == 3
