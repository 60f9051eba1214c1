from django.urls import path

from routing import views

app_name = "routing_console"
urlpatterns = [path("", views.console, name="home")]
