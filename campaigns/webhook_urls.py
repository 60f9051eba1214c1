"""Twilio's webhooks for outbound attempts, under /telephony/outbound/."""

from django.urls import path

from campaigns import webhooks

app_name = "outbound_telephony"
urlpatterns = [
    path("twilio/agent/", webhooks.agent, name="twilio_agent"),
    path("twilio/contact/", webhooks.contact, name="twilio_contact"),
    path("twilio/opt-out/", webhooks.opt_out, name="twilio_opt_out"),
    path("twilio/dial-status/", webhooks.dial_status, name="twilio_dial_status"),
    path("twilio/status/", webhooks.status, name="twilio_status"),
]
