"""Forms of the finance pages: input parsing only; the rules live in the services."""

import datetime as dt
from decimal import Decimal

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from billing.exports import FORMATS
from billing.models import Adjustment, Dispute, FixedFeePlan, Invoice, Payout, SettlementRun
from billing.periods import period_start
from clients.models import Currency
from common.forms import Form
from common.limits import bounds

Kind = SettlementRun.Kind


def last_ended_day(today: dt.date | None = None) -> dt.date:
    """A day whose week and whose month have both ended: the day before the earlier of this
    week's and this month's first day."""
    today = today or timezone.localdate()
    return min(period_start(Kind.AGENTS, today), period_start(Kind.FIRMS, today)) - dt.timedelta(
        days=1
    )


class RunForm(Form):
    kind = forms.ChoiceField(choices=Kind.choices, label="Settle")
    day = forms.DateField(
        label="A day in the period",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),  # ISO for type=date
        help_text="Agents are settled weekly (Monday to Sunday), firms monthly. "
        "The period must have ended.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].initial = last_ended_day()


class _RunFilterForm(Form):
    kind: str = ""
    statuses: list[tuple[str, str]] = []

    run = forms.ModelChoiceField(
        queryset=SettlementRun.objects.none(), required=False, empty_label="All runs"
    )
    status = forms.ChoiceField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["run"].queryset = SettlementRun.objects.filter(kind=self.kind)
        self.fields["status"].choices = [("", "Any status"), *self.statuses]

    def filter(self, rows: QuerySet) -> QuerySet:
        if not self.is_valid():
            return rows
        if self.cleaned_data["run"]:
            rows = rows.filter(run=self.cleaned_data["run"])
        if self.cleaned_data["status"]:
            rows = rows.filter(status=self.cleaned_data["status"])
        return rows


class PayoutFilterForm(_RunFilterForm):
    kind, statuses = Kind.AGENTS, Payout.Status.choices


class InvoiceFilterForm(_RunFilterForm):
    kind, statuses = Kind.FIRMS, Invoice.Status.choices


class ApproveForm(Form):
    payout = forms.ModelMultipleChoiceField(
        queryset=Payout.objects.all(),
        error_messages={"required": "Tick the payouts to approve."},
    )


class ExportForm(Form):
    format = forms.ChoiceField(choices=[(key, label) for key, (_s, label) in FORMATS.items()])
    run = forms.ModelChoiceField(
        queryset=SettlementRun.objects.filter(kind=Kind.AGENTS), required=False
    )
    reason = forms.CharField(
        max_length=500,
        required=False,
        help_text="Only to put payouts already in a bank file into another one.",
    )


class AdjustmentForm(Form):
    amount = forms.DecimalField(
        help_text="Positive adds to the amount, negative deducts from it.",
        **bounds(Adjustment, "amount"),
    )
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class FeePlanForm(Form):
    fee = forms.DecimalField(label="Fee a period", **bounds(FixedFeePlan, "fee"))
    unlimited = forms.BooleanField(
        required=False, label="Unlimited calls (no included volume, no overage)"
    )
    included_calls = forms.IntegerField(
        required=False,
        label="Included calls a period",
        **bounds(FixedFeePlan, "included_calls"),
    )
    overage_per_call = forms.DecimalField(
        label="Overage per call beyond them",
        required=False,
        **bounds(FixedFeePlan, "overage_per_call"),
    )
    currency = forms.ChoiceField(choices=Currency.choices)

    @classmethod
    def for_plan(cls, plan: FixedFeePlan | None, firm) -> "FeePlanForm":
        if plan is None:
            return cls(initial={"currency": firm.currency, "overage_per_call": 0})
        return cls(
            initial={
                "fee": plan.fee,
                "unlimited": plan.included_calls is None,
                "included_calls": plan.included_calls,
                "overage_per_call": plan.overage_per_call,
                "currency": plan.currency,
            }
        )

    def clean(self):
        data = super().clean()
        if data.get("unlimited"):
            data["included_calls"] = None
            data["overage_per_call"] = Decimal(0)
        elif data.get("included_calls") is None and "included_calls" not in self.errors:
            self.add_error("included_calls", "Enter the calls included, or tick unlimited.")
        elif data.get("overage_per_call") is None and "overage_per_call" not in self.errors:
            data["overage_per_call"] = Decimal(0)
        return data

    def terms(self) -> dict:
        keys = ("fee", "included_calls", "overage_per_call", "currency")
        return {key: self.cleaned_data[key] for key in keys}


class DisputeFilterForm(Form):
    status = forms.ChoiceField(
        choices=[("", "Any status"), *Dispute.Status.choices], required=False
    )

    def status_or_default(self) -> str:
        """Open queries unless asked otherwise ("" is every status; a page link without
        the parameter, such as a cursor's on the first list, stays on open queries)."""
        if not self.is_bound or "status" not in self.data:
            return Dispute.Status.OPEN
        return self.cleaned_data.get("status", "") if self.is_valid() else Dispute.Status.OPEN


class DisputeAnswerForm(Form):
    body = forms.CharField(
        label="Answer", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    amount = forms.DecimalField(
        label="Adjustment (optional)",
        required=False,
        help_text="An amount here is added to (or, negative, deducted from) the agent's next "
        "payout and closes the query.",
        **bounds(Adjustment, "amount"),
    )
    close = forms.BooleanField(required=False, label="Close the query with this reply")
