from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from accounts.middleware import staff_signed_in

        # A staff session is short (STAFF_SESSION_IDLE_SECONDS) from the moment of sign-in.
        user_logged_in.connect(staff_signed_in, dispatch_uid="accounts_staff_session_idle")
