"""The home agent's side of the marketplace, under /agent/work/."""

from django.urls import path

from clients import agent_views

app_name = "opportunities"
urlpatterns = [
    path("", agent_views.opportunities, name="list"),
    path("<int:pk>/apply/", agent_views.apply, name="apply"),
    path("applications/<int:pk>/withdraw/", agent_views.withdraw, name="withdraw"),
    path("engagements/", agent_views.engagements, name="engagements"),
    path("engagements/<int:pk>/end/", agent_views.engagement_end, name="engagement_end"),
]
