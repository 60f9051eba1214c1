"""A line's customer context settings page: firm admins change it (members read it, another
firm gets a 404), a private or plain-HTTP address is a form error, the secret is shown once
(and on rotation) and never in the audit record, and "Test the endpoint" sends a signed
sample — never a real call's data."""

import re

import pytest
from django.urls import reverse
from standardwebhooks import Webhook

from clients.customer_context import SAMPLE_CALLER
from clients.models import FirmMember
from common.models import AuditAction, AuditRecord
from tests.factories import FirmMemberFactory, PhoneLineFactory
from tests.lookup_server import LookupServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def lookup_server():
    with LookupServer() as server:
        yield server


@pytest.fixture
def line(acme):
    return PhoneLineFactory(firm=acme, name="Claims helpline")


def url(line) -> str:
    return reverse("clients:line_context", args=[line.pk])


def save(client, line, **fields):
    data = {"action": "save", "source": "lookup", "url": "", "fields": "plan\nopen_ticket"}
    return client.post(url(line), data | fields)


def secret_on(page: str) -> str:
    found = re.search(r'<code id="new-context-secret">([^<]+)</code>', page)
    return found.group(1) if found else ""


def test_an_admin_sets_a_lookup_and_sees_its_secret_once(client, carol, line, lookup_server):
    client.force_login(carol)
    answer = save(client, line, url=lookup_server.url, keep="on")
    assert answer["Cache-Control"] == "private, no-store"
    page = answer.content.decode()
    line.refresh_from_db()
    secret = secret_on(page)
    assert secret.startswith("whsec_") and secret == line.context_secret
    assert (line.context_source, line.context_url) == ("lookup", lookup_server.url)
    assert (line.context_fields, line.context_keep) == (["plan", "open_ticket"], True)
    again = client.get(url(line)).content.decode()
    assert secret not in again and "signing secret set" in again
    # Saved again: the secret stays, and is not shown.
    assert secret_on(save(client, line, url=lookup_server.url).content.decode()) == ""
    line.refresh_from_db()
    assert line.context_secret == secret


def test_the_audit_record_names_the_change_and_never_the_secret(client, carol, line):
    client.force_login(carol)
    save(client, line, source="contacts", fields="name\nplan", keep="on")
    record = AuditRecord.objects.about(line).get(action=AuditAction.LINE_WORKSPACE_SET)
    assert record.before["source"] == "none" and record.after["fields"] == ["name", "plan"]
    save(client, line, url="http://127.0.0.1:9/context")
    client.post(url(line), {"action": "rotate"})
    line.refresh_from_db()
    records = AuditRecord.objects.about(line).filter(action=AuditAction.LINE_WORKSPACE_SET)
    assert [r.detail["secret"] for r in records.order_by("pk")] == [
        "unchanged",
        "created",
        "rotated",
    ]
    assert all(line.context_secret not in str((r.before, r.after, r.detail)) for r in records)


def test_rotating_shows_the_new_secret_once_after_asking(client, carol, line):
    client.force_login(carol)
    save(client, line, url="http://127.0.0.1:9/context")
    line.refresh_from_db()
    old = line.context_secret
    confirm = client.get(reverse("clients:line_context_rotate", args=[line.pk])).content.decode()
    assert "must verify with it" in confirm
    line.refresh_from_db()
    assert line.context_secret == old  # the GET changed nothing
    answer = client.post(url(line), {"action": "rotate"})
    line.refresh_from_db()
    assert secret_on(answer.content.decode()) == line.context_secret != old
    assert answer["Cache-Control"] == "private, no-store"  # no cached copy of the secret


@pytest.mark.parametrize(
    ("address", "error"),
    [
        ("https://10.0.0.7/context", "not on the public internet"),
        ("https://169.254.169.254/latest", "not on the public internet"),
        ("http://crm.example.com/context", "must start with https://"),
        ("https://user:pw@crm.example.com/", "user name or password"),
        ("", "Give your lookup endpoint"),
        ("https://[::1/context", "not a web address"),  # urlsplit raised: was a 500
    ],
)
def test_an_address_we_must_not_call_is_a_form_error(client, carol, line, address, error):
    client.force_login(carol)
    answer = save(client, line, url=address)
    assert answer.status_code == 200 and error in answer.content.decode()
    line.refresh_from_db()
    assert line.context_source == "none" and line.context_secret == ""


def test_too_many_fields_is_a_form_error(client, carol, line):
    client.force_login(carol)
    answer = save(client, line, source="contacts", fields="\n".join(f"f{i}" for i in range(41)))
    assert "Choose at most 40 fields." in answer.content.decode()


def test_the_test_button_sends_a_signed_sample_and_shows_what_came_back(
    client, carol, line, lookup_server
):
    client.force_login(carol)
    secret = secret_on(save(client, line, url=lookup_server.url).content.decode())
    lookup_server.reply({"fields": {"plan": "Gold", "pan": "ABCDE1234F"}})
    page = client.post(url(line), {"action": "test"}).content.decode()
    (received,) = lookup_server.requests
    payload = Webhook(secret).verify(received["body"], received["headers"])
    assert payload["test"] is True and payload["call"]["caller"] == SAMPLE_CALLER
    assert "answered <strong>200</strong>" in page and "Gold" in page and "ABCDE1234F" not in page
    lookup_server.reply(b"not json")
    page = client.post(url(line), {"action": "test"}).content.decode()
    assert "The answer was not a JSON object." in page


def test_a_member_reads_the_settings_but_cannot_change_them(client, acme, line):
    member = FirmMemberFactory(firm=acme, role=FirmMember.Role.MEMBER).user
    client.force_login(member)
    page = client.get(url(line))
    assert page.status_code == 200
    assert "Only your firm's admins can change it" in page.content.decode()
    for action in ("save", "rotate", "test"):
        assert save(client, line, action=action).status_code == 403
    assert client.get(reverse("clients:line_context_rotate", args=[line.pk])).status_code == 403
    line.refresh_from_db()
    assert line.context_source == "none"


def test_another_firms_line_is_a_404(client, dave, line):
    client.force_login(dave)
    assert client.get(url(line)).status_code == 404
    assert save(client, line, source="contacts").status_code == 404
    assert client.get(reverse("clients:line_context_rotate", args=[line.pk])).status_code == 404


def test_the_service_refuses_a_member_whatever_the_view(acme, line):
    from clients.customer_context import line_context_set
    from clients.services import NotAllowed

    member = FirmMemberFactory(firm=acme, role=FirmMember.Role.MEMBER).user
    with pytest.raises(NotAllowed):
        line_context_set(line=line, user=member, source="contacts", url="", fields=[], keep=False)


def test_the_lines_page_links_to_its_context(client, carol, line):
    client.force_login(carol)
    assert url(line) in client.get(reverse("clients:line", args=[line.pk])).content.decode()
