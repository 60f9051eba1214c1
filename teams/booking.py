"""Booking half-hour slots: book, release, offer a swap, accept it; no-shows told to leads.

Every write locks the slot's row first (`select_for_update`), then re-reads what it decides
on: two agents booking the last place of a slot at once queue on that lock, and the second
finds it full. Lock order: the slot, then its bookings — the same in every service, so
two of them never wait on each other crosswise.
"""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Notification, User
from accounts.notifications import notification_send
from agents.models import AgentProfile
from common.errors import ConflictError, NotAllowed, require_role
from teams.adherence import agent_rating, no_show_minutes
from teams.models import Booking, Franchise, Slot
from teams.selectors import duty_spells, engagement_on, minutes_on_duty

LATE_RELEASE = dt.timedelta(hours=48)  # a release closer than this counts against adherence
SWAP_CUTOFF = dt.timedelta(hours=2)  # swaps close this long before the slot starts


def _agent_of(actor: User) -> AgentProfile:
    require_role(actor, User.Role.AGENT, message="Only agents book half-hours.")
    agent = AgentProfile.objects.filter(user=actor).first()
    if agent is None or agent.status != AgentProfile.Status.VERIFIED:
        raise NotAllowed("Only verified agents book half-hours.")
    return agent


def _locked_slot(slot_id: int) -> Slot:
    slot = Slot.objects.select_for_update().select_related("request").filter(pk=slot_id).first()
    if slot is None:
        raise ConflictError("That half-hour is no longer open.")
    return slot


def _live_count(slot: Slot) -> int:
    return slot.bookings.filter(status=Booking.Status.BOOKED).count()


def round_two_at(slot: Slot) -> dt.datetime:
    return slot.opened_at + dt.timedelta(hours=settings.TEAMS_ROUND_TWO_AFTER_HOURS)


def _check_round(agent: AgentProfile, slot: Slot, now: dt.datetime) -> None:
    """Round 1 (from the slot's opening) is for agents rated at least the setting; round 2
    (TEAMS_ROUND_TWO_AFTER_HOURS later) for every engaged agent."""
    if now >= round_two_at(slot):
        return
    rating = agent_rating(agent=agent, now=now)
    if rating is None or rating < settings.TEAMS_ROUND_ONE_MIN_RATING:
        raise ConflictError(
            "Booking opens first for agents with adherence of at least "
            f"{settings.TEAMS_ROUND_ONE_MIN_RATING}% over the last four weeks; it opens for "
            f"you at {round_two_at(slot):%Y-%m-%d %H:%M} UTC."
        )


def _check_engaged(agent: AgentProfile, slot: Slot, *, who: str = "You are") -> None:
    if engagement_on(agent=agent, request_id=slot.request_id, at=slot.starts_at) is None:
        raise NotAllowed(f"{who} not engaged on this request for that day.")


@transaction.atomic
def booking_book(*, actor: User, slot_id: int, now: dt.datetime | None = None) -> Booking:
    """Take one place in the slot for the actor, if the rules allow it."""
    now = now or timezone.now()
    agent = _agent_of(actor)
    slot = _locked_slot(slot_id)  # the race: two agents after the last place
    if slot.starts_at <= now:
        raise ConflictError("That half-hour has started: it can no longer be booked.")
    _check_engaged(agent, slot)
    if slot.bookings.filter(agent=agent, status=Booking.Status.BOOKED).exists():
        raise ConflictError("You have already booked this half-hour.")
    _check_round(agent, slot, now)
    if _live_count(slot) >= slot.needed:
        raise ConflictError("This half-hour is full: every place needed is booked.")
    try:
        with transaction.atomic():
            return Booking.objects.create(slot=slot, agent=agent, booked_at=now)
    except IntegrityError as error:  # the one-live-booking constraint
        raise ConflictError("You have already booked this half-hour.") from error


def _locked_booking(slot: Slot, booking_id: int) -> Booking:
    return Booking.objects.select_for_update().get(pk=booking_id, slot=slot)


def _slot_of_booking(booking_id: int) -> Slot:
    slot_id = Booking.objects.filter(pk=booking_id).values_list("slot_id", flat=True).first()
    if slot_id is None:
        raise ConflictError("That booking does not exist.")
    return _locked_slot(slot_id)


def _own_live_booking(actor: User, booking_id: int) -> tuple[AgentProfile, Slot, Booking]:
    """The actor's agent, and their live booking with its slot, both locked (slot first)."""
    agent = _agent_of(actor)
    slot = _slot_of_booking(booking_id)
    booking = _locked_booking(slot, booking_id)
    if booking.agent_id != agent.pk:
        raise NotAllowed("That booking is not yours.")
    if booking.status != Booking.Status.BOOKED:
        raise ConflictError("That booking is no longer live.")
    return agent, slot, booking


@transaction.atomic
def booking_release(*, actor: User, booking_id: int, now: dt.datetime | None = None) -> Booking:
    """Give the place back, until the slot starts; inside 48 hours it is a late release."""
    now = now or timezone.now()
    _, slot, booking = _own_live_booking(actor, booking_id)
    if slot.starts_at <= now:
        raise ConflictError("That half-hour has started: it can no longer be released.")
    booking.status, booking.released_at = Booking.Status.RELEASED, now
    booking.late_release = slot.starts_at - now < LATE_RELEASE
    booking.offered_to = None
    booking.save(update_fields=["status", "released_at", "late_release", "offered_to"])
    return booking


def _check_swap_window(slot: Slot, now: dt.datetime) -> None:
    if slot.starts_at - now < SWAP_CUTOFF:
        raise ConflictError("Swaps close 2 hours before the half-hour starts.")


@transaction.atomic
def booking_swap_offer(
    *, actor: User, booking_id: int, to_agent_id: int, now: dt.datetime | None = None
) -> Booking:
    """Offer the actor's booking to another agent engaged on the same request."""
    now = now or timezone.now()
    agent, slot, booking = _own_live_booking(actor, booking_id)
    _check_swap_window(slot, now)
    other = AgentProfile.objects.filter(pk=to_agent_id, status=AgentProfile.Status.VERIFIED)
    other = other.first()
    if other is None or other.pk == agent.pk:
        raise ConflictError("Choose another engaged agent of this request.")
    _check_engaged(other, slot, who="That agent is")
    if slot.bookings.filter(agent=other, status=Booking.Status.BOOKED).exists():
        raise ConflictError("That agent has already booked this half-hour.")
    booking.offered_to = other
    booking.save(update_fields=["offered_to"])
    return booking


@transaction.atomic
def booking_swap_accept(*, actor: User, booking_id: int, now: dt.datetime | None = None) -> Booking:
    """The agent offered a booking takes it over: the old one SWAPPED, theirs BOOKED."""
    now = now or timezone.now()
    agent = _agent_of(actor)
    slot = _slot_of_booking(booking_id)
    old = _locked_booking(slot, booking_id)
    if old.offered_to_id != agent.pk or old.status != Booking.Status.BOOKED:
        raise ConflictError("That swap is no longer on offer to you.")
    _check_swap_window(slot, now)
    _check_engaged(agent, slot)
    if slot.bookings.filter(agent=agent, status=Booking.Status.BOOKED).exists():
        raise ConflictError("You have already booked this half-hour.")
    old.status, old.released_at, old.offered_to = Booking.Status.SWAPPED, now, None
    old.save(update_fields=["status", "released_at", "offered_to"])
    return Booking.objects.create(slot=slot, agent=agent, booked_at=now, swapped_from=old)


@transaction.atomic
def booking_swap_withdraw(*, actor: User, booking_id: int) -> Booking:
    """The offering agent takes the offer back, or the agent offered it declines."""
    agent = _agent_of(actor)
    slot = _slot_of_booking(booking_id)
    booking = _locked_booking(slot, booking_id)
    if agent.pk not in {booking.agent_id, booking.offered_to_id} or booking.offered_to_id is None:
        raise ConflictError("That swap is no longer on offer.")
    booking.offered_to = None
    booking.save(update_fields=["offered_to"])
    return booking


def no_shows_notify(*, now: dt.datetime | None = None) -> int:
    """Tell each franchise lead of their agents' no-shows in the last two hours (once per
    booking: the notification's key). Returns how many leads were told."""
    now = now or timezone.now()
    minutes = no_show_minutes()
    grace = dt.timedelta(minutes=minutes)
    candidates = Booking.objects.filter(
        status=Booking.Status.BOOKED,
        slot__starts_at__lte=now - grace,
        slot__starts_at__gt=now - dt.timedelta(hours=2),
        agent__franchise_seat__franchise__lead__isnull=False,
    ).select_related("slot__request", "agent__franchise_seat__franchise__lead")
    candidates = list(candidates)
    if not candidates:
        return 0
    # The agents' spells read once (adherence's own reading): a no-show is no minute on duty
    # in the slot's first `grace`, as `adherence_figures` counts it.
    spells = duty_spells(
        agent_ids={b.agent_id for b in candidates},
        start=min(b.slot.starts_at for b in candidates),
        end=max(b.slot.starts_at for b in candidates) + grace,
        now=now,
    )
    told = 0
    for booking in candidates:
        start = booking.slot.starts_at
        if minutes_on_duty(start, start + grace, spells[booking.agent_id]):
            continue
        franchise: Franchise = booking.agent.franchise_seat.franchise
        told += notification_send(
            users=[franchise.lead],
            kind=Notification.Kind.NO_SHOW,
            title=f"{booking.agent.full_name or 'An agent'} missed a booked half-hour",
            body=(
                f"{booking.slot.request.title}, {start:%Y-%m-%d %H:%M} UTC: no duty in the first "
                f"{minutes} minutes."
            ),
            key=f"no_show:{booking.pk}",
        )
    return told
