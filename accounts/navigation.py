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
        NavItem("Calls", "agent_calls:workspace"),  # the live workspace during a call
        NavItem("Outbound", "outbound_agent:home"),  # campaigns: preview, call, callbacks
        NavItem("Opportunities", "opportunities:list"),
        NavItem("Engagements", "opportunities:engagements"),
        NavItem("Earnings", "earnings:home"),
        NavItem("Call quality", "agent_calls:quality"),
        # Reachable in every status: a verified agent edits their profile, bank and documents.
        NavItem("Profile", "agents:profile"),
        NavItem("Email", "mail_agent:inbox"),  # consumers' email (issue 18)
        NavItem("Schedule", "schedule:week"),  # half-hour bookings (issue 19)
    ],
    User.Role.CLIENT: [
        NavItem("Home", "clients:home"),
        NavItem("Requests", "clients:requests"),
        NavItem("Lines", "clients:lines"),
        NavItem("Engagements", "clients:engagements"),
        NavItem("Calls", "calls:list"),
        NavItem("Callbacks", "callbacks:list"),
        NavItem("Campaigns", "outbound:campaigns"),  # outbound calling (issue 17)
        NavItem("Contact lists", "outbound:lists"),  # lists and do-not-call (issue 17)
        NavItem("Quality", "clients:scorecards"),
        NavItem("Invoices", "invoices:list"),
        NavItem("Webhooks", "clients:webhooks"),
        NavItem("Settings", "clients:settings"),
        NavItem("Email", "mail:conversations"),  # consumers' email, queues (issue 18)
        NavItem("Email campaigns", "mail_campaigns:list"),
        NavItem("Schedules", "schedules:home"),  # demand and coverage (issue 19)
    ],
    User.Role.VETTING: [
        NavItem("Vetting queue", "vetting:home"),
        NavItem("Routing", "routing_console:home"),
        NavItem("Agents' calls", "routing_console:agents"),
        NavItem("Audit log", "accounts:audit"),
        NavItem("Email", "mail_staff:home"),  # breached and waiting email (issue 18)
    ],
    User.Role.FINANCE: [
        NavItem("Settlements", "finance:home"),
        NavItem("Payouts", "finance:payouts"),
        NavItem("Invoices", "finance:invoices"),
        NavItem("TDS rates", "finance_agents:tds"),
        NavItem("TDS summary", "finance:tds"),
        NavItem("Fee plans", "finance:plans"),
        NavItem("Queries", "finance:disputes"),
        NavItem("Audit log", "accounts:audit"),
    ],
    User.Role.ADMIN: [
        NavItem("Staff", "accounts:staff_home"),
        NavItem("Firms", "staff_clients:firms"),
        NavItem("Matching", "staff_clients:matching"),
        NavItem("Callbacks", "routing_console:callbacks"),
        NavItem("Outbound", "outbound_staff:home"),  # the registry, firms' lists (issue 17)
        NavItem("Audit log", "accounts:audit"),
        NavItem("Django admin", "admin:index"),
        NavItem("Email", "mail_staff:home"),
        NavItem("Franchises", "staff_teams:franchises"),  # local teams (issue 19)
    ],
    # A franchise's lead (issue 19): their own team only.
    User.Role.TEAM_LEAD: [
        NavItem("My team", "lead:team"),
        NavItem("Team figures", "lead:figures"),
    ],
}

# Which page each role lands on after signing in.
ROLE_HOME: dict[str, str] = {
    User.Role.AGENT: "agents:home",
    User.Role.CLIENT: "clients:home",
    User.Role.VETTING: "vetting:home",
    User.Role.FINANCE: "finance:home",
    User.Role.ADMIN: "accounts:staff_home",
    User.Role.TEAM_LEAD: "lead:team",
}


def role_home_url(user: User) -> str:
    role = User.Role.ADMIN if user.is_superuser else user.role
    return reverse(ROLE_HOME[role])


def navigation_for(user: User) -> list[dict[str, str]]:
    roles = [r for r in User.Role if user.has_role(r)]
    if user.is_superuser:
        roles = [User.Role.ADMIN, User.Role.VETTING, User.Role.FINANCE]
    items, seen = [], set()
    for role in roles:
        for item in ROLE_NAVIGATION.get(role, []):
            if item.url_name in seen:  # a page several of the user's roles list (the audit log)
                continue
            seen.add(item.url_name)
            try:
                items.append({"label": item.label, "url": reverse(item.url_name)})
            except NoReverseMatch:  # an app's pages not wired (yet): leave the link out
                continue
    return items
