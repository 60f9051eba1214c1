"""The agency's outbound pages. Each feature's patterns are a list of their own, joined at the
end: a new feature appends its list and adds it to the sum."""

from django.urls import path

from campaigns import staff_views

app_name = "outbound_staff"

F = "firms/<int:firm>/"
lists_patterns = [
    path("", staff_views.home, name="home"),
    path("registry/upload/", staff_views.registry_upload, name="registry_upload"),
    path("registry/imports/<int:pk>/", staff_views.registry_import, name="registry_import"),
    path(
        "registry/imports/<int:pk>/progress/",
        staff_views.registry_import_progress,
        name="registry_import_progress",
    ),
    path(F + "lists/", staff_views.firm_lists, name="lists"),
    path(F + "lists/<int:pk>/", staff_views.firm_list, name="list"),
    path(F + "lists/<int:pk>/upload/", staff_views.firm_list_upload, name="list_upload"),
    path(F + "lists/<int:pk>/contacts/", staff_views.firm_list_contacts, name="list_contacts"),
    path(F + "imports/<int:pk>/", staff_views.firm_import, name="import"),
    path(
        F + "imports/<int:pk>/progress/", staff_views.firm_import_progress, name="import_progress"
    ),
    path(F + "do-not-call/", staff_views.firm_dnc, name="dnc"),
    path(F + "do-not-call/upload/", staff_views.firm_dnc_upload, name="dnc_upload"),
    path(F + "do-not-call/<int:pk>/remove/", staff_views.firm_dnc_remove, name="dnc_remove"),
]

urlpatterns = [*lists_patterns]
