from django.urls import path

from accounts import staff_views

app_name = "accounts"
urlpatterns = [
    path("", staff_views.staff_home, name="staff_home"),
    path("audit/", staff_views.audit, name="audit"),
]
