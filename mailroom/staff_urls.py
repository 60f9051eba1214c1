from django.urls import path

from mailroom import staff_views

app_name = "mail_staff"

urlpatterns = [
    path("", staff_views.home, name="home"),
    path("conversations/<int:pk>/", staff_views.conversation, name="conversation"),
    path(
        "conversations/<int:pk>/release/",
        staff_views.conversation_release,
        name="conversation_release",
    ),
]
