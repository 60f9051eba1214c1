app_name = "mail_hooks"

urlpatterns: list = []
