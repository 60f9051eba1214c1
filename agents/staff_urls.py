from django.urls import path

from agents import staff_views

app_name = "vetting"
urlpatterns = [
    path("", staff_views.queue, name="home"),
    path("<int:pk>/", staff_views.agent_detail, name="agent"),
    path("<int:pk>/checks/<str:kind>/", staff_views.check_decide, name="check_decide"),
    path("<int:pk>/decide/", staff_views.agent_decide, name="agent_decide"),
    path("documents/<int:pk>/", staff_views.document, name="document"),
]
