"""Finance sets a complete-BPO firm's fixed-fee plan on its own page: bounded by the model,
audited, applying from the first period not yet invoiced and never to an issued invoice."""

from decimal import Decimal

import pytest
from django.urls import reverse

from billing.models import FixedFeePlan, Invoice
from billing.periods import period_end, period_start
from billing.plans import fee_plan_set
from billing.selectors import fee_plan_applies_from
from common.errors import ApplicationError, NotAllowed
from common.models import AuditRecord
from tests.billing.factories import last_month, ledger_row, settle

TERMS = {"fee": "90000", "included_calls": "100", "overage_per_call": "25", "currency": "INR"}


def _post(client, firm, **changes):
    return client.post(reverse("finance:plan", args=[firm.pk]), TERMS | changes)


def test_fiona_creates_a_plan_for_a_complete_bpo_firm_and_it_is_audited(client, fiona, globex):
    client.force_login(fiona)
    response = _post(client, globex)
    assert response.status_code == 302 and response.url == reverse("finance:plans")
    plan = FixedFeePlan.objects.get(firm=globex)
    assert (plan.fee, plan.included_calls, plan.overage_per_call) == (90000, 100, 25)
    assert plan.applies_from == fee_plan_applies_from() and plan.updated_by == fiona
    record = AuditRecord.objects.about(globex).get(action="fee_plan_set")
    assert record.actor == fiona and record.before is None
    assert record.after == {
        "fee": "90000.00",
        "included_calls": "100",
        "overage_per_call": "25.00",
        "currency": "INR",
    }
    listing = client.get(reverse("finance:plans")).content.decode()
    assert "Globex Telecom" in listing and "₹90,000.00" in listing


def test_unlimited_calls_store_no_volume_and_no_overage(client, fiona, globex):
    client.force_login(fiona)
    _post(client, globex, unlimited="on", included_calls="", overage_per_call="12")
    plan = FixedFeePlan.objects.get(firm=globex)
    assert (plan.included_calls, plan.overage_per_call) == (None, 0)


def test_saving_the_same_terms_again_writes_no_second_record(client, fiona, globex):
    client.force_login(fiona)
    _post(client, globex)
    _post(client, globex)
    _post(client, globex, fee="95000")
    records = AuditRecord.objects.about(globex).filter(action="fee_plan_set")
    assert records.count() == 2
    assert (
        records.first().before["fee"] == "90000.00" and records.first().after["fee"] == "95000.00"
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"fee": "-1"}, "fee"),
        ({"fee": "100000001"}, "fee"),
        ({"included_calls": "10000001"}, "included_calls"),
        ({"included_calls": ""}, "included_calls"),
        ({"overage_per_call": "100001"}, "overage_per_call"),
        ({"currency": "XYZ"}, "currency"),
    ],
)
def test_terms_out_of_the_models_bounds_are_form_errors(client, fiona, globex, changes, field):
    client.force_login(fiona)
    response = _post(client, globex, **changes)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not FixedFeePlan.objects.exists() and not AuditRecord.objects.exists()


def test_a_partial_bpo_firm_cannot_have_a_plan(client, fiona, acme):
    client.force_login(fiona)
    page = client.get(reverse("finance:plan", args=[acme.pk])).content.decode()
    assert "cannot have a fixed-fee plan" in page and "<form" not in page.split("<main")[1]
    response = _post(client, acme)
    assert (
        response.status_code == 400 and "cannot have a fixed-fee plan" in response.content.decode()
    )
    with pytest.raises(ApplicationError, match="partial-BPO"):
        fee_plan_set(actor=fiona, firm=acme, **_terms())
    assert not FixedFeePlan.objects.exists()


def _terms():
    return {
        "fee": Decimal("1000"),
        "included_calls": None,
        "overage_per_call": Decimal(0),
        "currency": "INR",
    }


@pytest.mark.parametrize("persona", ["alice", "dave", "victor"])
def test_only_finance_sets_a_plan_even_past_the_page(request, persona, globex):
    with pytest.raises(NotAllowed):
        fee_plan_set(actor=request.getfixturevalue(persona), firm=globex, **_terms())


@pytest.mark.parametrize("persona", ["alice", "dave", "victor"])
def test_other_roles_are_refused_the_plan_pages(client, request, persona, globex):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("finance:plans")).status_code == 403
    assert _post(client, globex).status_code == 403


def test_a_change_applies_from_the_first_period_not_invoiced_and_leaves_issued_invoices(
    client, fiona, globex, bob
):
    client.force_login(fiona)
    _post(client, globex, fee="1000", included_calls="", unlimited="on")
    ledger_row(bob, globex, day=last_month())
    issued = settle("firms", last_month()).invoices.get()
    assert issued.total == 1000
    start = period_start("firms", last_month())
    assert fee_plan_applies_from() == period_end("firms", start)  # the month after
    page = client.get(reverse("finance:plan", args=[globex.pk])).content.decode()
    assert "applies from" in page
    _post(client, globex, fee="2000", included_calls="", unlimited="on")
    issued.refresh_from_db()
    assert issued.total == 1000 and [line.amount for line in issued.lines.all()] == [1000]
    assert FixedFeePlan.objects.get().applies_from == period_end("firms", start)
    assert Invoice.objects.count() == 1


def test_with_no_run_yet_a_plan_applies_from_the_period_the_first_run_settles(db):
    import datetime as dt

    today = dt.date(2026, 12, 1)
    assert fee_plan_applies_from(today=today) == dt.date(2026, 11, 1)
    assert fee_plan_applies_from(today=dt.date(2026, 12, 15)) == dt.date(2026, 12, 1)


def test_a_run_claimed_but_not_done_is_the_period_a_change_applies_from(fiona, globex, bob):
    from billing.settlement import run_claim, run_execute, run_open

    ledger_row(bob, globex, day=last_month())
    run = run_open(kind="firms", day=last_month())
    run_claim(run_id=run.pk)  # a worker holds it; it has not executed yet
    plan = fee_plan_set(actor=fiona, firm=globex, **_terms())
    assert plan.applies_from == run.period_start
    run_execute(run_id=run.pk)
    assert run.invoices.get().total == 1000  # the run read the terms it was told it would
