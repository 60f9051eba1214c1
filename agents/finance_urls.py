from django.urls import path

from agents import finance_views

app_name = "finance_agents"
urlpatterns = [
    path("", finance_views.agent_tds_list, name="tds"),
    path("<int:pk>/", finance_views.agent_tds_update, name="tds_update"),
]
