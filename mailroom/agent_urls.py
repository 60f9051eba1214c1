from django.urls import path

from mailroom import agent_views

app_name = "mail_agent"

urlpatterns: list = [
    path("", agent_views.inbox, name="inbox"),
    path("capacity/", agent_views.capacity, name="capacity"),
    path("<int:pk>/", agent_views.conversation, name="conversation"),
    path("<int:pk>/close/", agent_views.close, name="close"),
    path("attachment/<int:pk>/", agent_views.attachment, name="attachment"),
]
