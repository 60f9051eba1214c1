"""The project's URLs with anymail's Mailgun tracking webhook mounted (the inbound work
mounts the providers' webhooks in mailroom.webhook_urls; these tests need only this one)."""

from anymail.webhooks.mailgun import MailgunTrackingWebhookView
from django.urls import include, path

urlpatterns = [
    path("test-hooks/mailgun/tracking/", MailgunTrackingWebhookView.as_view(), name="mg_tracking"),
    path("", include("config.urls")),
]
