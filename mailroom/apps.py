from django.apps import AppConfig


class MailroomConfig(AppConfig):
    name = "mailroom"

    def ready(self) -> None:
        from mailroom import checks, panels, receivers  # noqa: F401  (deploy check; signals)
