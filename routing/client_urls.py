from django.urls import path

from routing import client_views

app_name = "calls"
urlpatterns = [
    path("", client_views.firm_calls, name="list"),
    path("history/", client_views.firm_call_history, name="history"),
    path("history/calls.csv", client_views.firm_call_history_csv, name="history_csv"),
    path("<int:pk>/", client_views.firm_call, name="detail"),
    path("<int:pk>/score/<int:scorecard>/", client_views.firm_call_score, name="score"),
]
