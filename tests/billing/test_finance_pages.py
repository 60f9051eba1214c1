"""Finance pages: run a settlement, watch it, approve, adjust and mark paid. Finance only."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from billing.models import Adjustment, Invoice, Payout
from billing.periods import open_period
from billing.settlement import progress_key, run_open
from billing.staff_forms import last_ended_day
from common.models import AuditRecord
from tests.billing.factories import last_month, last_week, ledger_row, settle
from tests.factories import AgentProfileFactory

ACCOUNT = "123456789012"
# session, user, authenticator, page (by cursor: no count), run choices, left out, the bell
QUERIES = 7


@pytest.fixture
def settled(alice, acme):
    """Alice's payout of last week and acme's invoice of last month; alice banks in India."""
    profile = alice.agent_profile
    profile.bank_holder_name, profile.bank_ifsc = "Alice Agent", "SBIN0001234"
    profile.bank_account, profile.bank_account_last4 = ACCOUNT, ACCOUNT[-4:]
    profile.save()
    ledger_row(alice, acme, agent_amount="28.00", client_amount="40.00", day=last_week())
    month = last_month().replace(day=1)  # never in last week's week, whatever today is
    ledger_row(alice, acme, agent_amount="10.00", client_amount="15.00", day=month)
    payout = settle("agents", last_week()).payouts.get()
    return payout, settle("firms", month).invoices.get()


PAGES = [
    ("home", None),
    ("run", "run"),
    ("run_progress", "run"),
    ("payouts", None),
    ("payout", "payout"),
    ("invoices", None),
    ("invoice", "invoice"),
]
ACTIONS = [
    ("payouts_approve", None),
    ("export", None),
    ("payout_adjust", "payout"),
    ("payout_paid", "payout"),
    ("invoice_adjust", "invoice"),
    ("invoice_paid", "invoice"),
]


def urls(names: list, payout: Payout, invoice: Invoice) -> list[str]:
    pks = {"run": payout.run_id, "payout": payout.pk, "invoice": invoice.pk}
    return [reverse(f"finance:{name}", args=[pks[of]] if of else []) for name, of in names]


@pytest.mark.parametrize("persona", ["alice", "carol", "victor"])
def test_other_roles_are_refused_every_finance_url(client, request, persona, settled):
    client.force_login(request.getfixturevalue(persona))
    for url in urls(PAGES + ACTIONS, *settled):
        assert client.post(url).status_code == 403, url
        assert client.get(url).status_code == 403, url
    assert not AuditRecord.objects.filter(action__in=["export", "payout_approved"]).exists()


def test_a_visitor_is_sent_to_sign_in(client, settled):
    for url in urls(PAGES + ACTIONS, *settled):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response.url, url


def test_fiona_opens_every_page_and_sees_the_margin_but_never_the_account(client, fiona, settled):
    client.force_login(fiona)
    for url in urls(PAGES, *settled):
        response = client.get(url)
        assert response.status_code == 200, url
        assert ACCOUNT not in response.content.decode(), url
    assert "12.00" in client.get(reverse("finance:payout", args=[settled[0].pk])).content.decode()
    home = client.get(reverse("finance:home")).content.decode()
    assert f'value="{last_ended_day():%Y-%m-%d}"' in home  # ISO, as <input type=date> needs


def test_a_run_started_from_the_page_completes_and_shows_its_totals(
    client, fiona, alice, acme, request
):
    # Inline, even where a broker is configured: this test's data is not committed, so a
    # worker could not see it (the browser test covers the real worker).
    from billing.tasks import settlement_execute_task

    conf = settlement_execute_task.app.conf
    eager = conf.task_always_eager
    conf.task_always_eager = True
    request.addfinalizer(lambda: setattr(conf, "task_always_eager", eager))
    ledger_row(alice, acme, agent_amount="28.00", client_amount="40.00", day=last_week())
    client.force_login(fiona)
    response = client.post(reverse("finance:home"), {"kind": "agents", "day": last_week()})
    payout = Payout.objects.select_related("run").get()
    assert response.url == reverse("finance:run", args=[payout.run_id])
    assert (payout.run.status, payout.run.total, payout.gross) == ("done", 28, 28)
    assert payout.run.task_id
    page = client.get(response.url).content.decode()
    assert "Alice Agent" in page and "28.00" in page and "12.00" in page  # margin 40 - 28


def test_a_period_that_has_not_ended_is_a_form_error(client, fiona):
    client.force_login(fiona)
    response = client.post(reverse("finance:home"), {"kind": "firms", "day": timezone.localdate()})
    assert response.status_code == 200 and "has not ended" in response.content.decode()


def test_the_progress_partial_polls_while_running_and_stops_when_done(client, fiona, alice, acme):
    ledger_row(alice, acme, day=last_week())
    run = run_open(kind="agents", day=last_week())
    cache.set(progress_key(run.pk), {"progress": 45, "step": "Summing"})
    client.force_login(fiona)
    url = reverse("finance:run_progress", args=[run.pk])
    body = client.get(url).content.decode()
    assert "<progress" in body and 'value="45"' in body and 'hx-trigger="every 1s"' in body
    settle("agents", last_week())
    response = client.get(url, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert 'value="100"' in body and "hx-trigger" not in body and response["HX-Refresh"] == "true"


def test_an_adjustment_from_the_payout_page_lands_in_the_open_period(client, fiona, settled):
    payout = settled[0]
    client.force_login(fiona)
    url = reverse("finance:payout_adjust", args=[payout.pk])
    response = client.post(url, {"amount": "-5.50", "reason": "Disputed call"}, follow=True)
    adjustment = Adjustment.objects.get()
    assert (adjustment.agent, adjustment.amount, adjustment.actor) == (payout.agent, -5.5, fiona)
    assert adjustment.period == open_period("agents", timezone.localdate()) > last_week()
    assert AuditRecord.objects.filter(action="adjustment", reason="Disputed call")
    assert "lands in the next open period" in response.content.decode()


@pytest.mark.parametrize(
    ("amount", "reason", "error"),
    [
        ("5", "  ", "This field is required"),
        ("0", "Oops", "cannot be zero"),
        ("0.001", "Oops", "Ensure that there are no more than 2 decimal places"),
    ],
)
def test_an_adjustment_needs_a_reason_and_an_amount(client, fiona, settled, amount, reason, error):
    client.force_login(fiona)
    url = reverse("finance:invoice_adjust", args=[settled[1].pk])
    response = client.post(url, {"amount": amount, "reason": reason})
    assert response.status_code == 400 and error in response.content.decode()
    assert not Adjustment.objects.exists()


def test_a_payout_is_approved_then_marked_paid_each_step_recorded(client, fiona, settled):
    payout = settled[0]
    client.force_login(fiona)
    paid = reverse("finance:payout_paid", args=[payout.pk])
    response = client.post(paid)
    assert response.status_code == 409 and "Only an approved payout" in response.content.decode()
    client.post(reverse("finance:payouts_approve"), {"payout": [payout.pk]})
    payout.refresh_from_db()
    assert (payout.status, payout.approved_by) == ("approved", fiona)
    assert client.post(paid).status_code == 302
    payout.refresh_from_db()
    assert payout.status == "paid" and payout.paid_at
    actions = AuditRecord.objects.about(payout).filter(actor=fiona)
    assert sorted(actions.values_list("action", flat=True)) == ["payout_approved", "payout_paid"]


def test_an_invoice_is_marked_paid_once(client, fiona, settled):
    client.force_login(fiona)
    url = reverse("finance:invoice_paid", args=[settled[1].pk])
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 409
    assert Invoice.objects.get().status == "paid"
    assert AuditRecord.objects.filter(action="invoice_paid").count() == 1


def test_the_payouts_list_takes_a_fixed_number_of_queries(
    client, fiona, alice, bob, acme, django_assert_num_queries
):
    for agent in (alice, bob, AgentProfileFactory()):
        ledger_row(agent, acme, day=last_week())
    settle("agents", last_week())
    client.force_login(fiona)
    with django_assert_num_queries(QUERIES):
        response = client.get(reverse("finance:payouts"), {"status": "draft"})
    assert response.status_code == 200 and response.content.decode().count('name="payout"') == 3
