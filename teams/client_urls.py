from django.urls import path

from teams import client_views

app_name = "schedules"
urlpatterns = [
    path("", client_views.home, name="home"),
    path("requests/<int:pk>/demand/", client_views.demand, name="demand"),
    path("requests/<int:pk>/coverage/", client_views.coverage_map, name="coverage"),
]
