from django.urls import path

from routing import views

app_name = "calls"
urlpatterns = [
    path("", views.firm_calls, name="list"),
    path("<int:pk>/", views.firm_call, name="detail"),
]
