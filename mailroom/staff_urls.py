app_name = "mail_staff"

urlpatterns: list = []
