from django.apps import AppConfig


class MailroomConfig(AppConfig):
    name = "mailroom"

    def ready(self) -> None:
        from mailroom import panels, receivers  # noqa: F401  (anymail's signals, agents' duty)
