"""What settlement tells people (accounts.notifications), written in one place.

- An agent's statement is "ready" when the run that makes its payout commits: its figures
  (calls, gross, TDS, net) are final then — nothing rewrites a payout; a correction is an
  adjustment in a later period — and the agent sees it at once on the earnings page. Told
  then, not at finance's approval, the agent has the most time to query a line before
  payday; approval is finance's own step, and the next news is "paid".
- A firm's invoice is "issued" when its run commits (the invoice is born issued).
- Money is the recipient's own (their net pay, their firm's total); no account number, no
  other agent's or firm's name.
"""

from django.urls import reverse

from accounts.models import Notification, User
from accounts.notifications import notification_send, staff_with_role
from billing.models import Invoice, Payout, SettlementRun
from clients.notices import firm_users
from common.dates import period_label
from common.money import format_money

Kind = Notification.Kind


def _period(run: SettlementRun) -> str:
    return period_label(run.period_start, run.period_end)


def statements_ready(*, run: SettlementRun) -> int:
    """Every agent paid by `run`, in one send (a run pays thousands: no query per agent)."""
    return notification_send(
        users=User.objects.filter(agent_profile__payouts__run=run).distinct(),
        kind=Kind.STATEMENT_READY,
        title=f"Your statement for {_period(run)} is ready",
        body="Check its calls and amounts on your earnings page before payday.",
        url=reverse("earnings:statements"),
        key=f"run:{run.pk}",
    )


def _due(invoice: Invoice) -> str:
    return format_money(invoice.total_with_tax, invoice.currency)


def invoices_issued(*, run: SettlementRun) -> None:
    for invoice in Invoice.objects.filter(run=run).select_related("firm").order_by("pk"):
        notification_send(
            users=firm_users(firm=invoice.firm),
            kind=Kind.INVOICE_ISSUED,
            title=f"Invoice {invoice.number} is issued",
            body=f"{_period(run)}: {_due(invoice)} with GST.",
            url=reverse("invoices:detail", args=[invoice.pk]),
            key=f"invoice:{invoice.pk}",
        )


def payout_paid(*, payout: Payout) -> None:
    notification_send(
        users=[payout.agent.user],
        kind=Kind.PAYOUT_PAID,
        title=f"Your payout for {_period(payout.run)} is paid",
        body=f"{format_money(payout.net, payout.currency)} was sent to your bank account.",
        url=reverse("earnings:statement", args=[payout.pk]),
        key=f"payout:{payout.pk}",
    )


def run_failed(*, run: SettlementRun) -> None:
    """Finance is told each time a run fails (it can fail again after a restart)."""
    notification_send(
        users=staff_with_role(User.Role.FINANCE),
        kind=Kind.RUN_FAILED,
        title=f"Settlement run failed: {run.get_kind_display()}, {_period(run)}",
        body=run.failure_reason[:500],
        url=reverse("finance:run", args=[run.pk]),
        key=f"run:{run.pk}:{run.finished_at:%Y%m%d%H%M%S%f}",
    )
