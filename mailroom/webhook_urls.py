from django.urls import path

from mailroom import public_views

app_name = "mail_hooks"

urlpatterns: list = []

# H4 (campaigns): the one-click unsubscribe link of campaign mail (RFC 8058).
urlpatterns += [
    path("unsubscribe/<uuid:token>/", public_views.unsubscribe_page, name="unsubscribe"),
]
