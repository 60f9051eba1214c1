from django.urls import path

from routing import views

app_name = "agent_calls"
urlpatterns = [path("panel/", views.agent_panel, name="panel")]
