from django.urls import path

from clients import client_views

app_name = "clients"
urlpatterns = [
    path("", client_views.home, name="home"),
    path("settings/", client_views.settings_page, name="settings"),
    path("settings/keys/<int:pk>/revoke/", client_views.api_key_revoke_confirm, name="key_revoke"),
    path(
        "settings/members/<int:pk>/remove/",
        client_views.member_remove_confirm,
        name="member_remove",
    ),
    path("settings/tax/", client_views.tax_details, name="tax_details"),
    path("invites/<str:token>/", client_views.invite_accept, name="invite_accept"),
    path("lines/", client_views.lines, name="lines"),
    path("lines/new/", client_views.line_edit, name="line_new"),
    path("lines/<int:pk>/", client_views.line_edit, name="line"),
    path("lines/<int:pk>/after-call/", client_views.line_after_call, name="line_after_call"),
    path(
        "lines/<int:pk>/prompts/<str:language>/",
        client_views.line_prompts,
        name="line_prompts",
    ),
    path("lines/<int:pk>/context/", client_views.line_context, name="line_context"),
    path(
        "lines/<int:pk>/context/rotate/",
        client_views.line_context_rotate_confirm,
        name="line_context_rotate",
    ),
    path("contacts/", client_views.contacts, name="contacts"),
    path("contacts/upload/", client_views.contacts_upload, name="contacts_upload"),
    path("lines/<int:pk>/scripts/", client_views.line_scripts, name="line_scripts"),
    path("lines/<int:pk>/dispositions/", client_views.line_dispositions, name="line_dispositions"),
    path("requests/", client_views.requests, name="requests"),
    path("requests/new/", client_views.request_new, name="request_new"),
    path("requests/<int:pk>/", client_views.request_detail, name="request"),
    path("requests/<int:pk>/close/", client_views.request_close, name="request_close"),
    path(
        "applications/<int:pk>/decide/", client_views.application_decide, name="application_decide"
    ),
    path("engagements/", client_views.engagements, name="engagements"),
    path("engagements/<int:pk>/end/", client_views.engagement_end, name="engagement_end"),
    path("quality/scorecards/", client_views.scorecards, name="scorecards"),
    path("quality/scorecards/new/", client_views.scorecard_edit, name="scorecard_new"),
    path("quality/scorecards/<int:pk>/", client_views.scorecard_edit, name="scorecard"),
    path("settings/records/", client_views.records_settings, name="records_settings"),
    path("webhooks/", client_views.webhooks, name="webhooks"),
    path("webhooks/<int:pk>/", client_views.webhook, name="webhook"),
    path("webhooks/<int:pk>/rotate/", client_views.webhook_rotate, name="webhook_rotate"),
    path("webhooks/<int:pk>/resume/", client_views.webhook_resume, name="webhook_resume"),
    path("webhooks/<int:pk>/delete/", client_views.webhook_delete, name="webhook_delete"),
    path(
        "webhooks/<int:pk>/deliveries/<int:delivery_pk>/",
        client_views.webhook_delivery,
        name="webhook_delivery",
    ),
    path(
        "webhooks/<int:pk>/deliveries/<int:delivery_pk>/replay/",
        client_views.webhook_replay,
        name="webhook_replay",
    ),
]
