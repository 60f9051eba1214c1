"""The teams app's panel on the agent's home page: this week's adherence and bookings."""

from django.utils import timezone

from agents.panels import home_panel
from teams.adherence import agent_adherence, local_week_start
from teams.models import Booking


@home_panel
def schedule_panel(request, agent):
    if agent.status != "verified":
        return None
    upcoming = Booking.objects.filter(
        agent=agent, status=Booking.Status.BOOKED, slot__starts_at__gte=timezone.now()
    )
    return {
        "title": "Your schedule",
        "template": "teams/agent/_home_panel.html",
        "context": {
            "adherence": agent_adherence(agent=agent, week_start=local_week_start(agent)),
            "upcoming": upcoming.count(),
            "next_booking": upcoming.select_related("slot__request").first(),
            "time_zone": agent.time_zone,
        },
    }
