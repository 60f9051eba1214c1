from django.urls import path

from routing import staff_views

app_name = "routing_console"
urlpatterns = [
    path("", staff_views.console, name="home"),
    path("agents/", staff_views.agents, name="agents"),
]
