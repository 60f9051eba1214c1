"""The firm's email settings pages: its admins make queues on its own lines, add addresses
(lower case, no one else's), IMAP mailboxes (the password never shown back) and reply
templates (known placeholders only); its plain members see them and change nothing."""

import pytest
from django.urls import reverse

from clients.models import FirmMember
from common.models import AuditAction, AuditRecord
from mailroom.models import Address, Mailbox, Queue, Template
from tests.factories import FirmMemberFactory, PhoneLineFactory
from tests.mailroom.helpers import conversation_make

SECRET = "s3cret-imap-pass"


@pytest.fixture
def member(acme):
    return FirmMemberFactory(firm=acme, role=FirmMember.Role.MEMBER).user


def _queue_post(line, **extra) -> dict:
    data = {"name": "Claims", "line": line.pk, "language": "", "first_response_minutes": 60}
    data["display_name"], data["is_active"] = "Acme claims", "on"
    return data | extra


def test_an_admin_makes_a_queue_on_one_of_the_firms_lines(client, carol, mail_line):
    client.force_login(carol)
    answer = client.post(reverse("mail:queues"), _queue_post(mail_line, language="hi"))
    queue = Queue.objects.get(name="Claims")
    assert answer["Location"] == reverse("mail:queue", args=[queue.pk])
    assert (queue.line, queue.language, queue.first_response_minutes) == (mail_line, "hi", 60)
    assert AuditRecord.objects.filter(action=AuditAction.MAIL_QUEUE_SAVED, actor=carol).exists()


def test_a_language_the_line_does_not_speak_and_another_firms_line_are_refused(
    client, carol, mail_line, globex
):
    client.force_login(carol)
    answer = client.post(reverse("mail:queues"), _queue_post(mail_line, language="ta"))
    assert "one of the line&#x27;s languages" in answer.content.decode()
    theirs = PhoneLineFactory(firm=globex)
    answer = client.post(reverse("mail:queues"), _queue_post(theirs))
    assert "Select a valid choice" in answer.content.decode()
    answer = client.post(reverse("mail:queues"), _queue_post(mail_line, first_response_minutes=1))
    assert answer.status_code == 200 and not Queue.objects.exists()


def test_an_address_is_lower_cased_and_one_already_taken_is_a_form_error(client, carol, mail_queue):
    client.force_login(carol)
    url = reverse("mail:address_add", args=[mail_queue.pk])
    client.post(url, {"email": "Help@Acme-Insurance.Example"})
    assert mail_queue.addresses.filter(email="help@acme-insurance.example").exists()
    answer = client.post(url, {"email": "CLAIMS@acme-insurance.example"})
    assert answer.status_code == 400
    assert "That address is already taken." in answer.content.decode()
    assert Address.objects.filter(email="claims@acme-insurance.example").count() == 1


def test_an_address_a_conversation_used_is_kept_inactive_an_unused_one_deleted(
    client, carol, mail_queue, mail_address
):
    spare = Address.objects.create(queue=mail_queue, email="spare@acme-insurance.example")
    conversation_make(mail_queue)
    client.force_login(carol)
    for address in (mail_address, spare):
        url = reverse("mail:address_remove", args=[mail_queue.pk, address.pk])
        assert "Remove the address" in client.get(url).content.decode()
        client.post(url)
    mail_address.refresh_from_db()
    assert not mail_address.is_active
    assert not Address.objects.filter(pk=spare.pk).exists()


def _mailbox_post(address, **extra) -> dict:
    data = {"address": address.pk, "host": "imap.acme.example", "port": 993, "use_ssl": "on"}
    data |= {"username": "claims", "password": SECRET, "folder": "INBOX", "is_active": "on"}
    return data | extra


def test_a_mailbox_password_is_never_shown_back_and_blank_keeps_it(
    client, carol, mail_queue, mail_address
):
    client.force_login(carol)
    client.post(reverse("mail:mailbox_new", args=[mail_queue.pk]), _mailbox_post(mail_address))
    mailbox = Mailbox.objects.get()
    page = client.get(reverse("mail:mailbox", args=[mailbox.pk])).content.decode()
    assert SECRET not in page and "imap.acme.example" in page
    edit = _mailbox_post(mail_address, password="", folder="Support")
    client.post(reverse("mail:mailbox", args=[mailbox.pk]), edit)
    mailbox.refresh_from_db()
    assert (mailbox.password, mailbox.folder) == (SECRET, "Support")
    record = AuditRecord.objects.filter(action=AuditAction.MAIL_MAILBOX_SAVED).first()
    assert SECRET not in str(record.detail) + str(record.after)


def test_a_new_mailbox_needs_a_password(client, carol, mail_queue, mail_address):
    client.force_login(carol)
    url = reverse("mail:mailbox_new", args=[mail_queue.pk])
    answer = client.post(url, _mailbox_post(mail_address, password=""))
    assert "Enter the mailbox" in answer.content.decode() and not Mailbox.objects.exists()


def test_poll_now_says_so_when_the_poller_is_not_installed_and_enqueues_when_it_is(
    client, carol, mail_queue, mail_address, monkeypatch
):
    mailbox = Mailbox.objects.create(
        queue=mail_queue, address=mail_address, host="h", username="u", password="p"
    )
    client.force_login(carol)
    url = reverse("mail:mailbox_poll", args=[mailbox.pk])
    polled = []

    from celery import current_app

    name = "mailroom.tasks.imap_poll_mailbox"
    monkeypatch.delitem(current_app.tasks, name, raising=False)  # as before the IMAP work
    page = client.post(url, follow=True).content.decode()
    assert "Polling is not available yet" in page

    @current_app.task(name=name)
    def _poll(mailbox_id):  # a stand-in for the IMAP work's task: what it was given
        polled.append(mailbox_id)

    monkeypatch.setitem(current_app.tasks, name, _poll)
    page = client.post(url, follow=True).content.decode()
    assert "will be polled in a moment" in page and polled == [mailbox.pk]


def test_a_template_with_an_unknown_placeholder_is_refused(client, carol, acme):
    client.force_login(carol)
    url = reverse("mail:templates")
    body = "Dear {customer_name}, your policy {policy_number} is fine."
    answer = client.post(url, {"name": "Paid", "body": body})
    assert "Unknown placeholder {policy_number}" in answer.content.decode()
    assert not Template.objects.exists()
    body = "Dear {customer_name}, {agent_name} of {firm_name} here. {{braces}}"
    assert client.post(url, {"name": "Paid", "body": body}).status_code == 302
    assert Template.objects.get(firm=acme).body == body


def test_a_plain_member_sees_the_settings_but_changes_nothing(
    client, member, mail_queue, mail_address, mail_line, acme
):
    template = Template.objects.create(firm=acme, name="Hello", body="Hi {customer_name}")
    client.force_login(member)
    page = client.get(reverse("mail:queues")).content.decode()
    assert "Claims email" in page and "Only your firm's admins" in page
    refused = [
        (reverse("mail:queues"), _queue_post(mail_line)),
        (reverse("mail:queue", args=[mail_queue.pk]), _queue_post(mail_line)),
        (reverse("mail:address_add", args=[mail_queue.pk]), {"email": "x@acme.example"}),
        (reverse("mail:address_remove", args=[mail_queue.pk, mail_address.pk]), {}),
        (reverse("mail:mailbox_new", args=[mail_queue.pk]), _mailbox_post(mail_address)),
        (reverse("mail:templates"), {"name": "New", "body": "Hi"}),
        (reverse("mail:template", args=[template.pk]), {"name": "New", "body": "Hi"}),
        (reverse("mail:template_remove", args=[template.pk]), {}),
    ]
    for url, data in refused:
        assert client.post(url, data).status_code == 403, url
    assert Queue.objects.count() == 1 and Address.objects.count() == 1
    assert Template.objects.get().name == "Hello" and not Mailbox.objects.exists()


def test_the_services_refuse_a_member_whatever_the_page_let_through(member, mail_queue):
    from clients.services import NotAllowed
    from mailroom import services

    with pytest.raises(NotAllowed):
        services.address_add(actor=member, queue=mail_queue, email="x@acme.example")
    with pytest.raises(NotAllowed):
        services.template_save(actor=member, firm=mail_queue.firm, name="T", body="Hi")
