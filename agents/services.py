from django.db import transaction

from accounts.models import User
from agents.models import AgentProfile


@transaction.atomic
def agent_profile_create(*, user: User, **fields) -> AgentProfile:
    """Open an application for a new home agent. Safe to call twice for one user."""
    profile, _ = AgentProfile.objects.get_or_create(user=user, defaults=fields)
    return profile
