from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"

    def ready(self) -> None:
        from billing import receivers  # noqa: F401  (routing's call_completed -> the ledger)
