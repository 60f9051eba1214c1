"""The unsubscribe link in the mail a contact received works end to end (RFC 8058): their
mail client's one-click POST, or our page's button; a GET (a link scanner) never does it."""

import re

import pytest
from django.test import Client

from mailroom.models import CampaignEmail, EmailCampaign, EmailSuppression
from mailroom.sending import campaigns_tick
from tests.mailroom.campaigning import campaign_started, email_list

pytestmark = pytest.mark.django_db


def _link_in(mail, settings) -> str:
    text = mail.get_body(("plain",)).get_content()
    url = re.search(r"https?://\S+/mail/unsubscribe/[0-9a-f-]+/", text).group(0)
    assert mail["List-Unsubscribe"].strip().startswith(f"<{url}>")
    return url.removeprefix(settings.PORTAL_URL.rstrip("/"))


def test_the_mail_clients_one_click_post_unsubscribes_once_and_the_next_campaign_skips_them(
    smtp_sink, settings, carol, acme, mail_address
):
    people = email_list(acme, [("Asha", "asha@example.net"), ("Ravi", "ravi@example.net")])
    campaign = campaign_started(carol, acme, mail_address, [people])
    campaigns_tick()
    asha = next(m for m in smtp_sink.messages if m["To"] == "asha@example.net")
    path = _link_in(asha, settings)
    mail_client = Client(enforce_csrf_checks=True)  # no cookie, no token: RFC 8058's POST

    assert mail_client.get(path).status_code == 200  # a scanner following the link
    assert not EmailSuppression.objects.exists()
    for _ in range(2):
        response = mail_client.post(path, {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200

    stopped = EmailSuppression.objects.get()
    assert (stopped.email, stopped.reason, stopped.firm) == (
        "asha@example.net",
        "unsubscribed",
        acme,
    )
    campaign.refresh_from_db()
    assert campaign.unsubscribed == 1

    smtp_sink.messages.clear()
    again = campaign_started(carol, acme, mail_address, [people], name="Second")
    campaigns_tick()
    assert [m["To"] for m in smtp_sink.messages] == ["ravi@example.net"]
    assert (
        CampaignEmail.objects.get(campaign=again, email="asha@example.net").status == "suppressed"
    )
    assert EmailCampaign.objects.get(pk=again.pk).suppressed == 1


def test_our_page_button_needs_the_csrf_token_the_page_gives(smtp_sink, carol, acme, mail_address):
    people = email_list(acme, [("Asha", "asha@example.net")])
    campaign_started(carol, acme, mail_address, [people])
    campaigns_tick()
    row = CampaignEmail.objects.get()
    browser = Client(enforce_csrf_checks=True)
    path = f"/mail/unsubscribe/{row.token}/"

    assert browser.post(path, {}).status_code == 403  # a forged form: no token
    page = browser.get(path)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    assert browser.post(path, {"csrfmiddlewaretoken": token}).status_code == 200
    assert EmailSuppression.objects.filter(email="asha@example.net").exists()


def test_an_unknown_token_is_404_and_changes_nothing(client):
    path = "/mail/unsubscribe/00000000-0000-4000-8000-000000000000/"
    assert client.get(path).status_code == 404
    assert client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 404
    assert not EmailSuppression.objects.exists()
