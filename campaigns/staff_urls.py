"""(issue 17: to be written)"""

from django.urls import path

from campaigns import client_views, staff_views

app_name = "outbound_staff"

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

urlpatterns = [*campaign_patterns]
