from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "routing"

    def ready(self) -> None:
        from routing import (
            panels,  # noqa: F401  (adds the calls panel to agent homes)
            receivers,  # noqa: F401  (dispatches agents who go on duty)
        )
