"""The home agent's pages, in every app: the signed-in agent and their profile."""

from functools import wraps

from accounts.decorators import agent_required
from agents.selectors import agent_profile_get
from agents.services import agent_profile_create


def agent_profile_required(view):
    """A signed-in home agent; sets request.agent to their profile. A user given the agent
    role by staff (not through signup) gets a profile on their first visit."""

    @agent_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        request.agent = agent_profile_get(user=request.user) or agent_profile_create(
            user=request.user
        )
        return view(request, *args, **kwargs)

    return wrapped
