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

campaign_patterns = [
    # --- Campaigns (issue 17: the lifecycle)
    path("campaigns/", client_views.campaigns, name="campaigns"),
    path("campaigns/new/", client_views.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", client_views.campaign, name="campaign"),
    path("campaigns/<int:pk>/edit/", client_views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/agents/", client_views.campaign_agents, name="campaign_agents"),
    *[
        path(
            f"campaigns/<int:pk>/{move}/",
            client_views.campaign_move,
            {"move": move},
            name=f"campaign_{move}",
        )
        for move in client_views.MOVES
    ],
    path("contacts/<int:pk>/proof/", client_views.contact_proof_page, name="contact_proof"),
    *[
        path(
            f"contacts/<int:pk>/proof.{fmt}",
            client_views.contact_proof_download,
            {"fmt": fmt},
            name=f"contact_proof_{fmt}",
        )
        for fmt in ("csv", "json")
    ],
]

urlpatterns = [*lists_patterns, *campaign_patterns]
