from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "teams"

    def ready(self):
        from teams import panels  # noqa: F401  (adds the schedule panel to agent homes)
