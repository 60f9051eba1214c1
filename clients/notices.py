"""What the marketplace tells people (accounts.notifications), written in one place.

Each text goes to one side of one engagement or request: the agent's own user, or the
users of that very firm (`firm_users`). Agents are named to a firm as on its request page;
no text carries a phone number, an address or another firm's name.
"""

from django.urls import reverse

from accounts.models import Notification, User
from accounts.notifications import notification_send
from clients.models import Application, ClientFirm, Engagement
from common.dates import day_label

Kind = Notification.Kind


def firm_users(*, firm: ClientFirm):
    """The users holding a seat in `firm`: whom the firm's notifications go to."""
    return User.objects.filter(firm_membership__firm=firm)


def applicant_waiting(*, application: Application) -> None:
    """A partial-BPO firm decides on its applicants: its members are told one waits."""
    request = application.request
    if not request.firm.is_partial:
        return  # the agency assigns agents to complete-BPO requests
    notification_send(
        users=firm_users(firm=request.firm),
        kind=Kind.APPLICANT_WAITING,
        title=f"An agent applied to {request.title}",
        body="An applicant waits for your decision on the request's page.",
        url=reverse("clients:request", args=[request.pk]),
    )


def pool_decided(*, application: Application, engagement: Engagement | None) -> None:
    request = application.request
    firm = request.firm
    if engagement is not None:
        title = f"{firm.name} approved you for {request.title}"
        body = f"Your engagement starts on {day_label(engagement.starts_on)}."
        url = reverse("opportunities:engagements")
    else:
        title = f"{firm.name} declined your application to {request.title}"
        body = f"Reason: {application.reason}" if application.reason else ""
        url = reverse("opportunities:list")
    notification_send(
        users=[application.agent.user],
        kind=Kind.POOL_DECIDED,
        title=title,
        body=body,
        url=url,
        key=f"application:{application.pk}:{application.decided_at:%Y%m%d%H%M%S%f}",
    )


def engagement_started(*, engagement: Engagement) -> None:
    """The agency engaged the agent (complete BPO); a firm's approval says so itself."""
    notification_send(
        users=[engagement.agent.user],
        kind=Kind.ENGAGEMENT_STARTED,
        title=f"You are engaged with {engagement.firm.name}",
        body=(
            f"For {engagement.request.title}, from {day_label(engagement.starts_on)} "
            f"to {day_label(engagement.ends_on)}."
        ),
        url=reverse("opportunities:engagements"),
        key=f"engagement:{engagement.pk}",
    )


def engagement_ended(*, engagement: Engagement) -> None:
    """Told to the agent when the firm ends it or its end date passes (not when the agent
    ends it: they know)."""
    notification_send(
        users=[engagement.agent.user],
        kind=Kind.ENGAGEMENT_ENDED,
        title=f"Your engagement with {engagement.firm.name} has ended",
        body=f"{engagement.request.title}: {engagement.end_reason}",
        url=reverse("opportunities:engagements"),
        key=f"engagement:{engagement.pk}",
    )


def webhook_paused(*, endpoint) -> None:
    """An endpoint failed for a day and we stopped sending to it: the firm's users are told
    once per pause (the key names the pause), with what to do; no event is lost meanwhile."""
    notification_send(
        users=firm_users(firm=endpoint.firm),
        kind=Kind.WEBHOOK_PAUSED,
        title=f"Webhook endpoint paused: {endpoint.url[:80]}",
        body=(
            "Deliveries to it failed for a day, so we stopped sending. Events wait meanwhile: "
            "fix the endpoint and resume it on the Webhooks page to receive them all."
        ),
        url=reverse("clients:webhook", args=[endpoint.pk]),
        key=f"webhook:{endpoint.pk}:paused:{endpoint.paused_at:%Y%m%d%H%M%S%f}",
    )
