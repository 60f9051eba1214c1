"""Campaign mail leaves through a real SMTP server with the headers bulk mail owes its
readers: From the campaign's address, our Message-ID, RFC 8058 one-click unsubscribe,
Auto-Submitted and Precedence — and each email is marked sent, counted and billed once."""

import pytest

from mailroom.models import CampaignEmail, EmailCampaign
from mailroom.sending import campaigns_tick
from mailroom.signals import campaign_email_sent
from tests.mailroom.campaigning import campaign_started, email_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def billed():
    seen = []

    def receiver(sender, email, **kwargs):
        seen.append(email.pk)

    campaign_email_sent.connect(receiver, dispatch_uid="test-billed")
    yield seen
    campaign_email_sent.disconnect(dispatch_uid="test-billed")


def test_it_sends_each_contact_their_own_mail_with_the_bulk_headers(
    smtp_sink, settings, carol, acme, mail_address, billed
):
    settings.PORTAL_URL = "https://portal.example"
    people = email_list(acme, [("Asha Menon", "Asha@Example.net"), ("Ravi K", "ravi@example.org")])
    people.members.first().contact.__class__.objects.filter(email="Asha@Example.net").update(
        email="asha@example.net", fields={"policy_no": "P-1"}
    )
    campaign = campaign_started(carol, acme, mail_address, [people])

    assert campaigns_tick() == 2

    mails = {m["To"]: m for m in smtp_sink.messages}
    asha = mails["asha@example.net"]
    row = CampaignEmail.objects.get(email="asha@example.net")
    assert asha["From"] == "Acme claims <claims@acme-insurance.example>"
    assert asha["Subject"] == "Your policy P-1, Asha"
    assert asha["Message-ID"] == f"<{row.message_id}>"
    url = f"https://portal.example/mail/unsubscribe/{row.token}/"
    # A long header is folded after its colon: the unfolded value is what counts.
    assert asha["List-Unsubscribe"].strip() == (
        f"<{url}>, <mailto:claims@acme-insurance.example?subject=unsubscribe>"
    )
    assert asha["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert asha["Auto-Submitted"] == "auto-generated"
    assert asha["Precedence"] == "bulk"
    text = asha.get_body(("plain",)).get_content()
    assert text.startswith("Dear Asha Menon,")
    assert url in text
    html = asha.get_body(("html",)).get_content()
    assert f'href="{url}"' in html
    # A field the contact does not have stays visible as written.
    assert mails["ravi@example.org"]["Subject"] == "Your policy {policy_no}, Ravi"

    campaign.refresh_from_db()
    assert (campaign.status, campaign.recipients, campaign.sent) == ("done", 2, 2)
    assert sorted(billed) == sorted(CampaignEmail.objects.values_list("pk", flat=True))
    assert set(CampaignEmail.objects.values_list("status", flat=True)) == {"sent"}


def test_two_ticks_never_send_an_email_twice(smtp_sink, carol, acme, mail_address, billed):
    people = email_list(acme, [(f"P{i}", f"p{i}@example.net") for i in range(3)])
    campaign_started(carol, acme, mail_address, [people])

    assert campaigns_tick() == 3
    assert campaigns_tick() == 0

    assert len(smtp_sink.messages) == 3
    assert len(billed) == 3


def test_a_contact_on_two_lists_and_an_address_held_twice_get_one_mail(
    smtp_sink, carol, acme, mail_address
):
    first = email_list(acme, [("Asha", "asha@example.net"), ("Ravi", "ravi@example.net")])
    second = email_list(acme, [("Asha again", "ASHA@example.net")])
    second.members.create(contact=first.members.get(contact__name="Ravi").contact)

    campaign = campaign_started(carol, acme, mail_address, [first, second])

    assert campaign.recipients == 2
    campaigns_tick()
    assert sorted(m["To"] for m in smtp_sink.messages) == ["asha@example.net", "ravi@example.net"]


def test_a_failing_server_is_tried_again_then_the_email_fails(carol, acme, mail_address, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    people = email_list(acme, [("Asha", "asha@example.net")])
    campaign = campaign_started(carol, acme, mail_address, [people])

    for _ in range(3):
        assert campaigns_tick() == 0

    row = CampaignEmail.objects.get()
    campaign.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", 3)
    assert (campaign.status, campaign.failed, campaign.sent) == ("done", 1, 0)


def test_a_paused_or_cancelled_campaign_sends_nothing(smtp_sink, carol, acme, mail_address):
    from mailroom.sending import campaign_cancel, campaign_pause, campaign_resume

    people = email_list(acme, [("Asha", "asha@example.net")])
    campaign = campaign_started(carol, acme, mail_address, [people])
    campaign_pause(actor=carol, firm=acme, pk=campaign.pk)
    assert campaigns_tick() == 0
    campaign_resume(actor=carol, firm=acme, pk=campaign.pk)
    campaign_cancel(actor=carol, firm=acme, pk=campaign.pk)
    assert campaigns_tick() == 0
    assert smtp_sink.messages == []
    assert EmailCampaign.objects.get().status == "cancelled"
