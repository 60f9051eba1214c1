"""(issue 17: to be written)"""

from django.urls import path

from campaigns import client_views

app_name = "outbound"

urlpatterns = [
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
