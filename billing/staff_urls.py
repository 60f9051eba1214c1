from django.urls import path

from billing import views

app_name = "finance"
urlpatterns = [
    path("", views.finance_home, name="home"),
]
