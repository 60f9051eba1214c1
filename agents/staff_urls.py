from django.urls import path

from agents import views

app_name = "vetting"
urlpatterns = [
    path("", views.vetting_home, name="home"),
]
