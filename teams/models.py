"""Local teams and half-hour schedules (issue 19).

A `Franchise` is a named local team the agency creates: a city from the gazetteer (its
coordinates are what franchise-first routing measures from), a lead (a user with the
"team lead" role) and its agents, each in at most one franchise (`FranchiseMember.agent` is
one-to-one).

A `Slot` is one half-hour of a staffing request's week with the number of agents it needs
(Erlang C on the request's demand for that half-hour, after shrinkage); a `Booking` is one
agent holding one place in it. At most one live booking per agent and slot (a constraint);
never more live bookings than the slot needs (the booking service locks the slot's row).
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from agents.models import GEONAME_ID, AgentProfile
from clients.models import StaffingRequest
from common.limits import Range

SLOT_MINUTES = 30
SLOT = dt.timedelta(minutes=SLOT_MINUTES)


def half_hour_label(half_hour: int) -> str:
    """ "07:30" for the day's half-hour 15 (0 = midnight)."""
    return f"{half_hour // 2:02d}:{30 * (half_hour % 2):02d}"


class Franchise(models.Model):
    name = models.CharField(max_length=100, unique=True)
    geoname_id = models.IntegerField(validators=GEONAME_ID.validators())
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=100, blank=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    lead = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_franchise",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.city})"


class FranchiseMember(models.Model):
    """An agent's place in a franchise: one-to-one, so an agent is in at most one."""

    franchise = models.ForeignKey(Franchise, on_delete=models.CASCADE, related_name="members")
    agent = models.OneToOneField(
        AgentProfile, on_delete=models.CASCADE, related_name="franchise_seat"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.agent} in {self.franchise}"


# Demand per half-hour may be zero (a quiet half-hour); the top is the request's own bound.
DEMAND_CALLS = Range(Decimal(0), Decimal(50000), "Calls per hour are from {low} to {high}.")
WEEKDAY = Range(0, 6, "A weekday is 0 (Monday) to 6 (Sunday).")
HALF_HOUR = Range(0, 47, "A half-hour of the day is 0 (00:00) to 47 (23:30).")


class RequestDemand(models.Model):
    """Expected calls per hour in one half-hour of a request's week, read in the request's
    time zone (weekday 0 = Monday; half_hour 0 = 00:00-00:30). A request without any rows
    has the flat `StaffingRequest.calls_per_hour` in every half-hour it is worked."""

    request = models.ForeignKey(StaffingRequest, on_delete=models.CASCADE, related_name="demand")
    weekday = models.PositiveSmallIntegerField(validators=WEEKDAY.validators())
    half_hour = models.PositiveSmallIntegerField(validators=HALF_HOUR.validators())
    calls_per_hour = models.DecimalField(
        max_digits=8, decimal_places=1, validators=DEMAND_CALLS.validators()
    )

    class Meta:
        ordering = ["weekday", "half_hour"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "weekday", "half_hour"], name="teams_requestdemand_once"
            ),
            WEEKDAY.check("weekday", name="teams_requestdemand_weekday"),
            HALF_HOUR.check("half_hour", name="teams_requestdemand_half_hour"),
            DEMAND_CALLS.check("calls_per_hour", name="teams_requestdemand_calls"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} day {self.weekday} #{self.half_hour}: {self.calls_per_hour}/h"


class Slot(models.Model):
    """One half-hour of a staffing request, starting at `starts_at` (UTC, on :00 or :30)."""

    request = models.ForeignKey(StaffingRequest, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField()
    calls_per_hour = models.DecimalField(max_digits=8, decimal_places=2)
    needed = models.PositiveSmallIntegerField()
    # When the slot was first opened: booking round 1 starts then, round 2 some hours later
    # (settings.TEAMS_ROUND_TWO_AFTER_HOURS).
    opened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["request", "starts_at"], name="teams_slot_once"),
        ]
        indexes = [models.Index(fields=["starts_at"], name="teams_slot_starts_idx")]

    def __str__(self) -> str:
        return f"{self.request_id} @ {self.starts_at:%Y-%m-%d %H:%M}Z needs {self.needed}"

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + SLOT


class Booking(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        RELEASED = "released", "Released"
        SWAPPED = "swapped", "Swapped to another agent"

    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="bookings")
    agent = models.ForeignKey(AgentProfile, on_delete=models.CASCADE, related_name="bookings")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.BOOKED)
    booked_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)
    # Released inside 48 hours of the slot's start: counts against the agent's adherence.
    late_release = models.BooleanField(default=False)
    # A swap: the booking this one was taken over from (the other agent's, now SWAPPED).
    swapped_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="swapped_to"
    )
    # A swap on offer: the engaged agent of the same request this booking is offered to.
    offered_to = models.ForeignKey(
        AgentProfile, null=True, blank=True, on_delete=models.SET_NULL, related_name="swap_offers"
    )

    class Meta:
        ordering = ["slot__starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "agent"],
                condition=Q(status="booked"),
                name="teams_booking_one_live_per_agent_and_slot",
            ),
        ]
        indexes = [
            models.Index(fields=["agent", "status"], name="teams_booking_agent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.agent_id} in slot {self.slot_id} ({self.status})"
