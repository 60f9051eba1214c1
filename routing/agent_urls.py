from django.urls import path

from routing import agent_views

app_name = "agent_calls"
urlpatterns = [
    path("quality/", agent_views.agent_quality, name="quality"),
    path("workspace/", agent_views.workspace, name="workspace"),
    path("workspace/state/", agent_views.workspace_state, name="workspace_state"),
    path("<int:pk>/wrap-up/", agent_views.wrap_up_submit, name="wrap_up"),
    path("<int:pk>/transfer/", agent_views.transfer, name="transfer"),
]
