from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"

    def ready(self) -> None:
        from campaigns import panels, receivers  # noqa: F401  (callbacks, blending, attempts' ends)
        from campaigns.workspace import outbound_workspace
        from routing.services.workspace import outbound_view

        outbound_view(outbound_workspace)  # the workspace shows outbound calls' campaigns
