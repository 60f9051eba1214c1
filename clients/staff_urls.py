"""Agency staff pages for firms and complete-BPO matching, under /staff/clients/."""

from django.urls import path

from clients import staff_views

app_name = "staff_clients"
urlpatterns = [
    path("", staff_views.firms, name="firms"),
    path("<int:pk>/tax/", staff_views.firm_tax_details, name="firm_tax"),
    path("matching/", staff_views.matching, name="matching"),
    path("matching/<int:pk>/", staff_views.matching_detail, name="matching_detail"),
]
