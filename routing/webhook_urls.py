from django.urls import path

from routing import webhooks

app_name = "telephony"
urlpatterns = [
    path("twilio/voice/", webhooks.voice, name="twilio_voice"),
    path("twilio/dial-status/", webhooks.dial_status, name="twilio_dial_status"),
    path("twilio/status/", webhooks.status_callback, name="twilio_status"),
    path("twilio/recording/", webhooks.recording, name="twilio_recording"),
    path("twilio/bridge/", webhooks.bridge, name="twilio_bridge"),
    path("twilio/survey/", webhooks.survey, name="twilio_survey"),
]
