"""Per-role navigation. URL names only, so this app imports nothing from the apps above it."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from accounts.models import User


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str


# Each role's links, in order. Apps add theirs here as they land.
ROLE_NAVIGATION: dict[str, list[NavItem]] = {
    User.Role.AGENT: [
        NavItem("Home", "agents:home"),
        NavItem("Opportunities", "opportunities:list"),
        NavItem("Engagements", "opportunities:engagements"),
        NavItem("Earnings", "earnings:home"),
    ],
    User.Role.CLIENT: [
        NavItem("Home", "clients:home"),
        NavItem("Requests", "clients:requests"),
        NavItem("Lines", "clients:lines"),
        NavItem("Engagements", "clients:engagements"),
        NavItem("Calls", "calls:list"),
        NavItem("Invoices", "invoices:list"),
        NavItem("Settings", "clients:settings"),
    ],
    User.Role.VETTING: [
        NavItem("Vetting queue", "vetting:home"),
        NavItem("Routing", "routing_console:home"),
    ],
    User.Role.FINANCE: [
        NavItem("Settlements", "finance:home"),
        NavItem("Payouts", "finance:payouts"),
        NavItem("Invoices", "finance:invoices"),
        NavItem("TDS", "finance_agents:tds"),
        NavItem("TDS summary", "finance:tds"),
    ],
    User.Role.ADMIN: [
        NavItem("Staff", "accounts:staff_home"),
        NavItem("Firms", "staff_clients:firms"),
        NavItem("Matching", "staff_clients:matching"),
        NavItem("Django admin", "admin:index"),
    ],
}

# Which page each role lands on after signing in.
ROLE_HOME: dict[str, str] = {
    User.Role.AGENT: "agents:home",
    User.Role.CLIENT: "clients:home",
    User.Role.VETTING: "vetting:home",
    User.Role.FINANCE: "finance:home",
    User.Role.ADMIN: "accounts:staff_home",
}


def role_home_url(user: User) -> str:
    role = User.Role.ADMIN if user.is_superuser else user.role
    return reverse(ROLE_HOME[role])


def navigation_for(user: User) -> list[dict[str, str]]:
    roles = [r for r in User.Role if user.has_role(r)]
    if user.is_superuser:
        roles = [User.Role.ADMIN, User.Role.VETTING, User.Role.FINANCE]
    items = []
    for role in roles:
        for item in ROLE_NAVIGATION.get(role, []):
            try:
                items.append({"label": item.label, "url": reverse(item.url_name)})
            except NoReverseMatch:  # an app's pages not wired (yet): leave the link out
                continue
    return items
