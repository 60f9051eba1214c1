from django.urls import path

from teams import agent_views

app_name = "schedule"
urlpatterns = [
    path("", agent_views.week, name="week"),
    path("slots/<int:slot_id>/book/", agent_views.book, name="book"),
    path("bookings/<int:booking_id>/release/", agent_views.release, name="release"),
    path("bookings/<int:booking_id>/swap/", agent_views.swap_offer, name="swap_offer"),
    path("bookings/<int:booking_id>/accept/", agent_views.swap_accept, name="swap_accept"),
    path("bookings/<int:booking_id>/withdraw/", agent_views.swap_withdraw, name="swap_withdraw"),
]
