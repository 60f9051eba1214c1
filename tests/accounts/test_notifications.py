"""accounts.notifications: rows in the caller's transaction, email only after its commit, one
row per one-shot event, each user's settings per kind and channel; the bell counts in one query;
a user reads and marks only their own."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import KIND_ROLES, Notification, NotificationSetting
from accounts.notifications import (
    notification_send,
    notification_settings_set,
    notifications_unread_count,
)
from common import mail

pytestmark = pytest.mark.django_db
Kind = Notification.Kind


def _send(users, key="", **extra):
    return notification_send(
        users=users,
        kind=Kind.STATEMENT_READY,
        title="Your statement is ready",
        body="Check it.",
        url="/agent/earnings/",
        key=key,
        **extra,
    )


def test_the_email_goes_only_after_the_commit_one_per_recipient(
    alice, bob, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert _send([alice, bob]) == 2
        assert mailoutbox == []  # not before the commit
    assert len(callbacks) == 1
    assert sorted(m.to for m in mailoutbox) == [[alice.email], [bob.email]]
    assert mailoutbox[0].subject == "Homeshore: Your statement is ready"
    assert "http://localhost:8000/agent/earnings/" in mailoutbox[0].body
    assert "/notifications/settings/" in mailoutbox[0].body
    assert Notification.objects.filter(kind=Kind.STATEMENT_READY).count() == 2


def test_a_rolled_back_change_tells_nobody(alice, mailoutbox, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _send([alice])
        raise RuntimeError("the caller's change failed")
    assert callbacks == [] and mailoutbox == []
    assert not Notification.objects.exists()


def test_a_one_shot_event_is_told_once(alice, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert _send([alice], key="run:1") == 1
        assert _send([alice], key="run:1") == 0
        assert _send([alice], key="run:2") == 1
    assert len(mailoutbox) == 2
    assert Notification.objects.filter(recipient=alice).count() == 2


@pytest.mark.parametrize(
    ("email", "page", "mails", "shown"),
    [(False, True, 0, 1), (True, False, 1, 0), (False, False, 0, 0)],
    ids=["email off", "page off", "both off"],
)
def test_a_users_settings_turn_email_and_page_off(
    alice, bob, mailoutbox, django_capture_on_commit_callbacks, email, page, mails, shown
):
    notification_settings_set(user=alice, choices={Kind.STATEMENT_READY: (email, page)})
    with django_capture_on_commit_callbacks(execute=True):
        _send([alice, bob])
    assert [m.to for m in mailoutbox if m.to == [alice.email]] == [[alice.email]] * mails
    assert notifications_unread_count(user=alice) == shown
    assert notifications_unread_count(user=bob) == 1  # bob's own settings are the defaults


def test_settings_back_to_the_default_keep_no_row(alice):
    notification_settings_set(user=alice, choices={Kind.PAYOUT_PAID: (False, True)})
    notification_settings_set(user=alice, choices={Kind.PAYOUT_PAID: (True, True)})
    assert not NotificationSetting.objects.exists()


def test_an_smtp_outage_queues_the_mail_and_never_fails_the_caller(
    alice, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    queued = []
    monkeypatch.setattr(mail.mail_send_task, "apply_async", lambda args, **kw: queued.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        _send([alice])
    assert queued == [("Homeshore: Your statement is ready", queued[0][1], [alice.email])]
    assert Notification.objects.filter(recipient=alice).exists()


def test_the_bell_shows_the_unread_count_in_one_query(client, alice, bob):
    _send([alice, bob])
    _send([alice])
    client.force_login(alice)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("agents:home")).content.decode()
    assert 'aria-label="Notifications, 2 unread"' in page
    assert len([q for q in queries if "accounts_notification" in q["sql"]]) == 1


def test_the_list_shows_only_the_users_own(client, alice, bob):
    _send([bob])
    notification_send(users=[alice], kind=Kind.PAYOUT_PAID, title="Alice's payout is paid")
    client.force_login(alice)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "Alice&#x27;s payout is paid" in page and "Your statement" not in page


def test_marking_another_users_notification_read_is_a_404(client, alice, bob):
    _send([bob])
    theirs = Notification.objects.get(recipient=bob)
    client.force_login(alice)
    assert client.post(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_opening_one_marks_it_read_and_goes_to_its_page_by_post_only(client, alice):
    _send([alice])
    mine = Notification.objects.get()
    client.force_login(alice)
    url = reverse("notifications:open", args=[mine.pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302 and response.url == "/agent/earnings/"
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_mark_all_read_reads_only_the_users_own(client, alice, bob):
    _send([alice, bob])
    client.force_login(alice)
    assert client.post(reverse("notifications:read_all")).status_code == 302
    assert (notifications_unread_count(user=alice), notifications_unread_count(user=bob)) == (0, 1)


def test_the_pages_need_a_csrf_token_and_a_sign_in(alice):
    from django.test import Client

    _send([alice])
    strict = Client(enforce_csrf_checks=True)
    assert strict.get(reverse("notifications:list")).status_code == 302  # to the login
    strict.force_login(alice)
    assert strict.post(reverse("notifications:read_all")).status_code == 403
    assert notifications_unread_count(user=alice) == 1


def test_the_settings_page_offers_the_kinds_of_the_users_role(client, alice, carol):
    client.force_login(alice)
    page = client.get(reverse("notifications:settings")).content.decode()
    assert Kind.STATEMENT_READY.label in page and Kind.INVOICE_ISSUED.label not in page
    # Everything unticked but the statements' email; an invoice kind posted by hand is ignored.
    client.post(
        reverse("notifications:settings"),
        {"email_statement_ready": "on", "email_invoice_issued": "on"},
    )
    stored = dict(
        NotificationSetting.objects.filter(user=alice).values_list("kind", "page").distinct()
    )
    assert stored[Kind.STATEMENT_READY] is False and Kind.INVOICE_ISSUED not in stored
    agent_kinds = [k for k, roles in KIND_ROLES.items() if "agent" in roles]
    assert len(stored) == len(agent_kinds) == 8  # every agent kind (issue 19: taken off duty)
    client.force_login(carol)
    page = client.get(reverse("notifications:settings")).content.decode()
    assert Kind.INVOICE_ISSUED.label in page and Kind.STATEMENT_READY.label not in page


def test_the_demo_seed_writes_the_rows_but_mails_nobody(
    alice, mailoutbox, django_capture_on_commit_callbacks
):
    from accounts.notifications import notifications_quiet

    with django_capture_on_commit_callbacks(execute=True), notifications_quiet():
        _send([alice])
    assert mailoutbox == [] and notifications_unread_count(user=alice) == 1


def test_a_crowd_is_mailed_by_tasks_one_message_a_recipient(
    mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    from accounts import notifications
    from tests.factories import UserFactory

    monkeypatch.setattr(notifications, "MAIL_CHUNK", 10)
    sent = []
    task = notifications.notifications_mail_task
    monkeypatch.setattr(task, "delay", lambda *args: sent.append(args) or task.apply(args))
    crowd = [UserFactory() for _ in range(notifications.MAIL_INLINE + 1)]
    with django_capture_on_commit_callbacks(execute=True):
        _send(crowd)
    assert [len(addresses) for _subject, _text, addresses in sent] == [10, 10, 6]
    assert sorted(m.to[0] for m in mailoutbox) == sorted(u.email for u in crowd)
    assert {len(m.to) for m in mailoutbox} == {1}


@pytest.mark.parametrize("count", [2, 7])
def test_the_list_costs_the_same_queries_however_many(
    client, alice, count, django_assert_num_queries
):
    for _ in range(count):
        _send([alice])
    client.force_login(alice)
    client.get(reverse("notifications:list"))
    # Session, user, the page's rows (by cursor: no count), the bell.
    with django_assert_num_queries(4):
        page = client.get(reverse("notifications:list")).content.decode()
    assert page.count("Your statement is ready") == count
