"""The firm's email pages (/client/email/). Each feature's patterns are a list of their own,
joined at the end: the email campaigns' pages (campaign_urls) are mounted on their own."""

from django.urls import path

from mailroom import client_views

app_name = "mail"

settings_patterns = [
    path("queues/", client_views.queues, name="queues"),
    path("queues/<int:pk>/", client_views.queue, name="queue"),
    path("queues/<int:pk>/addresses/", client_views.address_add, name="address_add"),
    path(
        "queues/<int:pk>/addresses/<int:address>/remove/",
        client_views.address_remove,
        name="address_remove",
    ),
    path("queues/<int:pk>/mailboxes/new/", client_views.mailbox_new, name="mailbox_new"),
    path("mailboxes/<int:pk>/", client_views.mailbox, name="mailbox"),
    path("mailboxes/<int:pk>/remove/", client_views.mailbox_remove, name="mailbox_remove"),
    path("mailboxes/<int:pk>/poll/", client_views.mailbox_poll, name="mailbox_poll"),
    path("templates/", client_views.templates, name="templates"),
    path("templates/<int:pk>/", client_views.template, name="template"),
    path("templates/<int:pk>/remove/", client_views.template_remove, name="template_remove"),
]

conversation_patterns = [
    path("", client_views.conversations, name="conversations"),
    path("conversations/<int:pk>/", client_views.conversation, name="conversation"),
]

urlpatterns = settings_patterns + conversation_patterns
