"""The firm's outbound pages. Each feature's patterns are a list of their own, joined at the
end: a new feature appends its list and adds it to the sum."""

from django.urls import path

from campaigns import client_views

app_name = "outbound"

lists_patterns = [
    path("lists/", client_views.lists, name="lists"),
    path("lists/<int:pk>/", client_views.list_detail, name="list"),
    path("lists/<int:pk>/upload/", client_views.list_upload, name="list_upload"),
    path("lists/<int:pk>/contacts/", client_views.list_contacts, name="list_contacts"),
    path("imports/<int:pk>/", client_views.import_detail, name="import"),
    path("imports/<int:pk>/progress/", client_views.import_progress, name="import_progress"),
    path("do-not-call/", client_views.dnc, name="dnc"),
    path("do-not-call/upload/", client_views.dnc_upload, name="dnc_upload"),
    path("do-not-call/<int:pk>/remove/", client_views.dnc_remove, name="dnc_remove"),
]

urlpatterns = [*lists_patterns]
