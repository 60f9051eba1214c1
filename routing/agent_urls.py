from django.urls import path

from routing import agent_views

app_name = "agent_calls"
urlpatterns = [
    path("panel/", agent_views.agent_panel, name="panel"),
    path("quality/", agent_views.agent_quality, name="quality"),
]
