"""Staff pages on agents, mounted at /staff/: vetting (namespace `vetting`) and finance's
TDS rates (namespace `finance_agents`), each under its own prefix as the other apps' are."""

from django.urls import include, path

from agents import staff_views

vetting = [
    path("", staff_views.queue, name="home"),
    path("<int:pk>/", staff_views.agent_detail, name="agent"),
    path("<int:pk>/checks/<str:kind>/", staff_views.check_decide, name="check_decide"),
    path("<int:pk>/decide/", staff_views.agent_decide, name="agent_decide"),
    path("documents/<int:pk>/", staff_views.document, name="document"),
]
finance = [
    path("", staff_views.agent_tds_list, name="tds"),
    path("<int:pk>/", staff_views.agent_tds_update, name="tds_update"),
]
urlpatterns = [
    path("vetting/", include((vetting, "vetting"))),
    path("finance/agents/", include((finance, "finance_agents"))),
]
