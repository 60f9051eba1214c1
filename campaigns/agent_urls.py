"""The home agent's outbound pages, /agent/outbound/ (campaigns.agent_views)."""

from django.urls import path

from campaigns import agent_views

app_name = "outbound_agent"
urlpatterns = [
    path("", agent_views.outbound_home, name="home"),
    path("state/", agent_views.outbound_state, name="state"),
    path("call/", agent_views.outbound_call, name="call"),
    path("skip/", agent_views.outbound_skip, name="skip"),
    path("attempts/<int:pk>/", agent_views.attempt_page, name="attempt"),
    path("attempts/<int:pk>/state/", agent_views.attempt_state, name="attempt_state"),
]
