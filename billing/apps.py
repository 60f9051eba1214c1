from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"

    def ready(self) -> None:
        from billing import panels, receivers  # noqa: F401  (earnings panel; call -> ledger)
