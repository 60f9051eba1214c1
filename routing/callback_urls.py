"""The firm's callback queue, /client/callbacks/ (routing's pages under the firm's area)."""

from django.urls import path

from routing import client_views

app_name = "callbacks"
urlpatterns = [
    path("", client_views.firm_callbacks, name="list"),
    path("<int:pk>/<slug:action>/", client_views.firm_callback_action, name="action"),
]
