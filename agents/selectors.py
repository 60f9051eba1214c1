from django.db.models import Count

from accounts.models import User
from agents.models import AgentProfile


def agent_profile_get(*, user: User) -> AgentProfile | None:
    return AgentProfile.objects.filter(user=user).first()


def agent_status_counts() -> dict[str, int]:
    counts = dict.fromkeys(AgentProfile.Status.values, 0)
    for row in AgentProfile.objects.values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts
