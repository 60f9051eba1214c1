"""The demo shows this issue's finance pages with content: Kaveri's fixed-fee plan, one open
and one answered statement query on an unpaid statement, each audited."""

import pytest

from billing.models import Dispute, FixedFeePlan
from common.models import AuditRecord

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def seeded(demo_twice: str) -> str:
    return demo_twice  # tests/demo/seeded/conftest.py: the package's seed, seeded again


def test_a_complete_bpo_demo_firm_has_a_fixed_fee_plan():
    plan = FixedFeePlan.objects.select_related("firm").get()
    assert plan.firm.engagement_type == "complete" and plan.fee > 0


def test_the_demo_has_one_open_and_one_answered_query_on_an_unpaid_statement():
    disputes = Dispute.objects.select_related("payout").order_by("pk")
    assert [d.status for d in disputes] == ["open", "answered"]
    assert {d.payout.status for d in disputes} <= {"draft", "approved"}
    assert disputes[0].transaction is not None and disputes[1].transaction is None
    assert AuditRecord.objects.filter(action="dispute_opened").count() == 2
    assert AuditRecord.objects.filter(action="dispute_answered").count() == 1
