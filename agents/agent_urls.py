from django.urls import path

from agents import agent_views

app_name = "agents"
urlpatterns = [
    path("", agent_views.home, name="home"),
    path("profile/", agent_views.profile, name="profile"),
    path("profile/cities/", agent_views.city_options, name="city_options"),
    path("phone/", agent_views.phone, name="phone"),
    path("skills/", agent_views.skills, name="skills"),
    path("bank/", agent_views.bank, name="bank"),
    path("bank/pan/", agent_views.pan, name="pan"),
    path("documents/", agent_views.documents, name="documents"),
    path("documents/<int:pk>/", agent_views.document_download, name="document"),
    path("attestations/", agent_views.attestations, name="attestations"),
    path("availability/", agent_views.availability, name="availability"),
    path("submit/", agent_views.submit, name="submit"),
    path("reapply/", agent_views.reapply, name="reapply"),
    path("duty/", agent_views.duty, name="duty"),
]
