from django.urls import path

from accounts import user_views

app_name = "notifications"
urlpatterns = [
    path("", user_views.notifications, name="list"),
    path("<int:pk>/open/", user_views.notification_open, name="open"),
    path("read/", user_views.notifications_read, name="read_all"),
    path("settings/", user_views.notification_settings, name="settings"),
]
