from django.urls import path

from clients import views

app_name = "clients"
urlpatterns = [
    path("", views.home, name="home"),
    path("settings/", views.settings_page, name="settings"),
    path("invites/<str:token>/", views.invite_accept, name="invite_accept"),
    path("lines/", views.lines, name="lines"),
    path("lines/new/", views.line_edit, name="line_new"),
    path("lines/<int:pk>/", views.line_edit, name="line"),
    path("requests/", views.requests, name="requests"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/close/", views.request_close, name="request_close"),
    path("applications/<int:pk>/decide/", views.application_decide, name="application_decide"),
    path("engagements/", views.engagements, name="engagements"),
    path("engagements/<int:pk>/end/", views.engagement_end, name="engagement_end"),
]
