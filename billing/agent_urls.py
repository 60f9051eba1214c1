from django.urls import path

from billing import agent_views

app_name = "earnings"
urlpatterns = [
    path("", agent_views.earnings, name="home"),
    path("statements/", agent_views.statements, name="statements"),
    path("statements/<int:pk>/", agent_views.statement, name="statement"),
    path("statements/<int:pk>/query/", agent_views.statement_query, name="statement_query"),
    path("queries/<int:pk>/reply/", agent_views.dispute_reply, name="dispute_reply"),
    path("statements/<int:pk>/pdf/", agent_views.statement_pdf_view, name="statement_pdf"),
]
