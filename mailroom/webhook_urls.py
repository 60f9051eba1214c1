from django.urls import include, path

app_name = "mail_hooks"
urlpatterns: list = [
    # Mail providers' inbound and tracking webhooks: anymail checks each provider's
    # signature (and ANYMAIL's WEBHOOK_SECRET basic auth) and sends its signals
    # (mailroom.receivers). /mail/anymail/mailgun/inbound_mime/, /mail/anymail/sendgrid/…
    path("anymail/", include("anymail.urls")),
]
