import re
from pathlib import Path

import pytest
from django.conf import settings

from billing.models import Payout
from common.models import AuditRecord
from tests.billing.factories import last_week, ledger_row
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.conftest import STAFF_TOTP_SECRET, totp_now
from tests.factories import verified_agent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_finance_runs_a_settlement_watches_it_finish_approves_and_downloads_the_csv(
    page, live_server, fiona, acme, request
):
    if settings.CELERY_BROKER_URL:
        request.getfixturevalue("celery_worker")  # with a broker, a real worker runs the task
    meera = verified_agent("meera@example.com", full_name="Meera Shenoy")
    for amount in ("28.00", "31.50", "9.60"):
        ledger_row(meera, acme, agent_amount=amount, client_amount="40.00", day=last_week())
    url = live_server.url

    sign_in(page, url, fiona.email)
    page.get_by_label("Code:", exact=True).fill(totp_now(STAFF_TOTP_SECRET))
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"/staff/finance/$"))

    page.get_by_label("Settle:").select_option("agents")
    page.get_by_label("A day in the period:").fill(last_week().isoformat())
    page.get_by_role("button", name="Run settlement").click()
    page.wait_for_url(re.compile(r"/staff/finance/runs/\d+/$"))
    page.locator("progress").first.wait_for()
    page.locator("#run-progress-bar[value='100']").wait_for(timeout=60_000)  # bar at 100%
    assert "69.10" in page.content()  # 28.00 + 31.50 + 9.60

    page.get_by_role("link", name="Payouts", exact=True).click()
    page.get_by_label("Approve Meera Shenoy's payout").check()
    page.get_by_role("button", name="Approve ticked payouts").click()
    page.locator(".badge-approved").first.wait_for()
    assert Payout.objects.get().status == "approved"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "finance_payouts_page.png"), full_page=True)

    # The export is built in the background: its page shows the progress, then the link.
    page.get_by_role("button", name="CSV").click()
    page.wait_for_url(re.compile(r"/staff/finance/exports/\d+/$"))
    download = page.get_by_role("button", name=re.compile(r"^Download "))
    download.wait_for(timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "finance_export_ready.png"), full_page=True)
    with page.expect_download() as download_info:
        download.click()
    csv_text = Path(download_info.value.path()).read_text(encoding="utf-8")
    assert "Meera Shenoy" in csv_text and "62.19" in csv_text  # net after 10% TDS (6.91)
    assert AuditRecord.objects.filter(action="export").exists()
