app_name = "mail_agent"

urlpatterns: list = []
