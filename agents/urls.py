from django.urls import path

from agents import views

app_name = "agents"
urlpatterns = [
    path("", views.home, name="home"),
    path("profile/", views.profile, name="profile"),
    path("profile/cities/", views.city_options, name="city_options"),
    path("phone/", views.phone, name="phone"),
    path("skills/", views.skills, name="skills"),
    path("bank/", views.bank, name="bank"),
    path("documents/", views.documents, name="documents"),
    path("documents/<int:pk>/", views.document_download, name="document"),
    path("attestations/", views.attestations, name="attestations"),
    path("availability/", views.availability, name="availability"),
    path("submit/", views.submit, name="submit"),
    path("duty/", views.duty, name="duty"),
]
