app_name = "mail_campaigns"

urlpatterns: list = []
