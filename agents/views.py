from django.shortcuts import render

from accounts.decorators import role_required
from accounts.models import User
from agents.models import AgentProfile
from agents.selectors import agent_profile_get, agent_status_counts
from agents.services import agent_profile_create


@role_required(User.Role.AGENT)
def home(request):
    # A user given the agent role by staff (not through signup) gets a profile on first visit.
    profile = agent_profile_get(user=request.user) or agent_profile_create(user=request.user)
    return render(request, "agents/home.html", {"profile": profile})


@role_required(User.Role.VETTING)
def vetting_home(request):
    counts = agent_status_counts()
    statuses = [(label, counts[value]) for value, label in AgentProfile.Status.choices]
    return render(request, "agents/vetting_home.html", {"statuses": statuses})
