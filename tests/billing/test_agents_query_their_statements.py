"""Statement queries: before payday (the payout not yet paid) an agent queries a line of their
statement or all of it; finance answers with a reply or an adjustment that closes the query;
both see the thread; every step is audited; an agent reaches only their own."""

from decimal import Decimal

import pytest
from django.db import IntegrityError
from django.urls import reverse

from billing.disputes import dispute_answer, dispute_follow_up, dispute_open
from billing.models import Adjustment, Dispute
from billing.payouts import payout_approve, payout_mark_paid
from billing.selectors import payout_transactions
from common.errors import ConflictError, NotAllowed
from common.models import AuditRecord
from tests.billing.factories import last_week, ledger_row, settle


@pytest.fixture
def statements(alice, bob, acme):
    """Last week's payouts of alice (two calls) and bob (one)."""
    ledger_row(alice, acme, agent_amount="28.00", day=last_week())
    ledger_row(alice, acme, agent_amount="17.50", day=last_week())
    ledger_row(bob, acme, agent_amount="23.45", day=last_week())
    payouts = settle("agents", last_week()).payouts.select_related("agent__user")
    return {p.agent.user: p for p in payouts}


def _line(payout):
    return payout_transactions(payout=payout).order_by("pk").first()


def test_alice_queries_a_line_and_fiona_answers_on_the_payout_page(
    client, alice, fiona, statements
):
    payout = statements[alice]
    client.force_login(alice)
    url = reverse("earnings:statement_query", args=[payout.pk])
    form = client.get(url, {"line": _line(payout).pk}).content.decode()
    assert "₹17.50" in form and "The statement as a whole" in form
    response = client.post(url, {"line": _line(payout).pk, "body": "Was this call 2 minutes?"})
    dispute = Dispute.objects.get()
    assert response.url.endswith(f"#query-{dispute.pk}")
    assert (dispute.status, dispute.transaction, dispute.opened_by) == (
        "open",
        _line(payout),
        alice,
    )
    mine = client.get(reverse("earnings:statement", args=[payout.pk])).content.decode()
    assert "Was this call 2 minutes?" in mine and "Waiting for finance" in mine

    client.force_login(fiona)
    page = client.get(reverse("finance:payout", args=[payout.pk])).content.decode()
    assert "Was this call 2 minutes?" in page
    queue = client.get(reverse("finance:disputes")).content.decode()
    assert f"Query {dispute.pk}" in queue
    answer = reverse("finance:dispute_answer", args=[dispute.pk])
    client.post(answer, {"body": "Yes: 60 s were billed, 120 s talked. Corrected."})
    dispute.refresh_from_db()
    assert dispute.status == "answered" and not Adjustment.objects.exists()

    client.force_login(alice)
    mine = client.get(reverse("earnings:statement", args=[payout.pk])).content.decode()
    assert "Corrected." in mine and "Finance" in mine


def test_an_adjustment_goes_through_the_ledger_and_closes_the_query(alice, fiona, statements):
    payout = statements[alice]
    dispute = dispute_open(
        actor=alice, payout_id=payout.pk, transaction_id=_line(payout).pk, body="Too little"
    )
    dispute_answer(actor=fiona, dispute_id=dispute.pk, body="Paid short", amount=Decimal("5.25"))
    dispute.refresh_from_db()
    adjustment = Adjustment.objects.get()
    assert dispute.status == "closed" and dispute.closed_at is not None
    assert (adjustment.agent, adjustment.amount, adjustment.transaction) == (
        payout.agent,
        Decimal("5.25"),
        _line(payout),
    )
    assert dispute.messages.last().adjustment == adjustment
    actions = list(AuditRecord.objects.order_by("pk").values_list("action", flat=True))
    assert actions[-3:] == ["dispute_opened", "adjustment", "dispute_closed"]
    with pytest.raises(ConflictError, match="closed"):
        dispute_follow_up(actor=alice, dispute_id=dispute.pk, body="Thanks")


def test_every_step_is_audited_without_the_message_text(alice, fiona, statements):
    payout = statements[alice]
    dispute = dispute_open(actor=alice, payout_id=payout.pk, body="Whole week looks short")
    dispute_answer(actor=fiona, dispute_id=dispute.pk, body="It matches your calls")
    dispute_follow_up(actor=alice, dispute_id=dispute.pk, body="Please look again")
    dispute_answer(actor=fiona, dispute_id=dispute.pk, body="Checked again", close=True)
    records = AuditRecord.objects.about(dispute).order_by("pk")
    assert [(r.action, r.actor) for r in records] == [
        ("dispute_opened", alice),
        ("dispute_answered", fiona),
        ("dispute_followed_up", alice),
        ("dispute_closed", fiona),
    ]
    assert all("look" not in str(r.detail) for r in records)
    assert [m.kind for m in dispute.messages.all()] == ["query", "reply", "query", "reply"]


def test_one_live_query_per_line_and_per_statement(alice, statements):
    payout = statements[alice]
    line = _line(payout).pk
    dispute_open(actor=alice, payout_id=payout.pk, transaction_id=line, body="One")
    dispute_open(actor=alice, payout_id=payout.pk, body="Whole")
    with pytest.raises(ConflictError, match="already queried this line"):
        dispute_open(actor=alice, payout_id=payout.pk, transaction_id=line, body="Two")
    with pytest.raises(ConflictError, match="already queried this statement"):
        dispute_open(actor=alice, payout_id=payout.pk, body="Again")
    with pytest.raises(IntegrityError):  # the constraint, past the service
        Dispute.objects.create(payout=payout, transaction_id=line, opened_by=alice)


def test_no_query_once_paid(client, alice, fiona, statements):
    payout = statements[alice]
    dispute = dispute_open(actor=alice, payout_id=payout.pk, body="Before payday")
    payout_approve(actor=fiona, payout_ids=[payout.pk])
    dispute_open(actor=alice, payout_id=payout.pk, transaction_id=_line(payout).pk, body="Ok")
    payout_mark_paid(actor=fiona, payout_id=payout.pk)
    with pytest.raises(ConflictError, match="queries close on payday"):
        dispute_open(actor=alice, payout_id=payout.pk, body="After payday")
    with pytest.raises(ConflictError, match="queries close on payday"):
        dispute_follow_up(actor=alice, dispute_id=dispute.pk, body="After payday")
    client.force_login(alice)
    url = reverse("earnings:statement_query", args=[payout.pk])
    response = client.post(url, {"body": "After payday"})
    assert response.status_code == 400 and "queries close on payday" in response.content.decode()
    opened = client.get(url)  # the form itself is not offered once paid
    assert opened.url == reverse("earnings:statement", args=[payout.pk])
    page = client.get(reverse("earnings:statement", args=[payout.pk])).content.decode()
    assert "Queries close on payday" in page and 'name="body"' not in page
    # Finance may still answer what was asked before payday
    dispute_answer(actor=fiona, dispute_id=dispute.pk, body="Answered after payday")


def test_another_agents_statement_and_query_are_404(client, alice, bob, statements):
    theirs = statements[bob]
    dispute = dispute_open(actor=bob, payout_id=theirs.pk, body="Bob's own question")
    client.force_login(alice)
    assert client.get(reverse("earnings:statement_query", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("earnings:statement_query", args=[theirs.pk])).status_code == 404
    reply = reverse("earnings:dispute_reply", args=[dispute.pk])
    assert client.post(reply, {"body": "Hijack"}).status_code == 404
    mine = reverse("earnings:statement", args=[statements[alice].pk])
    assert "Bob's own question" not in client.get(mine).content.decode()
    assert dispute.messages.count() == 1


def test_a_line_of_another_statement_is_refused(client, alice, bob, statements):
    other_line = _line(statements[bob]).pk
    with pytest.raises(Exception, match="Choose a line of this statement"):
        dispute_open(
            actor=alice, payout_id=statements[alice].pk, transaction_id=other_line, body="?"
        )
    client.force_login(alice)
    url = reverse("earnings:statement_query", args=[statements[alice].pk])
    response = client.post(url, {"line": other_line, "body": "?"})
    assert response.status_code == 400 and not Dispute.objects.exists()


def test_roles_are_checked_in_the_services(alice, bob, fiona, victor, statements):
    with pytest.raises(NotAllowed):
        dispute_open(actor=bob, payout_id=statements[alice].pk, body="Not mine")
    with pytest.raises(NotAllowed):
        dispute_open(actor=fiona, payout_id=statements[alice].pk, body="Staff")
    dispute = dispute_open(actor=alice, payout_id=statements[alice].pk, body="Mine")
    for not_finance in (alice, bob, victor):
        with pytest.raises(NotAllowed):
            dispute_answer(actor=not_finance, dispute_id=dispute.pk, body="Self-service")
    with pytest.raises(NotAllowed):
        dispute_follow_up(actor=bob, dispute_id=dispute.pk, body="Not mine")


@pytest.mark.parametrize("persona", ["alice", "carol", "victor"])
def test_other_roles_are_refused_the_finance_query_pages(client, request, persona, statements):
    dispute = dispute_open(
        actor=request.getfixturevalue("alice"),
        payout_id=statements[request.getfixturevalue("alice")].pk,
        body="?",
    )
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("finance:disputes")).status_code == 403
    answer = reverse("finance:dispute_answer", args=[dispute.pk])
    assert client.post(answer, {"body": "x"}).status_code == 403


def test_finance_lists_open_queries_by_cursor(client, fiona, alice, bob, statements, settings):
    import billing.staff_views as views

    settings_size = views.DISPUTE_PAGES.size
    views.DISPUTE_PAGES.size = 1
    try:
        first = dispute_open(actor=alice, payout_id=statements[alice].pk, body="First")
        second = dispute_open(actor=bob, payout_id=statements[bob].pk, body="Second")
        client.force_login(fiona)
        page = client.get(reverse("finance:disputes"))
        assert [d.pk for d in page.context["page"]] == [first.pk]
        following = client.get(
            reverse("finance:disputes"), {"cursor": page.context["page"].next_cursor}
        )
        assert [d.pk for d in following.context["page"]] == [second.pk]
        dispute_answer(actor=fiona, dispute_id=first.pk, body="Done", close=True)
        still_open = client.get(reverse("finance:disputes")).context["page"]
        assert [d.pk for d in still_open] == [second.pk]
        closed = client.get(reverse("finance:disputes"), {"status": "closed"}).context["page"]
        assert [d.pk for d in closed] == [first.pk]
    finally:
        views.DISPUTE_PAGES.size = settings_size


def test_the_queue_and_the_payout_page_cost_the_same_queries_whatever_they_show(
    client, alice, bob, fiona, statements
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    payout = statements[alice]
    first = dispute_open(actor=alice, payout_id=payout.pk, body="One")
    dispute_answer(actor=fiona, dispute_id=first.pk, body="Adjusted", amount=Decimal("1"))
    client.force_login(fiona)
    urls = [reverse("finance:disputes"), reverse("finance:payout", args=[payout.pk])]
    with CaptureQueriesContext(connection) as few:
        for url in urls:
            client.get(url, {"status": ""})
    dispute_open(actor=alice, payout_id=payout.pk, transaction_id=_line(payout).pk, body="Two")
    dispute_open(actor=bob, payout_id=statements[bob].pk, body="Three")
    second = dispute_open(actor=alice, payout_id=payout.pk, body="Four")
    dispute_answer(actor=fiona, dispute_id=second.pk, body="Adjusted", amount=Decimal("2"))
    with CaptureQueriesContext(connection) as many:
        for url in urls:
            client.get(url, {"status": ""})
    assert len(many) == len(few)
