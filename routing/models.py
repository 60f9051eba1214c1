"""Inbound calls, the decisions that routed them, and the provider requests already answered."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from phonenumber_field.modelfields import PhoneNumberField

from agents.models import AgentLanguage, AgentProfile
from clients.models import (
    SCORE_RATING,
    ClientFirm,
    DispositionCode,
    Engagement,
    LineScript,
    PhoneLine,
    Scorecard,
    ScorecardCriterion,
)
from common.crypto import EncryptedTextField
from common.limits import Range
from teams.models import Franchise

# What a provider may report (the generic API's events): a day's talk at most, an offer
# number the column holds. Validators only: Twilio's own durations are not bounded by us.
TALK_SECONDS = Range(0, 86400, "A call lasts {low} to {high} seconds.")
ATTEMPTS = Range(0, 32767)
SURVEY_SCORE = Range(1, 5, "A survey score is {low} to {high}.")
NOTES_MAX = 4000

# A call's times happen in order: queued <= offered <= answered <= ended. Each pair is checked
# when both are known (the after-hours call has no queue time, billing's bare test calls only
# an answer and an end); `<rule>` names which pair.
TIMES_IN_ORDER = [
    ("offered_after_queued", "queued_at", "offered_at"),
    ("answered_after_queued", "queued_at", "answered_at"),
    ("answered_after_offered", "offered_at", "answered_at"),
    ("ended_after_queued", "queued_at", "ended_at"),
    ("ended_after_answered", "answered_at", "ended_at"),
]


def number_masked(number) -> str:
    """A number as agents see it: the country code and the last two digits, no more (a
    caller's on inbound calls, a contact's on outbound ones)."""
    number = "" if number is None else str(number)
    return f"{number[:3]}••••••{number[-2:]}" if len(number) > 6 else "••••"


def _in_order(rule: str, earlier: str, later: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{earlier}__isnull": True})
        | Q(**{f"{later}__isnull": True})
        | Q(**{f"{later}__gte": F(earlier)}),
        name=f"routing_call_{rule}",
    )


class Call(models.Model):
    class Status(models.TextChoices):
        MENU = "menu", "Choosing a language"
        QUEUED = "queued", "Waiting for an agent"
        OFFERED = "offered", "Ringing an agent"
        IN_PROGRESS = "in_progress", "Talking"
        COMPLETED = "completed", "Completed"
        VOICEMAIL = "voicemail", "Left a voicemail"
        ABANDONED = "abandoned", "Caller hung up"
        AFTER_HOURS = "after_hours", "Outside business hours"
        FAILED = "failed", "Failed"
        # Closed by the sweep with no word from the provider (nobody to ask, or it could not
        # tell): flagged for staff; a late report of how it ended still completes it.
        LOST = "lost", "Lost (no word from the provider)"

    LIVE = frozenset({Status.OFFERED, Status.IN_PROGRESS})  # an agent is holding it
    WAITING = frozenset({Status.MENU, Status.QUEUED})
    ENDED = frozenset(
        {
            Status.COMPLETED,
            Status.VOICEMAIL,
            Status.ABANDONED,
            Status.AFTER_HOURS,
            Status.FAILED,
            Status.LOST,
        }
    )

    class OriginSource(models.TextChoices):
        # The words firms and agents read (staff too): how we know where the caller is.
        PROVIDER = "provider", "From the telephone provider"
        GEOCODER = "geocoder", "From the caller's number"
        LINE_DEFAULT = "line_default", "The line's default region"

    class Direction(models.TextChoices):
        INBOUND = "inbound", "Inbound"
        OUTBOUND = "outbound", "Outbound"  # a campaign's attempt (campaigns.Attempt.call)

    direction = models.CharField(max_length=8, choices=Direction.choices, default="inbound")
    provider = models.CharField(max_length=32)  # "twilio", or the generic API's provider name
    provider_call_id = models.CharField(max_length=64)
    line = models.ForeignKey(PhoneLine, on_delete=models.PROTECT, related_name="calls")
    firm = models.ForeignKey(ClientFirm, on_delete=models.PROTECT, related_name="calls")
    # kept whole; agents see it masked. Outbound: the contact called (the other party).
    caller = PhoneNumberField(blank=True)
    origin_label = models.CharField(max_length=150, blank=True)
    origin_latitude = models.FloatField(null=True, blank=True)
    origin_longitude = models.FloatField(null=True, blank=True)
    origin_source = models.CharField(max_length=16, choices=OriginSource.choices, blank=True)
    language = models.CharField(max_length=3, blank=True)
    domain = models.CharField(max_length=16)
    sub_skill = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.MENU)
    agent = models.ForeignKey(
        AgentProfile, null=True, blank=True, on_delete=models.PROTECT, related_name="calls"
    )
    # The engagement the call was (last) offered under: the one routing found covering the
    # line at that moment, written in the same UPDATE that reserves the agent. Billing prices
    # the call by it, so the ledger never has to guess which of an agent's engagements applied.
    engagement = models.ForeignKey(
        Engagement, null=True, blank=True, on_delete=models.PROTECT, related_name="calls"
    )
    # agents offered so far
    attempts = models.PositiveSmallIntegerField(default=0, validators=ATTEMPTS.validators())
    tried_agent_ids = models.JSONField(default=list, blank=True)  # rang out: not offered again
    menu_tries = models.PositiveSmallIntegerField(default=0)
    queued_at = models.DateTimeField(null=True, blank=True)  # oldest-first among waiting calls
    offered_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    talk_seconds = models.PositiveIntegerField(
        null=True, blank=True, validators=TALK_SECONDS.validators()
    )
    # The provider said the caller's leg ended while an agent held the call: how the agent's
    # leg ended (and for how long) comes with the <Dial>'s own report, in either order.
    caller_left_at = models.DateTimeField(null=True, blank=True)
    # The attempt whose <Dial> (or the generic API's "dial" step) the provider was given: until
    # then a reserved agent is not ringing (a caller on hold, reserved for by queue_dispatch,
    # hears the next hold first), and a caller who hangs up leaves nobody to report a <Dial>.
    dialled_attempt = models.PositiveSmallIntegerField(default=0, validators=ATTEMPTS.validators())
    checked_at = models.DateTimeField(null=True, blank=True)  # last asked at the provider
    needs_review = models.BooleanField(default=False)  # closed without the provider's word
    outcome = models.CharField(max_length=255, blank=True)
    recording_url = models.URLField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # The agent's wrap-up (issue 16): "" before the call was answered; pending from the end
    # of the talk; submitted with a disposition (and notes), or missed when the line's
    # wrap-up limit passed first ("no disposition").
    class WrapUp(models.TextChoices):
        PENDING = "pending", "Wrap-up in progress"
        SUBMITTED = "submitted", "Disposition given"
        MISSED = "missed", "No disposition"

    wrap_up = models.CharField(max_length=10, choices=WrapUp.choices, blank=True)
    wrapped_up_at = models.DateTimeField(null=True, blank=True)
    disposition = models.ForeignKey(
        DispositionCode, null=True, blank=True, on_delete=models.PROTECT, related_name="calls"
    )
    notes = models.TextField(max_length=NOTES_MAX, blank=True)
    # The script version the agent was shown (the line's, in the call's language or default).
    script = models.ForeignKey(
        LineScript, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A cold transfer by the agent: to another of the firm's lines, or its escalation number.
    transferred_at = models.DateTimeField(null=True, blank=True)
    transferred_to = PhoneNumberField(blank=True)
    transfer_line = models.ForeignKey(
        PhoneLine, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The caller's keypad rating after the agent hung up (the line's survey).
    survey_score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=SURVEY_SCORE.validators()
    )
    surveyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            SURVEY_SCORE.check("survey_score", name="routing_call_survey_score_range"),
            models.CheckConstraint(
                condition=~Q(wrap_up="submitted") | Q(disposition__isnull=False),
                name="routing_call_submitted_has_disposition",
            ),
            models.UniqueConstraint(
                fields=["provider", "provider_call_id"], name="routing_call_provider_id_once"
            ),
            # The invariant: an agent holds at most one live call or reservation.
            models.UniqueConstraint(
                fields=["agent"],
                condition=Q(status__in=["offered", "in_progress"]),
                name="routing_call_one_live_per_agent",
            ),
            *(_in_order(*times) for times in TIMES_IN_ORDER),
        ]
        indexes = [
            models.Index(
                fields=["queued_at"], condition=Q(status="queued"), name="routing_call_queue_idx"
            ),
            models.Index(fields=["line", "created_at"], name="routing_call_line_idx"),
            models.Index(fields=["firm", "created_at"], name="routing_call_firm_idx"),
            models.Index(fields=["agent", "created_at"], name="routing_call_agent_idx"),
            # The agent's workspace poll (its call held or its wrap-up pending) and the sweep's
            # abandoned wrap-ups: a handful of rows among millions of ended calls. Without it
            # PostgreSQL may read all of a busy agent's calls through routing_call_agent_idx.
            models.Index(
                fields=["agent", "created_at"],
                condition=Q(status__in=["offered", "in_progress"]) | Q(wrap_up="pending"),
                name="routing_call_workspace_idx",
            ),
            # Sticky agent and the returning-caller hint: this caller's earlier calls on a line.
            models.Index(fields=["line", "caller", "created_at"], name="routing_call_caller_idx"),
            # The staff console's live calls (waiting or with an agent): a handful among
            # millions of ended ones, read every few seconds, oldest first.
            models.Index(
                fields=["created_at"],
                condition=Q(status__in=["menu", "queued", "offered", "in_progress"]),
                name="routing_call_live_idx",
            ),
            # The staff console's calls to review: few, read every few seconds.
            models.Index(
                fields=["ended_at"], condition=Q(needs_review=True), name="routing_call_review_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.provider_call_id}"

    @property
    def language_name(self) -> str:
        return dict(AgentLanguage.Code.choices).get(self.language, self.language)

    @property
    def caller_masked(self) -> str:
        return number_masked(self.caller)

    @property
    def wait_seconds(self) -> float | None:
        if self.queued_at is None:
            return None
        end = self.answered_at or self.ended_at
        return (end - self.queued_at).total_seconds() if end else None


class RoutingDecision(models.Model):
    """One attempt to place a call: who was ranked, who was chosen, who was skipped and why."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="decisions")
    attempt = models.PositiveSmallIntegerField()
    chosen = models.ForeignKey(
        AgentProfile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    radius_km = models.FloatField(null=True, blank=True)  # the step that found them; None: any
    candidates = models.JSONField(default=list)  # [{agent, name, km, idle_s}] best first
    # Who was passed over, and why: explained when someone first opens the decision
    # (routing.services.decision_explain), not while the caller waits. `explained_at` None:
    # not explained yet (`skipped` is then empty, not "nobody").
    skipped = models.JSONField(default=list)  # [{agent, name, reasons: [...]}]
    explained_at = models.DateTimeField(null=True, blank=True)
    # What the explanation needs of the moment of the decision: the rules of time (hours,
    # engagement dates) are judged at `decided_at`, and the agents the call had already rung
    # out then are the ones that "did not answer this call".
    decided_at = models.DateTimeField(null=True, blank=True)  # None: before issue 14
    tried_agent_ids = models.JSONField(default=list, blank=True)
    outcome = models.CharField(max_length=32)  # offered | queued | waiting_behind_older

    # Sticky agent (issue 16): a returning caller within the line's `sticky_days` is offered
    # first to the agent who last served them. "" when the rule did not apply (off, or a
    # first call); `last_agent`: offered to them; `usual`: they were not eligible or free,
    # routing went on as usual (`sticky_reason` says why).
    class Sticky(models.TextChoices):
        LAST_AGENT = "last_agent", "Offered to the agent who last served this caller"
        USUAL = "usual", "The caller's last agent could not take it: routed as usual"

    sticky = models.CharField(max_length=10, choices=Sticky.choices, blank=True)
    sticky_agent = models.ForeignKey(
        AgentProfile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sticky_reason = models.CharField(max_length=200, blank=True)
    # Teams (issue 19). Scheduled-first: agents booked for the call's half-hour are ranked
    # before those merely available; `scheduled` says which tier the chosen agent came from
    # (None: nobody chosen). Franchise-first (the line's `route_franchise_first`): the
    # franchise whose agent was chosen, or None; `franchise_reason` says why, in words.
    scheduled = models.BooleanField(null=True, blank=True)
    franchise = models.ForeignKey(
        Franchise, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    franchise_reason = models.CharField(max_length=300, blank=True)
    elapsed_ms = models.FloatField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["call", "attempt", "id"]

    def __str__(self) -> str:
        return f"{self.call} #{self.attempt}: {self.outcome}"

    @property
    def judged_at(self):
        """The instant the explanation judges the rules of time at: the decision's own."""
        return self.decided_at or self.created_at

    @property
    def schedule_words(self) -> str:
        if self.scheduled is None:
            return ""
        return "scheduled for this half-hour" if self.scheduled else "not scheduled"


class ProviderRequest(models.Model):
    """A provider request already answered: a retry (same call, same step) gets the same answer.

    Twilio retries a webhook that timed out, and status callbacks are at-least-once; the key
    is the call id plus what identifies the step (path, digits, dial status, redirect number).
    """

    provider = models.CharField(max_length=32)
    key = models.CharField(max_length=64)  # sha256 of the step's identity
    status_code = models.PositiveSmallIntegerField(default=200)
    content_type = models.CharField(max_length=64)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "key"], name="routing_request_once"),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.key[:12]}"


class CallDay(models.Model):
    """One line's calls of one completed local day, rolled up (`routing.rollups`): what the
    firm's Calls page reads for past days instead of scanning every call. Today's figures
    come from the calls themselves (one day, on the (line, created_at) index).

    Written only by `callday_rollup`, an idempotent upsert from the raw calls (a day can be
    recomputed at any time); the webhooks never touch it. Counts follow `service_level`:
    after-hours calls are not offered, waits run from `queued_at` to the answer.
    """

    line = models.ForeignKey(PhoneLine, on_delete=models.CASCADE, related_name="days")
    firm = models.ForeignKey(ClientFirm, on_delete=models.CASCADE, related_name="call_days")
    day = models.DateField()  # the portal's local day (TIME_ZONE) of the call's created_at
    offered = models.PositiveIntegerField(default=0)  # every call but after-hours ones
    calls = models.PositiveIntegerField(default=0)  # every call, after-hours included
    answered = models.PositiveIntegerField(default=0)  # answered_at set (the chart's)
    waited = models.PositiveIntegerField(default=0)  # offered, queued and answered (the SL's)
    within_target = models.PositiveIntegerField(default=0)  # answered within target_seconds
    target_seconds = models.PositiveSmallIntegerField()  # the target within_target counts
    abandoned = models.PositiveIntegerField(default=0)
    talk_seconds_sum = models.PositiveBigIntegerField(default=0)
    talked = models.PositiveIntegerField(default=0)  # calls with talk_seconds (for the mean)
    wait_seconds_sum = models.FloatField(default=0)  # over the waited ones (for the ASA)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["line", "day"], name="routing_callday_once"),
        ]
        indexes = [models.Index(fields=["firm", "day"], name="routing_callday_firm_idx")]

    def __str__(self) -> str:
        return f"{self.line_id} {self.day}"


class CallHalfHour(models.Model):
    """One line's calls in one half-hour of one completed local day (slot 0 = 00:00–00:30,
    47 = 23:30–24:00, by the call's created_at): the Calls page's history by time of day.

    A table of its own, not an array on CallDay: "this month, by half-hour" is then a GROUP BY
    slot in SQL on both databases (a JSON array would be summed in Python, row by row), and a
    slot without calls has no row (most of the night). Written with CallDay by the same
    idempotent `callday_rollup`; its within_target counts against the day's CallDay target.
    """

    SLOTS = 48

    line = models.ForeignKey(PhoneLine, on_delete=models.CASCADE, related_name="half_hours")
    firm = models.ForeignKey(ClientFirm, on_delete=models.CASCADE, related_name="call_half_hours")
    day = models.DateField()
    slot = models.PositiveSmallIntegerField()  # 0..47: the half-hour of the local day
    offered = models.PositiveIntegerField(default=0)
    waited = models.PositiveIntegerField(default=0)
    within_target = models.PositiveIntegerField(default=0)
    abandoned = models.PositiveIntegerField(default=0)
    wait_seconds_sum = models.FloatField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["line", "day", "slot"], name="routing_callhalfhour_once"
            ),
            models.CheckConstraint(
                condition=Q(slot__gte=0, slot__lt=48), name="routing_callhalfhour_slot_range"
            ),
        ]
        indexes = [models.Index(fields=["firm", "day"], name="routing_callhalfhour_firm_idx")]

    def __str__(self) -> str:
        return f"{self.line_id} {self.day} #{self.slot}"


class CallAgentDay(models.Model):
    """One agent's share of one line's calls on one completed local day (`callday_rollup`):
    the per-agent figures of the firm's Calls page and the staff's agents page.

    `offered`: routing decisions that offered the agent a call of that day (a call rung out
    and offered to the next agent counts once for each); `answered`: the calls they answered;
    `chances`: decisions that listed the agent among the ranked candidates free to take the
    call (offered or not) — what the fairness view divides offers by.
    """

    agent = models.ForeignKey(AgentProfile, on_delete=models.CASCADE, related_name="call_days")
    line = models.ForeignKey(PhoneLine, on_delete=models.CASCADE, related_name="agent_days")
    firm = models.ForeignKey(ClientFirm, on_delete=models.CASCADE, related_name="agent_days")
    day = models.DateField()
    offered = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    chances = models.PositiveIntegerField(default=0)
    talked = models.PositiveIntegerField(default=0)
    talk_seconds_sum = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agent", "line", "day"], name="routing_callagentday_once"
            ),
        ]
        indexes = [
            models.Index(fields=["firm", "day"], name="routing_callagentday_firm_idx"),
            models.Index(fields=["day"], name="routing_callagentday_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.agent_id} {self.line_id} {self.day}"


# --- The agent's workspace and after the call (issue 16) -----------------------------------


class CallContext(models.Model):
    """What the firm said about the caller of one call: its lookup endpoint's answer or its
    contact record, cut to the fields the line shows (`fields`: [[name, value], …], encrypted
    at rest). Fetched once, when the agent's workspace first shows the offer; deleted when
    the agent's wrap-up ends unless the line keeps it (`PhoneLine.context_keep`). Every
    view of it by an agent is an audit record (`context_viewed`)."""

    class State(models.TextChoices):
        FOUND = "found", "Context found"
        NONE = "none", "No context for this caller"
        FAILED = "failed", "No context (the lookup failed)"

    call = models.OneToOneField(Call, on_delete=models.CASCADE, related_name="context")
    state = models.CharField(max_length=8, choices=State.choices)
    source = models.CharField(max_length=8)  # lookup | contacts (the line's, at fetch time)
    fields = EncryptedTextField(blank=True)  # JSON text: [[name, value], …]
    error = models.CharField(max_length=200, blank=True)  # why none: for staff, not agents
    elapsed_ms = models.PositiveIntegerField(default=0)
    fetched_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"context of {self.call_id}: {self.state}"


class CallbackRequest(models.Model):
    """A caller waiting to be called back: a voicemail left, or a call the agent closed
    with a "callback needed" disposition. The firm's and the agency's callback queue; the
    call back itself is the outbound campaigns' (issue 17)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ASSIGNED = "assigned", "Assigned"
        DONE = "done", "Done"

    class Reason(models.TextChoices):
        VOICEMAIL = "voicemail", "Voicemail"
        DISPOSITION = "disposition", "Agent asked for a callback"

    call = models.OneToOneField(Call, on_delete=models.PROTECT, related_name="callback")
    firm = models.ForeignKey(ClientFirm, on_delete=models.PROTECT, related_name="callbacks")
    line = models.ForeignKey(PhoneLine, on_delete=models.PROTECT, related_name="callbacks")
    reason = models.CharField(max_length=12, choices=Reason.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    assigned_agent = models.ForeignKey(
        AgentProfile, null=True, blank=True, on_delete=models.PROTECT, related_name="callbacks"
    )
    note = models.CharField(max_length=500, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="assigned") | Q(assigned_agent__isnull=False),
                name="routing_callback_assigned_has_agent",
            ),
        ]
        indexes = [
            models.Index(fields=["firm", "status", "created_at"], name="routing_callback_firm_idx"),
            models.Index(fields=["status", "created_at"], name="routing_callback_status_idx"),
        ]

    def __str__(self) -> str:
        return f"callback for {self.call_id}: {self.status}"


class CallScore(models.Model):
    """One scorer's quality score of one call on one of the firm's scorecards: the weighted
    mean of the ratings as a percentage, with the scorer's comment for the agent."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="scores")
    scorecard = models.ForeignKey(Scorecard, on_delete=models.PROTECT, related_name="scores")
    agent = models.ForeignKey(AgentProfile, on_delete=models.PROTECT, related_name="scores")
    firm = models.ForeignKey(ClientFirm, on_delete=models.PROTECT, related_name="call_scores")
    scorer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    percent = models.DecimalField(max_digits=5, decimal_places=2)
    comment = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "scorecard", "scorer"], name="routing_callscore_once"
            ),
            models.CheckConstraint(
                condition=Q(percent__gte=0, percent__lte=100), name="routing_callscore_percent"
            ),
        ]
        indexes = [
            models.Index(fields=["agent", "created_at"], name="routing_callscore_agent_idx"),
            models.Index(fields=["firm", "created_at"], name="routing_callscore_firm_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.call_id}: {self.percent}%"


class CallScoreItem(models.Model):
    """One criterion's rating, with the criterion's label and weight as they were."""

    score = models.ForeignKey(CallScore, on_delete=models.CASCADE, related_name="items")
    criterion = models.ForeignKey(
        ScorecardCriterion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    label = models.CharField(max_length=150)
    weight = models.PositiveSmallIntegerField()
    rating = models.PositiveSmallIntegerField(validators=SCORE_RATING.validators())

    class Meta:
        ordering = ["score", "id"]
        constraints = [SCORE_RATING.check("rating", name="routing_callscoreitem_rating_range")]

    def __str__(self) -> str:
        return f"{self.label}: {self.rating}"


COACHING_NOTE_MAX = 2000


class CoachingNote(models.Model):
    """A team lead's note on a call of one of their team (issue 19): shown on the call's page
    to the lead and to the agent in their call history. Written by
    `routing.services.coaching.coaching_note_add` only (the lead's own team's calls)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="coaching_notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coaching_notes"
    )
    text = models.TextField(max_length=COACHING_NOTE_MAX)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Note on call {self.call_id} by {self.author_id}"
