from django.urls import path

from routing import client_views

app_name = "calls"
urlpatterns = [
    path("", client_views.firm_calls, name="list"),
    path("<int:pk>/", client_views.firm_call, name="detail"),
]
