from django.urls import path

from billing import staff_views

app_name = "finance"
urlpatterns = [
    path("", staff_views.finance_home, name="home"),
    path("runs/<int:pk>/", staff_views.run_detail, name="run"),
    path("runs/<int:pk>/progress/", staff_views.run_progress, name="run_progress"),
    path("runs/<int:pk>/restart/", staff_views.run_restart_view, name="run_restart"),
    path("payouts/", staff_views.payouts, name="payouts"),
    path("payouts/approve/", staff_views.payouts_approve, name="payouts_approve"),
    path("payouts/export/", staff_views.export_request, name="export"),
    path("exports/<int:pk>/", staff_views.export_detail, name="export_detail"),
    path("exports/<int:pk>/progress/", staff_views.export_progress, name="export_progress"),
    path("exports/<int:pk>/download/", staff_views.export_download, name="export_download"),
    path("exports/<int:pk>/restart/", staff_views.export_restart_view, name="export_restart"),
    path("payouts/<int:pk>/", staff_views.payout_detail, name="payout"),
    path("payouts/<int:pk>/adjust/", staff_views.payout_adjust, name="payout_adjust"),
    path("payouts/<int:pk>/paid/", staff_views.payout_paid, name="payout_paid"),
    path("invoices/", staff_views.invoices, name="invoices"),
    path("invoices/<int:pk>/", staff_views.invoice_detail, name="invoice"),
    path("invoices/<int:pk>/adjust/", staff_views.invoice_adjust, name="invoice_adjust"),
    path("invoices/<int:pk>/paid/", staff_views.invoice_paid, name="invoice_paid"),
    path("plans/", staff_views.fee_plans, name="plans"),
    path("plans/<int:pk>/", staff_views.fee_plan, name="plan"),
    path("disputes/", staff_views.disputes, name="disputes"),
    path("disputes/<int:pk>/answer/", staff_views.dispute_answer_view, name="dispute_answer"),
    path("invoices/<int:pk>/pdf/", staff_views.invoice_pdf_view, name="invoice_pdf"),
    path("payouts/<int:pk>/pdf/", staff_views.payout_pdf_view, name="payout_pdf"),
    path("tds/", staff_views.tds_summary_view, name="tds"),
    path("tds/csv/", staff_views.tds_summary_csv, name="tds_csv"),
]
