from django.urls import path

from routing import lead_views

app_name = "lead"
urlpatterns = [
    path("", lead_views.team, name="team"),
    path("figures/", lead_views.figures, name="figures"),
    path("agents/<int:pk>/", lead_views.agent, name="agent"),
    path("calls/<int:pk>/", lead_views.call, name="call"),
]
