"""receivers (issue 18)."""

import logging

from anymail.signals import inbound, tracking
from django.db import transaction
from django.dispatch import receiver

from agents.signals import agent_available, agent_offline
from mailroom import assignment
from mailroom.ingest import message_ingest
from mailroom.models import Message
from mailroom.parsing import MessageRefused, verdict
from mailroom.tracking import tracking_event_apply
from routing.signals import call_wrapped_up

logger = logging.getLogger(__name__)


@receiver(inbound, dispatch_uid="mailroom_inbound")
def inbound_received(sender, event, esp_name: str, **kwargs) -> None:
    """A mail provider's inbound webhook, its signature already checked by anymail: the raw
    message to message_ingest, with the envelope's recipient and the provider's SPF/DKIM
    verdicts. A message we refuse is logged (never its addresses) and answered 200 all the
    same: the provider retrying it would change nothing, and a bounce is what we never send."""
    message = event.message
    spf, dkim = provider_verdicts(event, esp_name)
    try:
        message_ingest(
            raw=raw_message(event),
            source=Message.Source.WEBHOOK,
            recipient=message.envelope_recipient,
            spf=spf,
            dkim=dkim,
        )
    except MessageRefused as refused:
        logger.warning("mailroom: %s inbound message refused: %s", esp_name, type(refused).__name__)


def raw_message(event) -> bytes:
    """The message's bytes as the provider posted them where it does (Mailgun's "body-mime",
    SendGrid's "email"), else anymail's parsed message serialised again."""
    request = event.esp_event
    post = getattr(request, "POST", None)
    for field in ("body-mime", "email"):
        if post is not None and field in post:
            return post[field].encode("utf-8", errors="surrogateescape")
    try:
        return event.message.as_bytes()
    except (ValueError, TypeError, LookupError, UnicodeError):
        return event.message.as_string().encode("utf-8", errors="replace")


def provider_verdicts(event, esp_name: str) -> tuple[str | None, str | None]:
    """(spf, dkim) as the provider's own checks saw them, where anymail hands them over;
    None: the message's Authentication-Results / Received-SPF headers decide."""
    message, esp_event = event.message, event.esp_event
    if esp_name == "Mailgun":
        spf, dkim = message.get("X-Mailgun-Spf"), message.get("X-Mailgun-Dkim-Check-Result")
    elif esp_name == "SendGrid":
        post = getattr(esp_event, "POST", {})
        spf = post.get("SPF")
        # "{@example.com : pass, @other.example : fail}": one verdict over the signatures.
        dkim = [v.split(":")[-1] for v in post.get("dkim", "").strip("{}").split(",") if v]
        dkim = verdict(dkim) if dkim else None
    elif esp_name == "Amazon SES" and isinstance(esp_event, dict):
        receipt = esp_event.get("receipt") or {}
        spf = (receipt.get("spfVerdict") or {}).get("status")
        dkim = (receipt.get("dkimVerdict") or {}).get("status")
    else:
        return None, None
    return (verdict([str(spf)]) if spf else None), (verdict([str(dkim)]) if dkim else None)


# --- H4 (campaigns): mail providers' tracking events (django-anymail) -----------------------


def campaign_tracking_received(sender, event, esp_name, **kwargs) -> None:
    """anymail has checked the webhook's signature; the event moves its campaign email."""
    tracking_event_apply(event)


tracking.connect(campaign_tracking_received, dispatch_uid="mailroom.campaign_tracking")
# --- Agents' duty changes (H2) -------------------------------------------------------------


@receiver(agent_available, dispatch_uid="mailroom_waiting_to_available_agent")
def agent_available_route(sender, *, agent_id: int, **kwargs) -> None:
    """An agent went available (sent on commit, after routing offered them a caller): the
    waiting conversations they can take are routed (only if no call reserved them)."""
    assignment.waiting_route_for_agent(agent_id=agent_id)


@receiver(call_wrapped_up, dispatch_uid="mailroom_waiting_after_call")
def call_wrapped_up_route(sender, *, call, **kwargs) -> None:
    """A call's wrap-up ended (inside routing's transaction): once it commits, the agent, if
    available again, gets waiting conversations. Calls came first; email resumes."""
    agent_id = call.agent_id
    if agent_id is not None:
        transaction.on_commit(
            lambda: assignment.waiting_route_for_agent(agent_id=agent_id), robust=True
        )


@receiver(agent_offline, dispatch_uid="mailroom_release_offline_agent")
def agent_offline_release(sender, *, agent_id: int, **kwargs) -> None:
    """An agent went offline (sent on commit): their unanswered conversations go to others."""
    assignment.agent_conversations_release(agent_id=agent_id)
