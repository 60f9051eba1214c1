"""The email API for firms: its queues, its conversations (filtered, by cursor) and one with
its messages as trimmed text; another firm's ids are 404s and its key sees nothing."""

import pytest
from django.urls import reverse

from clients.services import api_key_create
from mailroom.models import Conversation, Queue
from tests.factories import PhoneLineFactory
from tests.mailroom.helpers import conversation_make


def _key(firm, admin) -> dict:
    _row, raw = api_key_create(firm=firm, user=admin, name="CRM")
    return {"HTTP_AUTHORIZATION": f"Api-Key {raw}"}


@pytest.fixture
def acme_key(acme, carol):
    return _key(acme, carol)


@pytest.fixture
def globex_key(globex, dave):
    return _key(globex, dave)


def test_a_firm_lists_its_queues_and_conversations_with_filters(client, acme_key, mail_queue):
    late = conversation_make(mail_queue, subject="Late", breached=True)
    conversation_make(mail_queue, subject="Hindi", language="hi")
    queues = client.get(reverse("api-mail-queues"), **acme_key).json()
    assert [(q["name"], q["addresses"]) for q in queues] == [
        ("Claims email", ["claims@acme-insurance.example"])
    ]
    url = reverse("api-mail-conversations")
    listed = client.get(url, **acme_key).json()
    assert {c["subject"] for c in listed["results"]} == {"Late", "Hindi"}
    breached = client.get(url, {"breached": "true"}, **acme_key).json()["results"]
    assert [c["id"] for c in breached] == [late.pk]
    hindi = client.get(url, {"language": "hi", "queue": mail_queue.pk}, **acme_key).json()
    assert [c["subject"] for c in hindi["results"]] == ["Hindi"]
    assert client.get(url, {"cursor": "forged"}, **acme_key).status_code == 400
    assert client.get(url, {"queue": 2**63}, **acme_key).status_code == 400


def test_one_conversation_comes_with_its_messages_as_trimmed_text_only(
    client, acme_key, mail_queue, mail_agent
):
    conversation = conversation_make(
        mail_queue,
        text="Where is my money?",
        html="<p>Where is my <b>money</b>?</p>",
        status=Conversation.Status.ASSIGNED,
        agent=mail_agent,
    )
    one = client.get(reverse("api-mail-conversation", args=[conversation.pk]), **acme_key).json()
    assert one["agent_name"] == "Meena Iyer"
    assert [m["text"] for m in one["messages"]] == ["Where is my money?"]
    assert "html" not in one["messages"][0] and "<b>" not in str(one)
    assert mail_agent.user.email not in str(one)


def test_another_firms_conversations_are_not_found_and_its_key_sees_none(
    client, globex_key, acme_key, mail_queue, globex
):
    ours = conversation_make(mail_queue)
    line = PhoneLineFactory(firm=globex)
    theirs = conversation_make(Queue.objects.create(firm=globex, line=line, name="S"))
    assert (
        client.get(reverse("api-mail-conversation", args=[ours.pk]), **globex_key).status_code
        == 404
    )
    listed = client.get(reverse("api-mail-conversations"), **globex_key).json()["results"]
    assert [c["id"] for c in listed] == [theirs.pk]
    queues = client.get(reverse("api-mail-queues"), **globex_key).json()
    assert [q["name"] for q in queues] == ["S"]
    filtered = client.get(reverse("api-mail-conversations"), {"queue": mail_queue.pk}, **globex_key)
    assert filtered.json()["results"] == []
    assert client.get(reverse("api-mail-conversations")).status_code in (401, 403)
