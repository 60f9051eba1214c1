from django.urls import path

from teams import staff_views

app_name = "staff_teams"

urlpatterns = [
    path("", staff_views.franchises, name="franchises"),
    path("cities/", staff_views.city_options, name="city_options"),
    path("<int:pk>/", staff_views.franchise, name="franchise"),
    path("<int:pk>/agents/add/", staff_views.member_add, name="member_add"),
    path("<int:pk>/agents/remove/", staff_views.member_remove, name="member_remove"),
]
