from django.urls import path

from mailroom import client_views as views

app_name = "mail_campaigns"

urlpatterns: list = [
    path("", views.email_campaigns, name="list"),
    path("new/", views.email_campaign_new, name="new"),
    path("<int:pk>/", views.email_campaign, name="detail"),
    path("<int:pk>/edit/", views.email_campaign_edit, name="edit"),
    path("<int:pk>/progress/", views.email_campaign_progress, name="progress"),
    path("<int:pk>/schedule/", views.email_campaign_schedule, name="schedule"),
    path("<int:pk>/test/", views.email_campaign_test, name="test"),
    path("<int:pk>/<slug:move>/", views.email_campaign_move, name="move"),
    path("suppressed/", views.email_suppressions, name="suppressions"),
    path("suppressed/<int:pk>/remove/", views.email_suppression_remove, name="suppression_remove"),
]
