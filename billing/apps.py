from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"

    def ready(self) -> None:
        from billing import checks, panels, receivers  # noqa: F401  (agency account; panel; ledger)
