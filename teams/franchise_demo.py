"""Demo franchises (issue 19): two local teams with a lead each, the demo agents split between
them by where they live, and one demo line routed franchise-first. Demo data only."""

from accounts.demo import demo_totp, demo_user
from accounts.models import User
from agents.gazetteer import place_find
from agents.models import AgentProfile
from clients.models import PhoneLine
from teams.models import FranchiseMember
from teams.services import franchise_member_add, franchise_save

FRANCHISES = [
    # name, city, lead email, lead name, agents (demo emails)
    (
        "Kochi Coast",
        "Kochi",
        "lead.kochi@homeshore.example",
        "Kavya Kochi Lead",
        ["meera", "priya", "joseph", "gowri"],
    ),
    (
        "Chennai Central",
        "Chennai",
        "lead.chennai@homeshore.example",
        "Chandran Chennai Lead",
        ["raman", "anand", "karthik", "lakshmi", "suresh"],
    ),
]
FRANCHISE_FIRST_LINE = "+914222220002"  # Acme's Policy desk


def seed_demo() -> list[tuple[str, str]]:
    admin = User.objects.filter(role=User.Role.ADMIN, is_active=True).order_by("pk").first()
    logins = []
    for name, city, email, lead_name, agents in FRANCHISES:
        lead = demo_user(email, name=lead_name, role=User.Role.TEAM_LEAD)
        demo_totp(lead)
        place = place_find(city, country_code="IN")
        franchise = franchise_save(
            actor=admin,
            name=name,
            geoname_id=place.geoname_id,
            lead=lead,
            franchise=getattr(lead, "led_franchise", None),
        )
        for agent in AgentProfile.objects.filter(
            user__email__in=[f"{a}@agents.example" for a in agents]
        ):
            if not FranchiseMember.objects.filter(agent=agent).exists():
                franchise_member_add(actor=admin, franchise=franchise, agent=agent)
        logins.append((email, f"Team lead of {name}, two-factor (TOTP)"))
    PhoneLine.objects.filter(number=FRANCHISE_FIRST_LINE).update(route_franchise_first=True)
    return logins
