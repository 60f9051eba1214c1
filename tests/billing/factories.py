"""Helpers for the billing tests: engaged agents, answered calls and ledger rows.

`answered_call` builds a completed call for an agent engaged with the firm (engaging them
at the default rates when they are not yet); `ledger_row` and `adjustment_row` write ledger
rows with given amounts straight away, for settlement tests that don't care about pricing;
`settle` opens, claims and executes the run of a period that has ended.
Dates are local dates; `day_at_noon` turns one into an aware datetime.
"""

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from agents.models import AgentProfile
from billing.models import Adjustment, SettlementRun, Transaction
from billing.periods import open_period
from billing.settlement import run_claim, run_execute, run_open
from clients.models import Application, ClientFirm, Engagement, PhoneLine, StaffingRequest
from routing.models import Call
from tests.factories import PhoneLineFactory, StaffingRequestFactory, UserFactory

Kind = SettlementRun.Kind
_sids = itertools.count(1)


def day_at_noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


def last_week() -> dt.date:
    """A day of the agents' period before this one (ended, so it can be settled)."""
    return timezone.localdate() - dt.timedelta(days=7)


def last_month() -> dt.date:
    """A day of the firms' period before this one."""
    return timezone.localdate().replace(day=1) - dt.timedelta(days=1)


def profile_of(agent: AgentProfile | User) -> AgentProfile:
    return agent if isinstance(agent, AgentProfile) else agent.agent_profile


def engaged(
    agent: AgentProfile | User,
    firm: ClientFirm,
    *,
    request: StaffingRequest | None = None,
    unit: str = "call",
    client_rate: str = "40.00",
    agent_rate: str = "28.00",
    minimum: str = "0",
    agent_minimum: str = "0",
    currency: str = "INR",
    lines: list[PhoneLine] | None = None,
) -> Engagement:
    """An active engagement covering the last year and the next quarter, on `lines` (default:
    every line the firm has now), under a request worked round the clock over those dates."""
    agent = profile_of(agent)
    today = timezone.localdate()
    request = request or StaffingRequestFactory(
        firm=firm,
        headcount=100,
        days="0123456",
        starts_at=dt.time(0),
        ends_at=dt.time(23, 59, 59),
        start_date=today - dt.timedelta(days=400),
        end_date=today + dt.timedelta(days=90),
    )
    application = Application.objects.create(request=request, agent=agent, status="approved")
    engagement = Engagement.objects.create(
        firm=firm,
        agent=agent,
        request=request,
        application=application,
        rate_unit=unit,
        client_rate=Decimal(client_rate),
        agent_rate=Decimal(agent_rate),
        minimum_per_call=Decimal(minimum),
        agent_minimum_per_call=Decimal(agent_minimum),
        currency=currency,
        starts_on=today - dt.timedelta(days=400),
        ends_on=today + dt.timedelta(days=90),
    )
    engagement.lines.set(firm.lines.all() if lines is None else lines)
    return engagement


def answered_call(
    agent: AgentProfile | User,
    where: ClientFirm | PhoneLine,
    *,
    talk_seconds: int = 60,
    ended_at: dt.datetime | None = None,
    status: str = Call.Status.COMPLETED,
) -> Call:
    """A call on `where` (a line, or any line of the firm) that `agent` answered and ended."""
    agent = profile_of(agent)
    line = where if isinstance(where, PhoneLine) else where.lines.first()
    line = line or PhoneLineFactory(firm=where)
    engagements = Engagement.objects.filter(agent=agent, firm_id=line.firm_id)
    if not engagements.exists():
        engaged(agent, line.firm)
    for engagement in engagements.filter(lines=None):  # engaged before the firm had a line
        engagement.lines.set([line])
    ended_at = ended_at or timezone.now()
    return Call.objects.create(
        provider="twilio",
        provider_call_id=f"CA-billing-{next(_sids)}",
        line=line,
        firm_id=line.firm_id,
        caller="+918242440000",
        language="en",
        domain=line.domain,
        status=status,
        agent=agent,
        answered_at=ended_at - dt.timedelta(seconds=talk_seconds),
        ended_at=ended_at,
        talk_seconds=talk_seconds,
    )


def ledger_row(
    agent: AgentProfile | User,
    firm: ClientFirm,
    *,
    agent_amount: Decimal | str = "28.00",
    client_amount: Decimal | str = "40.00",
    day: dt.date | None = None,
    units: int = 1,
) -> Transaction:
    """A transaction with the given amounts, in the periods open for `day` (as the ledger)."""
    day = day or timezone.localdate()
    call = answered_call(agent, firm, talk_seconds=60, ended_at=day_at_noon(day))
    engagement = Engagement.objects.filter(agent=call.agent, firm=firm).first()
    return Transaction.objects.create(
        call=call,
        engagement=engagement,
        agent=call.agent,
        firm=firm,
        currency="INR",
        units=units,
        agent_amount=Decimal(agent_amount),
        client_amount=Decimal(client_amount),
        rate_card={
            "unit": engagement.rate_unit,
            "currency": "INR",
            "agent_rate": str(engagement.agent_rate),
            "client_rate": str(engagement.client_rate),
        },
        occurred_at=call.ended_at,
        agent_period=open_period(Kind.AGENTS, day),
        firm_period=open_period(Kind.FIRMS, day),
    )


def adjustment_row(
    *,
    amount: Decimal | str,
    agent: AgentProfile | User | None = None,
    firm: ClientFirm | None = None,
    day: dt.date | None = None,
    actor: User | None = None,
) -> Adjustment:
    """An adjustment landing in the period open for `day` (adjustment_create uses today)."""
    day = day or timezone.localdate()
    kind = Kind.AGENTS if agent is not None else Kind.FIRMS
    return Adjustment.objects.create(
        agent=profile_of(agent) if agent is not None else None,
        firm=firm,
        currency="INR",
        amount=Decimal(amount),
        reason="Correction",
        period=open_period(kind, day),
        actor=actor or UserFactory(role=User.Role.FINANCE),
    )


def settle(kind: str, day: dt.date) -> SettlementRun:
    """Open, claim and execute the run of the (ended) period containing `day`."""
    run = run_open(kind=kind, day=day)
    run_claim(run_id=run.pk)
    return run_execute(run_id=run.pk)
