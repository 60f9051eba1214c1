from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Shared helpers and the one model every app writes: the audit log."""

    name = "common"
    verbose_name = "Common"
