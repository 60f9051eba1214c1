"""(issue 17: to be written)"""

from django.urls import path

from campaigns import apis

urlpatterns = [
    # --- Campaigns for firms (issue 17: the lifecycle)
    path("campaigns/", apis.CampaignListApi.as_view(), name="api-campaigns"),
    path("campaigns/<int:pk>/", apis.CampaignDetailApi.as_view(), name="api-campaign"),
    path("campaigns/<int:pk>/pause/", apis.CampaignPauseApi.as_view(), name="api-campaign-pause"),
    path(
        "campaigns/<int:pk>/resume/", apis.CampaignResumeApi.as_view(), name="api-campaign-resume"
    ),
    path(
        "campaigns/<int:pk>/attempts/",
        apis.CampaignAttemptsApi.as_view(),
        name="api-campaign-attempts",
    ),
    path("contacts/<int:pk>/proof/", apis.ContactProofApi.as_view(), name="api-contact-proof"),
]
