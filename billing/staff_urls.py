from django.urls import path

from billing import views

app_name = "finance"
urlpatterns = [
    path("", views.finance_home, name="home"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run_progress"),
    path("payouts/", views.payouts, name="payouts"),
    path("payouts/approve/", views.payouts_approve, name="payouts_approve"),
    path("payouts/export/", views.payouts_export_view, name="export"),
    path("payouts/<int:pk>/", views.payout_detail, name="payout"),
    path("payouts/<int:pk>/adjust/", views.payout_adjust, name="payout_adjust"),
    path("payouts/<int:pk>/paid/", views.payout_paid, name="payout_paid"),
    path("invoices/", views.invoices, name="invoices"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice"),
    path("invoices/<int:pk>/adjust/", views.invoice_adjust, name="invoice_adjust"),
    path("invoices/<int:pk>/paid/", views.invoice_paid, name="invoice_paid"),
]
