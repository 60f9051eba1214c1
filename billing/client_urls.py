from django.urls import path

from billing import client_views

app_name = "invoices"
urlpatterns = [
    path("", client_views.invoices, name="list"),
    path("<int:pk>/", client_views.invoice, name="detail"),
    path("<int:pk>/download/", client_views.invoice_download, name="download"),
    path("<int:pk>/pdf/", client_views.invoice_pdf_view, name="pdf"),
]
