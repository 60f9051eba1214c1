"""Every email page that shows or changes a firm's rows, opened by another firm's admin with
the first firm's ids: a 404, never a page nor a change."""

import pytest
from django.urls import reverse

from mailroom.models import Mailbox, Template
from tests.mailroom.helpers import conversation_make


@pytest.fixture
def acmes(acme, mail_queue, mail_address):
    mailbox = Mailbox.objects.create(
        queue=mail_queue, address=mail_address, host="h", username="u", password="p"
    )
    template = Template.objects.create(firm=acme, name="Hello", body="Hi {customer_name}")
    conversation = conversation_make(mail_queue)
    return {
        "queue": mail_queue,
        "address": mail_address,
        "mailbox": mailbox,
        "template": template,
        "conversation": conversation,
    }


PAGES = [
    ("mail:queue", ["queue"]),
    ("mail:address_add", ["queue"]),
    ("mail:address_remove", ["queue", "address"]),
    ("mail:mailbox_new", ["queue"]),
    ("mail:mailbox", ["mailbox"]),
    ("mail:mailbox_remove", ["mailbox"]),
    ("mail:mailbox_poll", ["mailbox"]),
    ("mail:template", ["template"]),
    ("mail:template_remove", ["template"]),
    ("mail:conversation", ["conversation"]),
]


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_another_firms_admin_gets_a_404_on_every_page(client, dave, acmes, name, args):
    client.force_login(dave)
    url = reverse(name, args=[acmes[arg].pk for arg in args])
    method = client.post if name.endswith(("_add", "_poll")) else client.get
    assert method(url).status_code == 404
    assert client.post(url, {"name": "Taken", "email": "x@globex.example"}).status_code in (
        404,
        405,
    )
    assert Template.objects.get().name == "Hello" and Mailbox.objects.filter(host="h").exists()
    acmes["address"].refresh_from_db()
    assert acmes["address"].is_active
