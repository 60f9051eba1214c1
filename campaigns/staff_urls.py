"""The agency's outbound pages. Each feature's patterns are a list of their own, joined at the
end: a new feature appends its list and adds it to the sum."""

from django.urls import path

from campaigns import client_views, staff_views

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

# --- Campaigns (issue 17: the agency runs a complete-BPO firm's). URL names are the firm's
# own (campaigns.client_urls), the firm's id first: the shared templates reverse either.
C = "firms/<int:firm>/campaigns/"
campaign_patterns = [
    path("campaigns/", staff_views.campaign_firms, name="campaign_firms"),
    path(C, staff_views.firm_campaigns, name="campaigns"),
    path(C + "new/", staff_views.firm_campaign_new, name="campaign_new"),
    path(C + "<int:pk>/", staff_views.firm_campaign, name="campaign"),
    path(C + "<int:pk>/edit/", staff_views.firm_campaign_edit, name="campaign_edit"),
    path(C + "<int:pk>/agents/", staff_views.firm_campaign_agents, name="campaign_agents"),
    *[
        path(
            C + f"<int:pk>/{move}/",
            staff_views.firm_campaign_move,
            {"move": move},
            name=f"campaign_{move}",
        )
        for move in client_views.MOVES
    ],
    path(
        "firms/<int:firm>/contacts/<int:pk>/proof/",
        staff_views.firm_contact_proof,
        name="contact_proof",
    ),
    *[
        path(
            f"firms/<int:firm>/contacts/<int:pk>/proof.{fmt}",
            staff_views.firm_contact_proof_download,
            {"fmt": fmt},
            name=f"contact_proof_{fmt}",
        )
        for fmt in ("csv", "json")
    ],
]

urlpatterns = [*lists_patterns, *campaign_patterns]
