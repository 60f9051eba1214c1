"""Demo home agents in Indian tier-II cities."""

from accounts.demo import demo_user
from accounts.models import User
from agents.gazetteer import place_find
from agents.models import AgentProfile

DEMO_AGENTS = [
    ("meera@agents.example", "Meera Shenoy", "Mangaluru", AgentProfile.Status.VERIFIED),
    ("raman@agents.example", "Raman Pillai", "Madurai", AgentProfile.Status.VERIFIED),
    ("lakshmi@agents.example", "Lakshmi Rao", "Visakhapatnam", AgentProfile.Status.IN_REVIEW),
    ("joseph@agents.example", "Joseph Kurian", "Kochi", AgentProfile.Status.APPLIED),
    ("gowri@agents.example", "Gowri Hegde", "Mysuru", AgentProfile.Status.SUSPENDED),
    ("suresh@agents.example", "Suresh Babu", "Vijayawada", AgentProfile.Status.REJECTED),
]


def seed_demo() -> list[tuple[str, str]]:
    logins = []
    for email, name, city, status in DEMO_AGENTS:
        user = demo_user(email, name=name, role=User.Role.AGENT)
        place = place_find(city, country_code="IN")
        AgentProfile.objects.update_or_create(
            user=user,
            defaults={
                "full_name": name,
                "status": status,
                "city": place.name,
                "state": place.state,
                "latitude": place.latitude,
                "longitude": place.longitude,
                "time_zone": place.time_zone,
            },
        )
        logins.append((email, f"Home agent, {place.name} ({AgentProfile.Status(status).label})"))
    return logins
