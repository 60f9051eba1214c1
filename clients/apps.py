from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "clients"

    def ready(self) -> None:
        from clients import panels  # noqa: F401  (adds the engagements panel to agent homes)
