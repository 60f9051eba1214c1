"""receivers (issue 18)."""

# --- H4 (campaigns): mail providers' tracking events (django-anymail) -----------------------
from anymail.signals import tracking

from mailroom.tracking import tracking_event_apply


def campaign_tracking_received(sender, event, esp_name, **kwargs) -> None:
    """anymail has checked the webhook's signature; the event moves its campaign email."""
    tracking_event_apply(event)


tracking.connect(campaign_tracking_received, dispatch_uid="mailroom.campaign_tracking")
