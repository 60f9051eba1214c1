"""Demo calls: five weeks of simulated calls through the real webhooks, once; then their
completed days rolled up (as the nightly sweep would), so the Calls pages read roll-ups; and
most answered calls given a disposition and notes, as their agents would have.
Then quality (issue 16): a scorecard per firm and a few scored calls with comments; and the
callback queue the simulated voicemails opened, some of it assigned and done.

Before the calls, Acme's Claims helpline turns its survey on and sends returning callers to their
last agent for 30 days: its history then holds rated calls and returning callers, with the
decisions saying whether each went to the caller's last agent.

Then the claims helpline's customer context (issue 16): Acme's contact records for a few of
the demo's callers (their numbers are the simulated calls' own), uploaded through the same
service as the firm's CSV page, and the fields its agents see.

Then Acme's webhook endpoint (issue 16), added after the simulated calls so they do not each
try it: its CRM took events until it moved; the address it still names does not resolve, so
the log shows deliveries delivered, then failing and retried with backoff (the beat's sweep
goes on trying them while the demo runs)."""

import datetime as dt

import phonenumbers
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from clients.contacts import contacts_import
from clients.customer_context import line_context_set
from clients.deliveries import backoff
from clients.demo import HISTORY_DAYS
from clients.models import (
    ClientFirm,
    ContextSource,
    DispositionCode,
    Engagement,
    FirmMember,
    PhoneLine,
    Scorecard,
    ScorecardCriterion,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from clients.services import line_after_call_set
from common.csvfile import csv_lines
from common.outbound import message_id_new, secret_new
from routing.models import Call, CallbackRequest, CallScore
from routing.rollups import callday_sweep
from routing.services.callbacks import callback_assign, callback_done
from routing.services.firm_events import call_payload
from routing.services.quality import call_score

CRITERIA = [  # label, weight
    ("Greets the caller and gives their name", 10),
    ("Understands the caller's need", 30),
    ("Accurate answer or next step", 40),
    ("Courteous close, confirms what happens next", 20),
]
SCORED = [  # ratings per criterion, the scorer's comment
    ((5, 5, 4, 5), "Clear and warm. Next time read the policy number back to the caller."),
    (
        (4, 3, 3, 4),
        "You found the claim quickly; explain the waiting period before the caller asks.",
    ),
    ((5, 4, 5, 3), "Accurate answer. Close by telling the caller when they will hear from us."),
]

AFTER_CALL_LINE = "Claims helpline"
ESCALATION_DESK = "+918242499999"  # Acme's own claims supervisors (no line, no agent's phone)


DEMO_HOOK_URL = "https://hooks.acme-insurance.example/homeshore"
NOT_FOUND = "The host hooks.acme-insurance.example could not be found."
# What agents wrote, by the code's kind; one call in five ran out of wrap-up time instead.
NOTES = {
    "resolved": "Answered the caller's question; nothing left open.",
    "escalated": "Needs a supervisor's decision: passed on with the details.",
    "callback": "Caller asked to be called back after 5 pm.",
    "complaint": "Unhappy with the delay; complaint logged with the reference given.",
    "sale": "Agreed to the upgrade; the firm sends the papers.",
}


def _after_call_settings() -> None:
    line = PhoneLine.objects.filter(name=AFTER_CALL_LINE).select_related("firm").first()
    if line is None:
        return
    admin = FirmMember.objects.filter(firm=line.firm, role=FirmMember.Role.ADMIN).first()
    line_after_call_set(
        firm=line.firm,
        user=admin.user,
        line=line,
        survey_enabled=True,
        sticky_days=30,
        escalation_number=ESCALATION_DESK,
    )


CONTEXT_LINE = "Claims helpline"
CONTEXT_FIELDS = ["name", "policy", "plan", "open_claim"]
DEMO_CUSTOMERS = [
    # name, language, policy, plan, open claim, a field agents never see
    (
        "Ravi Shetty",
        "kn",
        "POL-20417",
        "Family floater",
        "CLM-8812 (hospital bill)",
        "pan AAAPS1234K",
    ),
    ("Asha Pai", "tcy", "POL-31180", "Senior citizen", "", "pan AAAPP2345L"),
    ("Deepak Rao", "en", "POL-11873", "Individual", "CLM-9027 (car, windscreen)", "pan AAAPR3456M"),
    ("Leela Kamath", "kn", "POL-40022", "Family floater", "", "pan AAAPK4567N"),
    ("Suresh Bhat", "en", "POL-27761", "Top-up", "CLM-9105 (day care)", "pan AAAPB5678P"),
]


def seed_demo() -> list[tuple[str, str]]:
    if not Call.objects.exists():
        # With the calls, once: a firm admin's later edits survive a second seed.
        _after_call_settings()
        # Agents missed offers take themselves offline; in five weeks simulated in seconds they
        # would never be back: --back-on-duty, and the demo starts with them on duty.
        # The command (demo's simulate_calls, which runs routing.simulation) prints the tally
        # the production smoke run looks for.
        call_command("simulate_calls", calls=90, days=HISTORY_DAYS, seed=7, back_on_duty=True)
        _dispositions()
    callday_sweep()  # yesterday and every earlier day with calls but no roll-up
    for firm in ClientFirm.objects.order_by("pk"):
        _quality(firm)
        _callbacks(firm)
    _customer_context()
    _demo_webhook()
    return []


def _quality(firm: ClientFirm) -> None:
    """A scorecard for the firm, and three of its answered calls scored by its admin (once)."""
    card, created = Scorecard.objects.get_or_create(firm=firm, name="Call quality")
    if created:
        ScorecardCriterion.objects.bulk_create(
            ScorecardCriterion(scorecard=card, label=label, weight=weight, position=i)
            for i, (label, weight) in enumerate(CRITERIA, start=1)
        )
    admin = firm.members.filter(role="admin").order_by("pk").first()
    if admin is None or CallScore.objects.filter(firm=firm).exists():
        return
    criteria = list(card.criteria.order_by("position").values_list("pk", flat=True))
    answered = Call.objects.filter(firm=firm, agent__isnull=False, answered_at__isnull=False)
    for call, (ratings, comment) in zip(answered.order_by("-created_at")[:3], SCORED, strict=False):
        call_score(
            call_id=call.pk,
            scorer=admin.user,
            scorecard_id=card.pk,
            ratings=dict(zip(criteria, ratings, strict=True)),
            comment=comment,
        )


def _callbacks(firm: ClientFirm) -> None:
    """Of the firm's callback requests (the voicemails simulated), one assigned to an agent
    engaged on its line and one done — once, while the queue is all open."""
    queue = CallbackRequest.objects.filter(firm=firm).order_by("created_at", "pk")
    if queue.exclude(status=CallbackRequest.Status.OPEN).exists():
        return
    admin = firm.members.filter(role="admin").order_by("pk").first()
    if admin is None:
        return
    done = queue.first()
    if done is not None:
        callback_done(callback_id=done.pk, actor=admin.user, note="Called back; question answered.")
    for callback in queue.filter(status=CallbackRequest.Status.OPEN):
        engaged = Engagement.objects.filter(
            firm=firm, status=Engagement.Status.ACTIVE, lines=callback.line_id
        ).first()
        if engaged is not None:
            callback_assign(callback_id=callback.pk, actor=admin.user, agent_id=engaged.agent_id)
            return


def _customer_context() -> None:
    line = PhoneLine.objects.filter(name=CONTEXT_LINE).select_related("firm").first()
    if line is None:
        return
    admin = line.firm.members.filter(role="admin").first().user
    # The earliest callers: the same on every seed, whatever was simulated since.
    first = Call.objects.filter(line=line).exclude(caller="").order_by("created_at", "pk")
    callers: list[str] = []
    for caller in first.values_list("caller", flat=True).iterator():
        # The simulation's made-up landlines are not all numbers phonenumbers accepts.
        if str(caller) not in callers and phonenumbers.is_valid_number(caller):
            callers.append(str(caller))
        if len(callers) == len(DEMO_CUSTOMERS):
            break
    header = ["number", "name", "language", "external_id", "policy", "plan", "open_claim", "notes"]
    rows = [
        [number, name, language, policy, policy, plan, claim, notes]
        for number, (name, language, policy, plan, claim, notes) in zip(
            callers, DEMO_CUSTOMERS, strict=False
        )
    ]
    # The one CSV writer (common.csvfile): "+91…" cells come out as "'+91…", which the
    # importer's phonenumbers reads as the number (a firm's re-upload of our export does too).
    data = "".join(csv_lines(header, rows)).encode()
    if callers:  # merged by external id: a second seed updates the same records
        contacts_import(firm=line.firm, user=admin, data=data)
    if line.context_source == ContextSource.NONE:  # a firm admin's own choice survives a re-seed
        line_context_set(
            line=line,
            user=admin,
            source=ContextSource.CONTACTS,
            url="",
            fields=CONTEXT_FIELDS,
            keep=False,
        )


def _demo_webhook() -> None:
    firm = ClientFirm.objects.filter(name="Acme Insurance").first()
    if firm is None or WebhookEndpoint.objects.filter(firm=firm, url=DEMO_HOOK_URL).exists():
        return
    now = timezone.now()
    failing_since = now - dt.timedelta(hours=3)
    endpoint = WebhookEndpoint.objects.create(
        firm=firm,
        url=DEMO_HOOK_URL,
        secret=secret_new(),
        events=list(WebhookEvent.values),
        description="Acme's CRM (demo: its address no longer resolves)",
        created_by=firm.members.filter(role="admin").first().user,
        failing_since=failing_since,
    )
    calls = list(
        Call.objects.filter(firm=firm, status=Call.Status.COMPLETED)
        .select_related("line", "agent", "disposition")
        .order_by("-created_at")[:6]
    )
    for n, call in enumerate(reversed(calls)):
        delivered = n < len(calls) - 3  # the older ones reached the CRM before it moved
        # Hourly: the delivered ones before the streak, the failing ones from its start.
        written = failing_since + dt.timedelta(hours=n - (len(calls) - 3))
        _demo_delivery(endpoint, call, written=written, delivered=delivered, now=now)


def _demo_delivery(endpoint, call, *, written, delivered: bool, now) -> None:
    payload = {
        "type": WebhookEvent.CALL_ANSWERED.value,
        "timestamp": written.isoformat(),
        "data": call_payload(call),
    }
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event=WebhookEvent.CALL_ANSWERED,
        message_id=message_id_new(),
        payload=payload,
    )
    tries, at = [], written
    while True:
        tries.append(at)
        wait = backoff(len(tries))
        if delivered or at + wait > now:
            break
        at += wait
    WebhookAttempt.objects.bulk_create(
        WebhookAttempt(
            delivery=delivery,
            at=at,
            status_code=200 if delivered else None,
            error="" if delivered else NOT_FOUND,
            elapsed_ms=180 if delivered else 3,
        )
        for at in tries
    )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        created_at=written,
        status=WebhookDelivery.Status.DELIVERED if delivered else WebhookDelivery.Status.PENDING,
        attempts=len(tries),
        delivered_at=tries[-1] if delivered else None,
        last_status_code=200 if delivered else None,
        last_error="" if delivered else NOT_FOUND,
        next_attempt_at=None if delivered else tries[-1] + backoff(len(tries)),
    )


def _dispositions() -> None:
    """The simulation ran each wrap-up out (no disposition); lay most of them out as given,
    a little after the call ended. Demo data of the past: written directly."""
    codes: dict[int, list[DispositionCode]] = {}
    for code in DispositionCode.objects.filter(is_active=True).order_by("position", "id"):
        codes.setdefault(code.line_id, []).append(code)
    calls = Call.objects.filter(status=Call.Status.COMPLETED).exclude(wrap_up="").order_by("pk")
    for n, call in enumerate(calls):
        line_codes = codes.get(call.line_id)
        if not line_codes or n % 5 == 4:
            continue
        code = line_codes[n % len(line_codes)]
        call.wrap_up, call.disposition = Call.WrapUp.SUBMITTED, code
        call.notes = NOTES.get(code.kind, "Handled.")
        call.wrapped_up_at = call.ended_at + dt.timedelta(seconds=15 + n % 40)
        call.save(update_fields=["wrap_up", "disposition", "notes", "wrapped_up_at"])
    # The rest: missed when the line's wrap-up time was over.
    Call.objects.filter(status=Call.Status.COMPLETED, wrap_up=Call.WrapUp.MISSED).update(
        wrapped_up_at=F("ended_at") + dt.timedelta(seconds=30)
    )
