from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.staff_home, name="staff_home"),
]
