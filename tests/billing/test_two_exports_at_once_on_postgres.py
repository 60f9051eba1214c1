"""Two finance users export the same run's NEFT file at the same moment: one file is made,
the other export is refused (the runs are locked before the "already in a bank file" check)."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from billing import exports
from billing.models import PayoutExport
from common.errors import ApplicationError
from tests.billing.exporting import INDIAN_ACCOUNT, approved_run, bank
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_neft_exports_of_one_run_at_once_make_one_file(alice, acme, monkeypatch):
    bank(alice, account=INDIAN_ACCOUNT, ifsc="SBIN0001234")
    run = approved_run(acme, (alice, "28.00"))
    finance = [UserFactory(role="finance") for _ in range(2)]
    first_inside = threading.Event()
    audit = exports.export_audit

    def slow_audit(**kwargs):
        # The first export holds its transaction open here, its record written but not
        # committed: without the lock, the second would now pass the check.
        record = audit(**kwargs)
        if not first_inside.is_set():
            first_inside.set()
            time.sleep(1.0)
        return record

    monkeypatch.setattr(exports, "export_audit", slow_audit)

    def export(actor, wait: bool):
        if wait:
            first_inside.wait(5)
        try:
            return exports.payout_export_record(actor=actor, format="neft", run=run)
        except ApplicationError as error:
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(export, finance[0], False), pool.submit(export, finance[1], True)]
        results = [future.result(timeout=30) for future in futures]
    assert isinstance(results[0], PayoutExport)
    assert isinstance(results[1], ApplicationError)
    assert "already in a bank file" in results[1].message
    assert PayoutExport.objects.count() == 1
