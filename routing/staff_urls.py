from django.urls import path

from routing import staff_views

app_name = "routing_console"
urlpatterns = [
    path("", staff_views.console, name="home"),
    path("agents/", staff_views.agents, name="agents"),
    path("calls/<int:pk>/", staff_views.staff_call, name="call"),
    path("calls/<int:pk>/score/<int:scorecard>/", staff_views.staff_call_score, name="call_score"),
    path("callbacks/", staff_views.callbacks, name="callbacks"),
    path("callbacks/<int:pk>/<slug:action>/", staff_views.callback_action, name="callback_action"),
]
