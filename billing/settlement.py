"""Settlement runs: a period's ledger rows become payouts (agents) or invoices (firms).

Set-based: the period's transactions are read once, by one CREATE TABLE … AS SELECT …
GROUP BY into a temporary table of sums; each later step is one INSERT … SELECT over those
sums — no Python loop over transactions. Safe to repeat:
- a run is claimed first (its own short transaction): `closed_at` is set under the kind's
  SettlementLock FOR UPDATE, so ledger writers (who hold it FOR SHARE) put later rows into
  the next period — the run's rows are fixed from then on;
- the claim takes the run's lease by compare-and-set: a second task finds it held and leaves
  the run alone (LeaseHeld); a lease that expired (its worker died) is taken back by the
  sweep (billing.runs);
- the run is then executed in one transaction that starts by locking the run row: any other
  executor waits there and finds the run done; a worker killed mid-run rolls everything back
  and the retry starts clean; `ON CONFLICT DO NOTHING` on (run, agent/firm, currency) and the
  unique run per (kind, period) back this up.

Money stays exact on both databases: sums are taken in minor units (paise) as integers, and
withholding tax is rounded half up in integer arithmetic: (gross x rate_bp + 5000) // 10000.
"""

import datetime as dt
import logging
from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import User
from billing import notices
from billing.invoicing import invoices_emit, invoices_issue
from billing.models import (
    CAMPAIGN_EMAIL_LINE,
    CONVERSATION_LINE,
    INBOUND_LINE,
    OUTBOUND_LINE,
    Channel,
    Invoice,
    Payout,
    SettlementLock,
    SettlementRun,
)
from billing.periods import period_end, period_start
from clients.models import ClientFirm
from common.audit import audit_log
from common.dates import period_label
from common.errors import ApplicationError, ConflictError
from common.models import AuditAction
from common.money import quantize
from routing.models import Call

logger = logging.getLogger(__name__)
Kind = SettlementRun.Kind
WORK_MEM = "64MB"  # per sort or hash of a run's statements (PostgreSQL), for its transaction
Status = SettlementRun.Status
Report = Callable[[int, str], None]


def progress_key(run_id: int) -> str:
    return f"billing:run:{run_id}:progress"


def run_open(*, kind: str, day: dt.date, user: User | None = None) -> SettlementRun:
    """The run for the period containing `day` (created once). Only ended periods."""
    start = period_start(kind, day)
    end = period_end(kind, start)
    if end > timezone.localdate():
        raise ApplicationError(
            f"The period {period_label(start, end)} has not ended: settle it from {end:%d %b %Y}.",
            field="day",
        )
    run, created = SettlementRun.objects.get_or_create(
        kind=kind, period_start=start, defaults={"period_end": end, "requested_by": user}
    )
    if created:
        audit_log(
            actor=user,
            action=AuditAction.RUN_OPENED,
            target=run,
            kind=kind,
            period_start=str(start),
        )
    return run


class LeaseHeld(ConflictError):
    """Another worker holds the run's lease: this delivery of the task leaves it alone."""


def lease_seconds() -> dt.timedelta:
    return dt.timedelta(seconds=settings.SETTLEMENT_LEASE_SECONDS)


@transaction.atomic
def run_claim(*, run_id: int, holder: str = "", task_id: str = "") -> SettlementRun:
    """Take the run's lease, close its period to new ledger rows, mark it running.

    The lease is taken by compare-and-set: one UPDATE that only matches while nobody else
    holds a live lease (none, expired, or held by this same task: a redelivery or a retry
    of it). A second task finds the lease taken and gets LeaseHeld, instead of queueing
    behind the first on the run row. The claim of a done run changes nothing."""
    now = timezone.now()
    free = Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now)
    if task_id:
        free |= Q(task_id=task_id)
    taken = (
        SettlementRun.objects.filter(free, pk=run_id)
        .exclude(status=Status.DONE)
        .update(
            status=Status.RUNNING,
            lease_holder=holder[:200],
            lease_expires_at=now + lease_seconds(),
            attempts=F("attempts") + 1,
            started_at=now,
            failure_reason="",
            **({"task_id": task_id} if task_id else {}),
        )
    )
    run = SettlementRun.objects.get(pk=run_id)  # locked by our UPDATE, when it matched
    if not taken:
        if run.status == Status.DONE:
            return run
        raise LeaseHeld(
            f"{run.lease_holder or 'Another worker'} holds this run's lease until "
            f"{timezone.localtime(run.lease_expires_at):%H:%M:%S}."
        )
    # Waits for ledger writers holding the lock FOR SHARE (PostgreSQL); they commit into this
    # period first, every later writer sees closed_at and picks the next period.
    SettlementLock.objects.select_for_update().get_or_create(kind=run.kind)
    if run.closed_at is None:
        run.closed_at = now
        run.save(update_fields=["closed_at"])
    return run


def _sql(statement: str, params: dict | list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


# The statuses and kinds the statements write and match, from the models' choices: passed as
# parameters with the run's own (`run`, `period`, `now`), never pasted into the SQL.
VALUES = {
    "outbound": Call.Direction.OUTBOUND,
    "call": Channel.CALL,
    "email": Channel.EMAIL,
    "inbound_line": INBOUND_LINE,
    "outbound_line": OUTBOUND_LINE,
    "conversation_line": CONVERSATION_LINE,
    "campaign_email_line": CAMPAIGN_EMAIL_LINE,
    "conversation_included": f"{CONVERSATION_LINE} (included in the fee)",
    "campaign_email_included": f"{CAMPAIGN_EMAIL_LINE} (included in the fee)",
    "draft": Payout.Status.DRAFT,
    "issued": Invoice.Status.ISSUED,
    "activity": Invoice.Kind.ACTIVITY,
    "fixed": Invoice.Kind.FIXED,
    "partial": ClientFirm.EngagementType.PARTIAL,
    "complete": ClientFirm.EngagementType.COMPLETE,
}

# Each run reads the period's transactions once, into a temporary table of sums in integer
# paise — one row per agent and currency (agents) or per firm, currency and engagement
# (firms): ten thousand rows at 1M transactions — and every later step reads those. On
# PostgreSQL, CREATE TABLE AS may scan in parallel (an INSERT … SELECT may not). The table
# lives inside the run's transaction: a rollback (a killed worker) takes it away too.
SUMS = "billing_settlement_sums"
SUMS_DROP_SQL = f"DROP TABLE IF EXISTS {SUMS}"
AGENT_SUMS_SQL = f"""
CREATE TEMPORARY TABLE {SUMS} AS
SELECT agent_id, currency, COUNT(*) AS calls,
       CAST(ROUND(SUM(agent_amount) * 100) AS BIGINT) AS paise
  FROM billing_transaction WHERE agent_period = %(period)s AND agent_id IS NOT NULL
 GROUP BY agent_id, currency
"""  # noqa: S608 (a constant table name; a campaign email's row pays no agent)
# A campaign email's row has no engagement: its staffing request is its campaign's, joined
# for those rows only (every other row's campaign_email_id is null and matches nothing).
FIRM_SUMS_SQL = f"""
CREATE TEMPORARY TABLE {SUMS} AS
SELECT t.firm_id, t.currency, t.engagement_id, c.request_id AS campaign_request_id, t.channel,
       t.direction, COUNT(*) AS calls, SUM(t.units) AS units,
       CAST(ROUND(SUM(t.client_amount) * 100) AS BIGINT) AS paise
  FROM billing_transaction t
  LEFT JOIN mailroom_campaignemail ce ON ce.id = t.campaign_email_id
  LEFT JOIN mailroom_emailcampaign c ON c.id = ce.campaign_id
 WHERE t.firm_period = %(period)s
 GROUP BY t.firm_id, t.currency, t.engagement_id, c.request_id, t.channel, t.direction
"""  # noqa: S608

# Gross and withholding tax in paise (integers): exact on PostgreSQL and SQLite alike. Each
# transaction counts one call (adjustments none), so the run's count needs no second scan.
PAYOUTS_SQL = f"""
WITH sums AS (
    -- SUM of a BIGINT is NUMERIC on PostgreSQL: cast back, so the tax below divides whole
    SELECT agent_id, currency, CAST(SUM(paise) AS BIGINT) AS g, SUM(calls) AS calls
      FROM (SELECT agent_id, currency, paise, calls FROM {SUMS}
            UNION ALL
            SELECT agent_id, currency, CAST(ROUND(amount * 100) AS BIGINT), 0
              FROM billing_adjustment WHERE period = %(period)s AND agent_id IS NOT NULL) items
     GROUP BY agent_id, currency
), taxed AS (
    SELECT s.agent_id, s.currency, s.g, s.calls, CAST(ROUND(p.tds_rate * 100) AS BIGINT) AS r,
           CASE WHEN s.g > 0
                THEN (s.g * CAST(ROUND(p.tds_rate * 100) AS BIGINT) + 5000) / 10000
                ELSE 0 END AS tds
      FROM sums s JOIN agents_agentprofile p ON p.id = s.agent_id
)
INSERT INTO billing_payout (run_id, agent_id, currency, calls, gross, tds_rate, tds, net, status)
SELECT %(run)s, agent_id, currency, calls, g / 100.0, r / 100.0, tds / 100.0, (g - tds) / 100.0,
       %(draft)s
  FROM taxed WHERE true
ON CONFLICT (run_id, agent_id, currency) DO NOTHING
"""  # noqa: S608

# Billed per activity: partial-BPO firms, and complete-BPO firms without a fixed-fee plan.
PER_ACTIVITY = """(f.engagement_type = %(partial)s
                   OR NOT EXISTS (SELECT 1 FROM billing_fixedfeeplan p WHERE p.firm_id = f.id))"""

ACTIVITY_INVOICES_SQL = f"""
WITH items AS (
    SELECT s.firm_id, s.currency, s.paise
      FROM {SUMS} s JOIN clients_clientfirm f ON f.id = s.firm_id
     WHERE {PER_ACTIVITY}
    UNION ALL
    SELECT a.firm_id, a.currency, CAST(ROUND(a.amount * 100) AS BIGINT)
      FROM billing_adjustment a JOIN clients_clientfirm f ON f.id = a.firm_id
     WHERE a.period = %(period)s AND {PER_ACTIVITY}
)
INSERT INTO billing_invoice (run_id, firm_id, kind, currency, total, status, issued_at)
SELECT %(run)s, firm_id, %(activity)s, currency, SUM(paise) / 100.0, %(issued)s, %(now)s
  FROM items WHERE true GROUP BY firm_id, currency
ON CONFLICT (run_id, firm_id, currency) DO NOTHING
"""  # noqa: S608

# A line per staffing request, channel and direction: answered calls, outbound attempts (a
# campaign's work, priced on the request's outbound rates), handled email conversations and
# campaign emails, each under a description of its own.
LINE_DESCRIPTION = """CASE WHEN s.channel = %(email)s AND s.direction = %(outbound)s
                             THEN %(campaign_email_line)s
                           WHEN s.channel = %(email)s THEN %(conversation_line)s
                           WHEN s.direction = %(outbound)s THEN %(outbound_line)s
                           ELSE %(inbound_line)s END"""
ACTIVITY_LINES_SQL = f"""
INSERT INTO billing_invoiceline (invoice_id, request_id, description, quantity, units, amount)
SELECT i.id, s.request_id, {LINE_DESCRIPTION}, s.calls, s.units, s.paise / 100.0
  FROM (SELECT t.firm_id, t.currency, COALESCE(e.request_id, t.campaign_request_id) AS request_id,
               t.channel, t.direction, SUM(t.calls) AS calls, SUM(t.units) AS units,
               SUM(t.paise) AS paise
          FROM {SUMS} t LEFT JOIN clients_engagement e ON e.id = t.engagement_id
         GROUP BY t.firm_id, t.currency, COALESCE(e.request_id, t.campaign_request_id),
                  t.channel, t.direction) s
  JOIN billing_invoice i ON i.run_id = %(run)s AND i.firm_id = s.firm_id
                        AND i.currency = s.currency AND i.kind = %(activity)s
 WHERE NOT EXISTS (SELECT 1 FROM billing_invoiceline l WHERE l.invoice_id = i.id)
"""  # noqa: S608

# A fixed-fee plan's included calls and overage count calls only. Email activities (handled
# conversations, campaign emails) are included in the fee: listed on the invoice at no charge
# (FIXED_EMAIL_LINES_SQL), never counted toward the included calls nor charged as overage.
# Why: the plan's terms (included_calls, overage_per_call) were agreed for calls; charging
# email under them would price work the firm never agreed a price for, and a complete-BPO
# firm's bargain is one fee for the work we do for it.
FIRM_CALLS = f"""(SELECT firm_id, SUM(calls) AS calls FROM {SUMS}
                  WHERE channel = %(call)s GROUP BY firm_id)"""  # noqa: S608

FIXED_INVOICES_SQL = f"""
INSERT INTO billing_invoice (run_id, firm_id, kind, currency, total, status, issued_at)
SELECT %(run)s, p.firm_id, %(fixed)s, p.currency,
       p.fee + CASE WHEN p.included_calls IS NOT NULL AND COALESCE(c.calls, 0) > p.included_calls
                    THEN (COALESCE(c.calls, 0) - p.included_calls) * p.overage_per_call
                    ELSE 0 END
             + COALESCE(a.total, 0),
       %(issued)s, %(now)s
  FROM billing_fixedfeeplan p
  JOIN clients_clientfirm f ON f.id = p.firm_id AND f.engagement_type = %(complete)s
  LEFT JOIN {FIRM_CALLS} c ON c.firm_id = p.firm_id
  LEFT JOIN (SELECT firm_id, currency, SUM(amount) AS total FROM billing_adjustment
              WHERE period = %(period)s AND firm_id IS NOT NULL GROUP BY firm_id, currency) a
         ON a.firm_id = p.firm_id AND a.currency = p.currency
 WHERE true
ON CONFLICT (run_id, firm_id, currency) DO NOTHING
"""  # noqa: S608

FIXED_LINES_SQL = f"""
INSERT INTO billing_invoiceline (invoice_id, request_id, description, quantity, units, amount)
SELECT i.id, CAST(NULL AS BIGINT), 'Fixed fee for the period', 1, COALESCE(c.calls, 0), p.fee
  FROM billing_invoice i
  JOIN billing_fixedfeeplan p ON p.firm_id = i.firm_id
  LEFT JOIN {FIRM_CALLS} c ON c.firm_id = i.firm_id
 WHERE i.run_id = %(run)s AND i.kind = %(fixed)s
   AND NOT EXISTS (SELECT 1 FROM billing_invoiceline l WHERE l.invoice_id = i.id)
UNION ALL
SELECT i.id, CAST(NULL AS BIGINT), 'Calls beyond the included volume', c.calls - p.included_calls,
       c.calls - p.included_calls, (c.calls - p.included_calls) * p.overage_per_call
  FROM billing_invoice i
  JOIN billing_fixedfeeplan p ON p.firm_id = i.firm_id
  JOIN {FIRM_CALLS} c ON c.firm_id = i.firm_id
 WHERE i.run_id = %(run)s AND i.kind = %(fixed)s AND p.included_calls IS NOT NULL
   AND c.calls > p.included_calls
   AND NOT EXISTS (SELECT 1 FROM billing_invoiceline l WHERE l.invoice_id = i.id)
"""  # noqa: S608

# A fixed-fee invoice lists its email activities (one line each kind, no charge: included).
FIXED_EMAIL_LINES_SQL = f"""
INSERT INTO billing_invoiceline (invoice_id, request_id, description, quantity, units, amount)
SELECT i.id, CAST(NULL AS BIGINT),
       CASE WHEN s.direction = %(outbound)s THEN %(campaign_email_included)s
            ELSE %(conversation_included)s END,
       s.calls, s.units, 0
  FROM (SELECT firm_id, direction, SUM(calls) AS calls, SUM(units) AS units FROM {SUMS}
         WHERE channel = %(email)s GROUP BY firm_id, direction) s
  JOIN billing_invoice i ON i.run_id = %(run)s AND i.firm_id = s.firm_id AND i.kind = %(fixed)s
 WHERE NOT EXISTS (SELECT 1 FROM billing_invoiceline l
                    WHERE l.invoice_id = i.id
                      AND l.description IN (%(conversation_included)s, %(campaign_email_included)s))
"""  # noqa: S608

ADJUSTMENT_LINES_SQL = """
INSERT INTO billing_invoiceline (invoice_id, request_id, description, quantity, units, amount)
SELECT i.id, CAST(NULL AS BIGINT), 'Adjustments', COUNT(*), 0,
       CAST(ROUND(SUM(a.amount) * 100) AS BIGINT) / 100.0
  FROM billing_adjustment a
  JOIN billing_invoice i ON i.run_id = %(run)s AND i.firm_id = a.firm_id
                        AND i.currency = a.currency
 WHERE a.period = %(period)s
   AND NOT EXISTS (SELECT 1 FROM billing_invoiceline l
                    WHERE l.invoice_id = i.id AND l.description = 'Adjustments')
 GROUP BY i.id
"""

# The run's total and its count of transactions, from what the run wrote (no second scan).
PAYOUT_TOTALS_SQL = """
SELECT COALESCE(SUM(gross), 0), COALESCE(SUM(calls), 0) FROM billing_payout
 WHERE run_id = %(run)s
"""
# The same per currency, for the pages (SettlementRun.totals): one run's rows, by its index.
PAYOUT_CURRENCY_TOTALS_SQL = """
SELECT currency, SUM(gross) FROM billing_payout WHERE run_id = %(run)s GROUP BY currency
"""
INVOICE_CURRENCY_TOTALS_SQL = """
SELECT currency, SUM(total) FROM billing_invoice WHERE run_id = %(run)s GROUP BY currency
"""
INVOICE_TOTALS_SQL = f"""
SELECT (SELECT COALESCE(SUM(total), 0) FROM billing_invoice WHERE run_id = %(run)s),
       (SELECT COALESCE(SUM(calls), 0) FROM {SUMS})
"""  # noqa: S608


def _report(run: SettlementRun, report: Report | None, percent: int, step: str) -> None:
    # The run's transaction is not visible to others until it commits: progress goes to the
    # cache (Redis in production) and to the Celery task's state. Both are for watching
    # only: a cache or result store that is down (often the broker's Redis) must not fail
    # the run.
    try:
        cache.set(progress_key(run.pk), {"progress": percent, "step": step}, timeout=3600)
        if report is not None:
            report(percent, step)
    except Exception:
        logger.warning("Progress of run %s not reported", run.pk, exc_info=True)


def run_execute(*, run_id: int, report: Report | None = None) -> SettlementRun:
    """Settle a claimed run in one transaction. Repeating it changes nothing."""
    with transaction.atomic():
        run = SettlementRun.objects.select_for_update().get(pk=run_id)
        if run.status == Status.DONE:
            return run
        if run.closed_at is None:
            raise ConflictError("Claim the run before executing it.")
        params = {"run": run.pk, "period": run.period_start, "now": timezone.now(), **VALUES}
        if connection.vendor == "postgresql":
            # The period's sums fit in memory: hash aggregation, not an external sort.
            _sql(f"SET LOCAL work_mem = '{WORK_MEM}'", [])
        _sql(SUMS_DROP_SQL, [])
        if run.kind == Kind.AGENTS:
            _report(run, report, 20, "Summing each agent's transactions")
            _sql(AGENT_SUMS_SQL, params)
            _report(run, report, 60, "Payouts with withholding tax, adjustments included")
            _sql(PAYOUTS_SQL, params)
            totals, by_currency = PAYOUT_TOTALS_SQL, PAYOUT_CURRENCY_TOTALS_SQL
        else:
            _report(run, report, 20, "Summing each firm's transactions")
            _sql(FIRM_SUMS_SQL, params)
            _report(run, report, 45, "Invoicing per-activity firms, a line per staffing request")
            _sql(ACTIVITY_INVOICES_SQL, params)
            _sql(ACTIVITY_LINES_SQL, params)
            _report(run, report, 65, "Invoicing fixed-fee firms")
            _sql(FIXED_INVOICES_SQL, params)
            _sql(FIXED_LINES_SQL, params)
            _sql(FIXED_EMAIL_LINES_SQL, params)
            _report(run, report, 80, "Adjustments")
            _sql(ADJUSTMENT_LINES_SQL, params)
            # In this same transaction: a number from the year's series and GST per line,
            # beside the taxable totals (which stay the ledger's sums: the run reconciles).
            _report(run, report, 85, "Invoice numbers and GST")
            invoices_issue(run=run)
            totals, by_currency = INVOICE_TOTALS_SQL, INVOICE_CURRENCY_TOTALS_SQL
        _report(run, report, 90, "Totals")
        with connection.cursor() as cursor:
            cursor.execute(totals, params)
            total, transactions = cursor.fetchone()
            # SQLite hands back a float: round to the cent (the rows themselves are exact).
            run.total = Decimal(str(total)).quantize(Decimal("0.01"))
            run.transactions = int(transactions)
            cursor.execute(by_currency, params)
            run.totals = {
                currency: str(quantize(Decimal(str(amount)), currency))
                for currency, amount in sorted(cursor.fetchall())
            }
        _sql(SUMS_DROP_SQL, [])
        run.status, run.progress, run.step = Status.DONE, 100, "Done"
        run.finished_at, run.failure_reason = timezone.now(), ""
        run.lease_expires_at = None  # released; lease_holder stays: who settled it
        # update_fields: task_id and the like may have been written by the starter meanwhile.
        run.save(
            update_fields=[
                "total",
                "totals",
                "transactions",
                "status",
                "progress",
                "step",
                "finished_at",
                "failure_reason",
                "lease_expires_at",
            ]
        )
        audit_log(
            actor=None,
            action=AuditAction.RUN_DONE,
            target=run,
            total=str(run.total),
            transactions=run.transactions,
        )
        # In the run's transaction: told once the payouts and invoices exist (billing.notices).
        if run.kind == Kind.AGENTS:
            notices.statements_ready(run=run)
        else:
            notices.invoices_issued(run=run)
            invoices_emit(run=run)  # the firms' webhooks (issue 16), with the run
    _report(run, report, 100, "Done")
    return run


@transaction.atomic
def run_failed(*, run_id: int, reason: str, task_id: str = "") -> bool:
    """Mark the run failed with the reason finance reads (and may restart it). A done run
    stays done; given a task id, only a run that task still owns (a task the sweep replaced
    leaves the run to its successor). True when this call failed it."""
    owned = {"task_id": task_id} if task_id else {}
    failed = (
        SettlementRun.objects.filter(pk=run_id, **owned)
        .exclude(status__in=[Status.DONE, Status.FAILED])
        .update(
            status=Status.FAILED,
            failure_reason=reason[:2000],
            lease_expires_at=None,
            finished_at=timezone.now(),
            step="Failed",
        )
    )
    if failed:
        run = SettlementRun.objects.get(pk=run_id)
        audit_log(actor=None, action=AuditAction.RUN_FAILED, target=run, reason=reason[:2000])
        notices.run_failed(run=run)
    try:
        cache.delete(progress_key(run_id))
    except Exception:
        logger.warning("Progress of run %s not cleared", run_id, exc_info=True)
    return bool(failed)


def run_retry_wait(*, run_id: int, task_id: str, retry_at: dt.datetime, step: str) -> None:
    """The run waits for its task's retry after a transient error: its lease covers the
    wait (so the sweep leaves it alone) and the page says why. Only the run's current task
    may extend it."""
    SettlementRun.objects.filter(pk=run_id, task_id=task_id, status=Status.RUNNING).update(
        lease_expires_at=retry_at + lease_seconds(), step=step[:100]
    )
    try:
        cache.set(progress_key(run_id), {"progress": 0, "step": step}, timeout=3600)
    except Exception:
        logger.warning("Progress of run %s not reported", run_id, exc_info=True)


def runs_due(*, today: dt.date | None = None) -> list[SettlementRun]:
    """Runs for every period that has ended since the last one closed (beat, daily)."""
    today = today or timezone.localdate()
    opened = []
    for kind in Kind.values:
        last = SettlementRun.objects.filter(kind=kind).order_by("-period_start").first()
        start = last.period_end if last else period_start(kind, today - dt.timedelta(days=1))
        while period_end(kind, start) <= today:
            opened.append(run_open(kind=kind, day=start))
            start = period_end(kind, start)
    return opened
