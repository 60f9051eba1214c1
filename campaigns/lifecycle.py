"""A campaign's life: draft -> scheduled -> running <-> paused -> completed.

Every move locks the campaign row (`select_for_update`) and decides on that fresh copy, so
two moves at once serialise and the second one sees the first's result (a double "pause"
is refused, not done twice). An illegal move is a `ConflictError` with a plain message and
changes nothing. Each move is audited.

Who may: the firm's admins for a partial-BPO firm; for a complete-BPO firm the agency runs
the campaigns (its administrators may act on any firm's), and the firm's own users only
look. The dialer (campaigns.dialer) re-reads the campaign's status before every dial, so a
pause here stops new dials at once.

Targets (`CampaignContact`) are materialised set-based: one INSERT … SELECT from the lists'
members, skipping contacts already on the campaign, so a list of a million contacts never
passes through Python.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from agents.models import speciality_error
from campaigns.consent import registry_current
from campaigns.hours import PROMOTIONAL_END, PROMOTIONAL_START
from campaigns.models import (
    FIELDS_SHOWN_MAX,
    Campaign,
    CampaignAgent,
    CampaignContact,
    ContactList,
    ListMember,
)
from clients.models import ClientFirm, Engagement, Language, PhoneLine
from clients.services import NotAllowed, require_firm_admin
from common.audit import audit_log
from common.errors import ApplicationError, ConflictError
from common.limits import instance_check
from common.models import AuditAction

Status = Campaign.Status

# What the create/edit form sets. Lists and agents have services of their own.
FIELDS = (
    "name",
    "purpose",
    "category",
    "mode",
    "line",
    "sub_skill",
    "languages",
    "fields_shown",
    "starts_on",
    "ends_on",
    "window_start",
    "window_end",
    "excluded_weekdays",
    "excluded_dates",
    "retry_no_answer_minutes",
    "retry_busy_minutes",
    "retry_failed_minutes",
    "retry_machine_minutes",
    "max_attempts",
    "max_attempts_per_day",
)
# Changed at any time before the end; every other field only in draft or while paused (a
# scheduled campaign's readiness was checked, a running one is being dialled).
ALWAYS_EDITABLE = frozenset({"name", "ends_on"})
EDITABLE_IN = frozenset({Status.DRAFT, Status.PAUSED})
FIELD_NAME_MAX = 40
BATCH = 5000  # targets withdrawn per UPDATE when a list leaves a live campaign

# The sweep's clocks. A campaign starts on its first day as the agency counts days; it ends
# once its last day is over everywhere on earth (the zone furthest behind, UTC-12), so a
# contact far west of India still gets the last day the campaign promised. Calls themselves
# keep to the days in the contact's own zone (campaigns.hours).
LAST_ZONE = ZoneInfo("Etc/GMT+12")


# --- Who may ------------------------------------------------------------------------------


def is_agency_admin(user: User | None) -> bool:
    return user is not None and user.is_active and user.has_role(User.Role.ADMIN)


def require_campaign_runner(*, actor: User | None, firm: ClientFirm) -> None:
    """The agency's administrators for any firm; a partial-BPO firm's own admins for theirs."""
    if is_agency_admin(actor):
        return
    if actor is None or not actor.is_active:
        raise NotAllowed("Sign in to manage campaigns.")
    if not firm.is_partial:
        raise NotAllowed(
            "The agency runs your campaigns (complete BPO): ask your account manager for changes."
        )
    require_firm_admin(user=actor, firm=firm)


def can_run_campaigns(*, user: User, firm: ClientFirm) -> bool:
    """For pages: whether to show the buttons (the services decide again)."""
    try:
        require_campaign_runner(actor=user, firm=firm)
    except NotAllowed:
        return False
    return True


# --- Checks -------------------------------------------------------------------------------


def _locked(campaign: Campaign) -> Campaign:
    # Lock, then re-read: the move is decided on the row as it is now, not on the copy the
    # caller loaded (another admin, or the sweep, may have moved it since).
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


def _moving(campaign: Campaign, *, actor: User, move: str, allowed_from: set) -> Campaign:
    """A lifecycle move begins the same way each time: the actor may run the firm's
    campaigns, the row is locked and re-read, and the move is one its status allows."""
    require_campaign_runner(actor=actor, firm=campaign.firm)
    campaign = _locked(campaign)
    _refuse_move(campaign, move, allowed_from)
    return campaign


def _refuse_move(campaign: Campaign, move: str, allowed_from: set) -> None:
    if campaign.status not in allowed_from:
        froms = " or ".join(sorted(Status(s).label.lower() for s in allowed_from))
        raise ConflictError(
            f"Only a {froms} campaign can be {move}; this one is "
            f"{campaign.get_status_display().lower()}.",
            extra={"status": campaign.status},
        )


def _window_check(campaign: Campaign) -> None:
    if campaign.window_start >= campaign.window_end:
        raise ApplicationError("The calling window must end after it starts.", field="window_end")
    if campaign.purpose == Campaign.Purpose.PROMOTIONAL and (
        campaign.window_start < PROMOTIONAL_START or campaign.window_end > PROMOTIONAL_END
    ):
        # Refused rather than quietly narrowed: the firm should see the hours it will get.
        raise ApplicationError(
            "Promotional calls may only be made from 09:00 to 21:00 in the contact's own time: "
            "choose a window inside those hours.",
            field="window_start" if campaign.window_start < PROMOTIONAL_START else "window_end",
        )


def _fields_check(campaign: Campaign) -> None:
    """What the model cannot say by itself: the lists of codes, dates and field names."""
    if campaign.line.firm_id != campaign.firm_id:
        raise ApplicationError("Choose one of your own lines as the caller ID.", field="line")
    why = speciality_error(campaign.line.domain, campaign.sub_skill)
    if why:
        raise ApplicationError(why, field="sub_skill")
    if not isinstance(campaign.languages, list) or any(
        code not in Language.values for code in campaign.languages
    ):
        raise ApplicationError("Choose languages from the list.", field="languages")
    days = campaign.excluded_weekdays
    if not isinstance(days, list) or any(d not in range(7) for d in days):
        raise ApplicationError("Weekdays are 0 (Monday) to 6 (Sunday).", field="excluded_weekdays")
    try:
        [dt.date.fromisoformat(d) for d in campaign.excluded_dates]
    except (TypeError, ValueError) as error:
        raise ApplicationError(
            "Give excluded dates as YYYY-MM-DD.", field="excluded_dates"
        ) from error
    shown = campaign.fields_shown
    if not isinstance(shown, list) or len(shown) > FIELDS_SHOWN_MAX:
        raise ApplicationError(
            f"Show agents at most {FIELDS_SHOWN_MAX} fields.", field="fields_shown"
        )
    if any(not isinstance(f, str) or not f.strip() or len(f) > FIELD_NAME_MAX for f in shown):
        raise ApplicationError(
            f"Field names are 1 to {FIELD_NAME_MAX} characters.", field="fields_shown"
        )
    if campaign.starts_on > campaign.ends_on:
        raise ApplicationError("The campaign must end on or after its first day.", field="ends_on")
    instance_check(campaign, exclude=["firm", "line", "created_by"])
    _window_check(campaign)


def _normalised(fields: dict) -> dict:
    fields = dict(fields)
    for name in ("excluded_dates",):
        if name in fields:
            fields[name] = sorted({str(d) for d in fields[name]})
    for name in ("excluded_weekdays",):
        if name in fields:
            fields[name] = sorted({int(d) for d in fields[name]})
    if "languages" in fields:
        fields["languages"] = sorted(set(fields["languages"]))
    if "fields_shown" in fields:
        fields["fields_shown"] = [f.strip() for f in fields["fields_shown"]]
    return fields


def _plain(value):
    """A field's value as the audit record (JSON) and the change test compare it."""
    if isinstance(value, PhoneLine):
        return value.pk
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


def _snapshot(campaign: Campaign, names) -> dict:
    return {name: _plain(getattr(campaign, name)) for name in names}


# --- Creating and editing -----------------------------------------------------------------


@transaction.atomic
def campaign_create(
    *, actor: User, firm: ClientFirm, lists: list[ContactList] | None = None, **fields
) -> Campaign:
    """A draft campaign of `firm` (its lists too, when given)."""
    require_campaign_runner(actor=actor, firm=firm)
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ApplicationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    campaign = Campaign(firm=firm, created_by=actor, **_normalised(fields))
    _fields_check(campaign)
    campaign.save()
    audit_log(actor=actor, action=AuditAction.CAMPAIGN_CREATED, target=campaign, name=campaign.name)
    if lists:
        campaign_lists_set(actor=actor, campaign=campaign, lists=lists)
    return campaign


@transaction.atomic
def campaign_update(
    *, actor: User, campaign: Campaign, lists: list[ContactList] | None = None, **fields
) -> Campaign:
    """Change the fields given: the name and last day at any time before the end, the rest in
    draft or while paused; and its lists, when given and different."""
    require_campaign_runner(actor=actor, firm=campaign.firm)
    campaign = _locked(campaign)
    if lists is not None and {li.pk for li in lists} != set(
        campaign.lists.values_list("pk", flat=True)
    ):
        campaign_lists_set(actor=actor, campaign=campaign, lists=lists)
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ApplicationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    fields = _normalised(fields)
    changed = {
        name: value
        for name, value in fields.items()
        if _plain(getattr(campaign, name)) != _plain(value)
    }
    if campaign.status == Status.COMPLETED and changed:
        raise ConflictError("A completed campaign cannot be changed.")
    locked = sorted(set(changed) - ALWAYS_EDITABLE)
    if locked and campaign.status not in EDITABLE_IN:
        raise ConflictError(
            f"A {campaign.get_status_display().lower()} campaign's settings cannot be changed: "
            "pause it first (only its name and last day can change now).",
            extra={"fields": locked},
        )
    if not changed:
        return campaign
    before = _snapshot(campaign, changed)
    for name, value in changed.items():
        setattr(campaign, name, value)
    _fields_check(campaign)
    if campaign.status != Status.DRAFT and campaign.ends_on < timezone.localdate():
        raise ApplicationError("The last day cannot be in the past.", field="ends_on")
    campaign.save(update_fields=list(changed))
    audit_log(
        actor=actor,
        action=AuditAction.CAMPAIGN_UPDATED,
        target=campaign,
        before=before,
        after=_snapshot(campaign, changed),
    )
    return campaign


@transaction.atomic
def campaign_agents_set(
    *, actor: User, campaign: Campaign, engagements: list[Engagement]
) -> list[CampaignAgent]:
    """The agents who work the campaign: each an active engagement of the campaign's firm
    that lists its line. Replaces the set; agents left out stop getting its contacts."""
    require_campaign_runner(actor=actor, firm=campaign.firm)
    campaign = _locked(campaign)
    if campaign.status == Status.COMPLETED:
        raise ConflictError("A completed campaign's agents cannot be changed.")
    ids = sorted({e.pk for e in engagements})
    covering = {
        e.pk: e
        for e in Engagement.objects.on_line(campaign.line_id)
        .filter(firm_id=campaign.firm_id, pk__in=ids)
        .select_related("agent")
        .distinct()
    }
    for engagement in engagements:
        if engagement.pk not in covering:
            raise ApplicationError(
                f"{engagement.agent.full_name} is not engaged on the line "
                f"“{campaign.line.name}”: choose agents whose active engagement lists it.",
                field="engagements",
            )
    agents = [e.agent_id for e in covering.values()]
    if len(agents) != len(set(agents)):
        raise ApplicationError("Choose each agent once.", field="engagements")
    before = sorted(campaign.assignments.values_list("engagement_id", flat=True))
    campaign.assignments.exclude(engagement_id__in=ids).delete()
    CampaignAgent.objects.bulk_create(
        [
            CampaignAgent(campaign=campaign, engagement=e, agent_id=e.agent_id)
            for pk, e in sorted(covering.items())
            if pk not in before
        ]
    )
    audit_log(
        actor=actor,
        action=AuditAction.CAMPAIGN_AGENTS_SET,
        target=campaign,
        before={"engagements": before},
        after={"engagements": ids},
    )
    return list(campaign.assignments.select_related("agent", "engagement"))


@transaction.atomic
def campaign_lists_set(*, actor: User, campaign: Campaign, lists: list[ContactList]) -> int:
    """The lists a campaign calls. On a live campaign (scheduled, running, paused) the new
    lists' contacts join at once, and contacts on none of its lists any more are withdrawn
    (those not yet called; attempts made stay, with their proof). Returns targets added."""
    require_campaign_runner(actor=actor, firm=campaign.firm)
    campaign = _locked(campaign)
    if campaign.status == Status.COMPLETED:
        raise ConflictError("A completed campaign's lists cannot be changed.")
    if any(li.firm_id != campaign.firm_id for li in lists):
        raise ApplicationError("Choose your own contact lists.", field="lists")
    before = sorted(campaign.lists.values_list("pk", flat=True))
    campaign.lists.set(lists)
    after = sorted(li.pk for li in lists)
    audit_log(
        actor=actor,
        action=AuditAction.CAMPAIGN_LISTS_SET,
        target=campaign,
        before={"lists": before},
        after={"lists": after},
    )
    if campaign.status == Status.DRAFT:
        return 0
    if set(before) - set(after):
        targets_withdraw(campaign=campaign)
    return targets_materialise(campaign=campaign)


# --- Moves ---------------------------------------------------------------------------------


def _readiness_check(campaign: Campaign, *, at: dt.datetime) -> None:
    """What a campaign needs before it may be scheduled (and again when it starts)."""
    if campaign.kind != Campaign.Kind.CAMPAIGN:
        raise ConflictError("A line's callbacks run by themselves.")
    line = campaign.line
    if line.firm_id != campaign.firm_id or not line.is_active:
        raise ApplicationError(
            "The caller ID must be one of your active lines: choose another line.", field="line"
        )
    if not campaign.lists.exists():
        raise ApplicationError("Choose at least one contact list to call.", field="lists")
    live = Engagement.objects.on_line(campaign.line_id).filter(firm_id=campaign.firm_id)
    if not campaign.assignments.filter(engagement__in=live).exists():
        raise ApplicationError(
            "Choose at least one agent engaged on the campaign's line.", field="engagements"
        )
    if campaign.ends_on < timezone.localdate(at):
        raise ApplicationError(
            "The campaign's last day has passed: choose new dates.", field="ends_on"
        )
    _fields_check(campaign)
    if campaign.purpose == Campaign.Purpose.PROMOTIONAL and registry_current(at=at) is None:
        raise ApplicationError(
            "Promotional campaigns need a current extract of the national do-not-call "
            "registry, and none has been uploaded lately: ask the agency to upload one."
        )


def _move(
    campaign: Campaign,
    *,
    actor: User | None,
    action: AuditAction,
    to: str,
    at: dt.datetime,
    **stamps,
) -> Campaign:
    before = campaign.status
    campaign.status = to
    for name, value in stamps.items():
        setattr(campaign, name, value)
    campaign.save(update_fields=["status", *stamps])
    audit_log(
        actor=actor,
        action=action,
        target=campaign,
        before={"status": before},
        after={"status": to},
        at=at.isoformat(),
    )
    return campaign


@transaction.atomic
def campaign_schedule(*, actor: User, campaign: Campaign, at: dt.datetime | None = None):
    """Draft -> scheduled: it has lists, agents on its line, a line of the firm, dates to
    come, a valid window and (promotional) a current registry extract. Its contacts become
    targets now; it starts on its first day (the sweep) or when started by hand."""
    at = at or timezone.now()
    campaign = _moving(campaign, actor=actor, move="scheduled", allowed_from={Status.DRAFT})
    _readiness_check(campaign, at=at)
    _move(
        campaign,
        actor=actor,
        action=AuditAction.CAMPAIGN_SCHEDULED,
        to=Status.SCHEDULED,
        at=at,
        scheduled_at=at,
    )
    targets_materialise(campaign=campaign, at=at)
    return campaign


def _start(campaign: Campaign, *, actor: User | None, at: dt.datetime) -> Campaign:
    _move(
        campaign,
        actor=actor,
        action=AuditAction.CAMPAIGN_STARTED,
        to=Status.RUNNING,
        at=at,
        started_at=at,
    )
    targets_materialise(campaign=campaign, at=at)  # contacts imported since it was scheduled
    return campaign


@transaction.atomic
def campaign_start(*, actor: User, campaign: Campaign, at: dt.datetime | None = None):
    """Scheduled -> running, by hand, once its first day has come."""
    at = at or timezone.now()
    campaign = _moving(campaign, actor=actor, move="started", allowed_from={Status.SCHEDULED})
    if campaign.starts_on > timezone.localdate(at):
        raise ConflictError(
            f"This campaign starts on {campaign.starts_on:%d %b %Y}: it starts by itself then."
        )
    _readiness_check(campaign, at=at)
    return _start(campaign, actor=actor, at=at)


@transaction.atomic
def campaign_pause(*, actor: User, campaign: Campaign, at: dt.datetime | None = None):
    """Running -> paused. The dialer re-reads the status before each dial: no new calls from
    now; calls already live end as usual."""
    at = at or timezone.now()
    campaign = _moving(campaign, actor=actor, move="paused", allowed_from={Status.RUNNING})
    return _move(
        campaign,
        actor=actor,
        action=AuditAction.CAMPAIGN_PAUSED,
        to=Status.PAUSED,
        at=at,
        paused_at=at,
    )


@transaction.atomic
def campaign_resume(*, actor: User, campaign: Campaign, at: dt.datetime | None = None):
    """Paused -> running (its settings, changed while paused, are checked again)."""
    at = at or timezone.now()
    campaign = _moving(campaign, actor=actor, move="resumed", allowed_from={Status.PAUSED})
    if campaign.ends_on < timezone.localdate(at):
        raise ConflictError("The campaign's last day has passed: complete it instead.")
    _readiness_check(campaign, at=at)
    _move(
        campaign,
        actor=actor,
        action=AuditAction.CAMPAIGN_RESUMED,
        to=Status.RUNNING,
        at=at,
        paused_at=None,
    )
    targets_materialise(campaign=campaign, at=at)
    return campaign


def _complete(campaign: Campaign, *, actor: User | None, at: dt.datetime) -> Campaign:
    _move(
        campaign,
        actor=actor,
        action=AuditAction.CAMPAIGN_COMPLETED,
        to=Status.COMPLETED,
        at=at,
        completed_at=at,
    )
    # Contacts not being called now are done; one being dialled ends with its call.
    CampaignContact.objects.filter(
        campaign=campaign,
        state__in=[CampaignContact.State.PENDING, CampaignContact.State.PREVIEW],
    ).update(state=CampaignContact.State.DONE, agent=None, held_until=None, updated_at=at)
    return campaign


@transaction.atomic
def campaign_complete(*, actor: User, campaign: Campaign, at: dt.datetime | None = None):
    """Running or paused -> completed: nobody is called again; targets left become done."""
    at = at or timezone.now()
    campaign = _moving(
        campaign, actor=actor, move="completed", allowed_from={Status.RUNNING, Status.PAUSED}
    )
    return _complete(campaign, actor=actor, at=at)


def campaigns_due(*, at: dt.datetime | None = None) -> dict[str, list[int]]:
    """The sweep: scheduled campaigns whose first day has come start; running and paused
    ones whose last day is over everywhere complete. Each in its own transaction, decided on
    the locked row (a campaign paused or completed by hand meanwhile is left alone). A
    scheduled campaign that is no longer ready (its agents' engagements ended) stays
    scheduled: its page says why when someone starts it."""
    at = at or timezone.now()
    started, completed = [], []
    today = timezone.localdate(at)
    for pk in Campaign.objects.filter(
        status=Status.SCHEDULED, kind=Campaign.Kind.CAMPAIGN, starts_on__lte=today
    ).values_list("pk", flat=True):
        with transaction.atomic():
            campaign = Campaign.objects.select_for_update().get(pk=pk)
            if campaign.status != Status.SCHEDULED:
                continue
            try:
                _readiness_check(campaign, at=at)
            except ApplicationError:
                continue
            _start(campaign, actor=None, at=at)
            started.append(pk)
    over = at.astimezone(LAST_ZONE).date()
    for pk in Campaign.objects.filter(
        status__in=[Status.RUNNING, Status.PAUSED], ends_on__lt=over
    ).values_list("pk", flat=True):
        with transaction.atomic():
            campaign = Campaign.objects.select_for_update().get(pk=pk)
            if campaign.status in (Status.RUNNING, Status.PAUSED) and campaign.ends_on < over:
                _complete(campaign, actor=None, at=at)
                completed.append(pk)
    return {"started": started, "completed": completed}


# --- Targets -------------------------------------------------------------------------------


def targets_materialise(*, campaign: Campaign, at: dt.datetime | None = None) -> int:
    """Every contact on the campaign's lists becomes a target (once: the unique (campaign,
    contact) skips those already there), due now. One INSERT … SELECT … ON CONFLICT DO
    NOTHING, which both PostgreSQL and SQLite (3.24+) run: a million contacts never load
    into Python. Returns how many were added."""
    at = at or timezone.now()
    through = Campaign.lists.through._meta
    target = CampaignContact._meta
    member = ListMember._meta
    contact = ListMember._meta.get_field("contact").related_model._meta
    qn = connection.ops.quote_name
    sql = (
        f"INSERT INTO {qn(target.db_table)} "  # noqa: S608 (the models' own table names)
        "(campaign_id, contact_id, state, next_attempt_at, attempts, attempts_today, number, "
        "last_outcome, updated_at) "
        "SELECT DISTINCT %s, m.contact_id, %s, %s, 0, 0, '', '', %s "
        f"FROM {qn(member.db_table)} m "
        f"JOIN {qn(through.db_table)} cl ON cl.contactlist_id = m.contact_list_id "
        f"JOIN {qn(contact.db_table)} c ON c.id = m.contact_id "
        "WHERE cl.campaign_id = %s AND c.firm_id = %s "
        "ON CONFLICT (campaign_id, contact_id) DO NOTHING"
    )
    field = CampaignContact._meta.get_field("next_attempt_at")
    when = field.get_db_prep_value(at, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [campaign.pk, CampaignContact.State.PENDING, when, when, campaign.pk, campaign.firm_id],
        )
        return max(cursor.rowcount, 0)


def targets_withdraw(*, campaign: Campaign) -> int:
    """Pending targets whose contact is on none of the campaign's lists any more are done
    (not deleted: their attempts and proof stay). In batches, by id."""
    listed = ListMember.objects.filter(contact_list__campaigns=campaign).values("contact_id")
    withdrawn = 0
    while True:
        ids = list(
            CampaignContact.objects.filter(campaign=campaign, state=CampaignContact.State.PENDING)
            .exclude(contact_id__in=listed)
            .values_list("pk", flat=True)[:BATCH]
        )
        if not ids:
            return withdrawn
        withdrawn += CampaignContact.objects.filter(pk__in=ids).update(
            state=CampaignContact.State.DONE, last_outcome="withdrawn", agent=None, held_until=None
        )


def lists_changed(*, contact_list: ContactList) -> int:
    """After an import into `contact_list`: its new contacts join every live campaign that
    calls it (imports call this inside their own transaction)."""
    added = 0
    live = [Status.SCHEDULED, Status.RUNNING, Status.PAUSED]
    for campaign in contact_list.campaigns.filter(status__in=live).order_by("pk"):
        added += targets_materialise(campaign=campaign)
    return added
