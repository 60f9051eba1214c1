from django.urls import include, path

from mailroom import public_views

app_name = "mail_hooks"
urlpatterns: list = [
    # Mail providers' inbound and tracking webhooks: anymail checks each provider's
    # signature (and ANYMAIL's WEBHOOK_SECRET basic auth) and sends its signals
    # (mailroom.receivers). /mail/anymail/mailgun/inbound_mime/, /mail/anymail/mailgun/tracking/…
    path("anymail/", include("anymail.urls")),
    # The one-click unsubscribe link of campaign mail (RFC 8058).
    path("unsubscribe/<uuid:token>/", public_views.unsubscribe_page, name="unsubscribe"),
]
