"""The firm's conversations (filtered, by cursor; the thread with its HTML made safe), the
staff's list of escalated and waiting email across firms, putting one back in its queue, the
navigation and the agent's home panel."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.navigation import navigation_for
from common.models import AuditAction, AuditRecord
from mailroom.models import Conversation, Event, Queue
from tests.factories import PhoneLineFactory
from tests.mailroom.helpers import conversation_make, message_make

Status = Conversation.Status


@pytest.fixture
def globex_queue(globex):
    line = PhoneLineFactory(firm=globex, name="Globex support")
    return Queue.objects.create(firm=globex, line=line, name="Support email")


def test_the_firm_filters_its_conversations_and_sees_only_its_own(
    client, carol, mail_queue, globex_queue
):
    late = conversation_make(mail_queue, subject="Late one", breached=True)
    conversation_make(mail_queue, subject="Hindi one", language="hi")
    conversation_make(globex_queue, subject="Not yours")
    client.force_login(carol)
    url = reverse("mail:conversations")
    page = client.get(url).content.decode()
    assert "Late one" in page and "Hindi one" in page and "Not yours" not in page
    page = client.get(url, {"breached": "yes"}).content.decode()
    assert "Late one" in page and "Hindi one" not in page
    page = client.get(url, {"language": "hi", "queue": mail_queue.pk}).content.decode()
    assert "Hindi one" in page and "Late one" not in page
    # Another firm's queue as a filter is an invalid choice: no rows, never theirs.
    page = client.get(url, {"queue": globex_queue.pk}).content.decode()
    assert "Not yours" not in page and "Late one" not in page
    detail = client.get(reverse("mail:conversation", args=[late.pk])).content.decode()
    assert late.customer_email in detail  # the firm's own customers' addresses


def test_the_conversations_page_by_cursor(client, carol, mail_queue, monkeypatch):
    from mailroom import client_views

    monkeypatch.setattr(client_views.CONVERSATION_PAGES, "size", 2)
    for n in range(3):
        conversation_make(mail_queue, subject=f"Number {n}", age=dt.timedelta(minutes=n + 1))
    client.force_login(carol)
    first = client.get(reverse("mail:conversations"))
    assert "Number 0" in first.content.decode() and "Number 2" not in first.content.decode()
    older = first.context["page"].next_cursor
    second = client.get(reverse("mail:conversations"), {"cursor": older}).content.decode()
    assert "Number 2" in second and "Number 0" not in second
    assert client.get(reverse("mail:conversations"), {"cursor": "forged"}).status_code == 400


def test_the_thread_shows_html_made_safe_attachments_and_never_the_agents_contacts(
    client, carol, mail_queue, mail_agent
):
    conversation = conversation_make(
        mail_queue,
        status=Status.ASSIGNED,
        agent=mail_agent,
        html='<p>Bill <b>attached</b></p><script>alert(1)</script><a href="javascript:x">x</a>',
    )
    message_make(conversation, text="And the discharge note", attachments=["bill.pdf"])
    Event.objects.create(conversation=conversation, kind=Event.Kind.ASSIGNED, agent=mail_agent)
    client.force_login(carol)
    page = client.get(reverse("mail:conversation", args=[conversation.pk])).content.decode()
    assert "<b>attached</b>" in page and "<script>alert" not in page
    assert "javascript:" not in page
    assert "bill.pdf" in page and "Meena Iyer" in page
    assert mail_agent.user.email not in page
    assert not mail_agent.phone or str(mail_agent.phone) not in page


def test_the_staff_see_every_firms_escalated_and_waiting_email_oldest_first(
    client, victor, mail_queue, globex_queue, mail_agent
):
    conversation_make(mail_queue, subject="Newer waiting", age=dt.timedelta(minutes=5))
    conversation_make(globex_queue, subject="Older waiting", age=dt.timedelta(hours=2))
    conversation_make(
        mail_queue, subject="Escalated", status=Status.ASSIGNED, agent=mail_agent, breached=True
    )
    conversation_make(mail_queue, subject="Fine", status=Status.ASSIGNED, agent=mail_agent)
    client.force_login(victor)
    page = client.get(reverse("mail_staff:home")).content.decode()
    assert page.index("Older waiting") < page.index("Newer waiting")
    assert "Escalated" in page and "Fine" not in page
    only = client.get(reverse("mail_staff:home"), {"breached": "1"}).content.decode()
    assert "Escalated" in only and "Older waiting" not in only


def test_the_staff_put_a_conversation_back_in_its_queue(
    client, victor, mail_queue, mail_agent, django_capture_on_commit_callbacks
):
    conversation = conversation_make(
        mail_queue, status=Status.ASSIGNED, agent=mail_agent, breached=True
    )
    # Meena is on a call: routed again after the release, it finds nobody and waits.
    type(mail_agent).objects.filter(pk=mail_agent.pk).update(duty_status="on_call")
    client.force_login(victor)
    page = client.get(reverse("mail_staff:conversation", args=[conversation.pk])).content
    assert b"Back to the queue" in page and conversation.customer_email.encode() not in page
    url = reverse("mail_staff:conversation_release", args=[conversation.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"reason": "Agent unwell"})
    conversation.refresh_from_db()
    assert (conversation.status, conversation.agent) == (Status.WAITING, None)
    event = conversation.events.get(kind=Event.Kind.RELEASED)
    assert (event.agent, event.actor, event.detail) == (mail_agent, victor, "Agent unwell")
    assert AuditRecord.objects.filter(
        action=AuditAction.MAIL_CONVERSATION_RELEASED, actor=victor
    ).exists()
    page = client.post(url, follow=True).content.decode()
    assert "It had no agent to take it from." in page


def test_staff_pages_refuse_firm_users_agents_and_finance(
    client, carol, fiona, mail_queue, mail_agent
):
    conversation = conversation_make(mail_queue, status=Status.ASSIGNED, agent=mail_agent)
    urls = [
        reverse("mail_staff:home"),
        reverse("mail_staff:conversation", args=[conversation.pk]),
    ]
    for user in (carol, mail_agent.user, fiona):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 403, (user, url)
        release = reverse("mail_staff:conversation_release", args=[conversation.pk])
        assert client.post(release).status_code == 403
    conversation.refresh_from_db()
    assert conversation.status == Status.ASSIGNED


def test_the_service_refuses_a_firm_admin_whatever_the_page_let_through(
    carol, mail_queue, mail_agent
):
    from common.errors import NotAllowed
    from mailroom.services import conversation_release

    conversation = conversation_make(mail_queue, status=Status.ASSIGNED, agent=mail_agent)
    with pytest.raises(NotAllowed):
        conversation_release(actor=carol, conversation=conversation)


def test_the_navigation_links_email_for_firms_and_staff(carol, victor, root):
    labels = {item["label"]: item["url"] for item in navigation_for(carol)}
    assert labels["Email"] == reverse("mail:conversations")
    for user in (victor, root):
        assert reverse("mail_staff:home") in [i["url"] for i in navigation_for(user)]


def test_the_agents_home_shows_their_open_conversations(client, mail_queue, mail_agent):
    conversation_make(mail_queue, status=Status.ASSIGNED, agent=mail_agent)
    conversation_make(mail_queue, status=Status.ASSIGNED, agent=mail_agent)
    client.force_login(mail_agent.user)
    page = client.get(reverse("agents:home")).content.decode()
    assert "Email: 2 open conversations with you." in page


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_lists_read_the_same_number_of_queries_for_one_row_or_many(
    client, carol, mail_queue, mail_agent
):
    conversation_make(mail_queue, status=Status.ASSIGNED, agent=mail_agent)
    client.force_login(carol)
    urls = [reverse("mail:conversations"), reverse("mail:queues")]
    once = [_queries(client, url) for url in urls]
    for n in range(4):
        queue = Queue.objects.create(firm=mail_queue.firm, line=mail_queue.line, name=f"Q{n}")
        conversation_make(queue, status=Status.ASSIGNED, agent=mail_agent)
    assert [_queries(client, url) for url in urls] == once
