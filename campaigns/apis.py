"""(issue 17: to be written)"""


# --- The generic API for telephony providers (agency keys): outbound dials and their events ---
# (helper "telephony"; the firm's campaign API is above.) With CAMPAIGNS_PROVIDER = "api", a
# placement sends nothing: the provider asks what to dial, rings the agent's phone, then the
# contact, both showing the line's number, and reports each step. Agents' numbers are in these
# answers, so only an agency provider key may call them: a firm's key is refused (403).

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns import events
from campaigns.models import Attempt
from campaigns.serializers import (
    OutboundAttemptSerializer,
    OutboundDialsSerializer,
    OutboundEventInputSerializer,
)
from clients.api_auth import FirmApiKeyAuthentication
from common.api import ErrorOutputSerializer
from common.errors import ApplicationError
from routing.apis import ProviderKeyAuthentication, ProviderUser

API_PROVIDER = "api"
DIALS_LISTED = 100
Outcome = Attempt.Outcome


class IsProvider(BasePermission):
    message = "Outbound dials are for the agency's telephony providers (an agency key)."

    def has_permission(self, request, view) -> bool:
        return isinstance(request.user, ProviderUser)


class OutboundProviderApi(APIView):
    # The firm's key class is listed so that its key is recognised — and refused (403) —
    # rather than taken for a bad provider key (401).
    authentication_classes = [ProviderKeyAuthentication, FirmApiKeyAuthentication]
    permission_classes = [IsProvider]


def _api_attempts():
    """Attempts placed for the generic API (CAMPAIGNS_PROVIDER = "api"), never Twilio's."""
    return Attempt.objects.filter(provider=API_PROVIDER)


class OutboundDialListApi(OutboundProviderApi):
    @extend_schema(
        tags=["outbound"],
        summary="Placed attempts waiting to be dialled, oldest first (at most 100)",
        description=(
            "Ring `agent_number` showing `caller_id`, then report `dialled` with your call id "
            "(the first id reported is kept: dial each attempt once). When the agent answers, "
            "report `agent_answered` and ring `contact_number`, showing `caller_id` too; with "
            "`opt_out_prompt`, offer the contact 9 to stop these calls before the bridge."
        ),
        responses={200: OutboundDialsSerializer},
    )
    def get(self, request):
        waiting = (
            _api_attempts()
            .filter(status=Attempt.Status.AGENT, provider_call_id="")
            .select_related("agent", "campaign__line", "contact")
            .order_by("placed_at", "pk")[:DIALS_LISTED]
        )
        return Response(OutboundDialsSerializer({"results": list(waiting)}).data)


def _event_apply(attempt: Attempt, event: str, data: dict) -> Attempt | None:
    pk = attempt.pk
    if event == "dialled":
        if not data.get("provider_call_id"):
            raise ApplicationError("Send `provider_call_id`.", field="provider_call_id")
        return events.attempt_dialled(attempt_id=pk, provider_call_id=data["provider_call_id"])
    if event == "agent_answered":
        return events.attempt_agent_answered(attempt_id=pk)
    if event == "contact_answered":
        return events.attempt_contact_answered(attempt_id=pk)
    if event == "completed":
        if data.get("duration") is None:
            raise ApplicationError("Send `duration` (seconds talked).", field="duration")
        return events.attempt_dial_ended(
            attempt_id=pk, outcome=Outcome.CONNECTED, talk_seconds=data["duration"]
        )
    if event == "agent_missed":
        return events.attempt_agent_leg_ended(attempt_id=pk)
    if event == "opted_out":
        return events.attempt_opted_out(attempt_id=pk)
    return events.attempt_dial_ended(attempt_id=pk, outcome=event)  # no_answer … machine


class OutboundAttemptEventApi(OutboundProviderApi):
    @extend_schema(
        tags=["outbound"],
        summary="Report a step of an attempt you dialled; repeats change nothing",
        description=(
            "Events: `dialled` (with `provider_call_id`), `agent_answered`, "
            "`contact_answered`, `completed` (with `duration`), `no_answer`, `busy`, `failed`, "
            "`machine` (the contact's leg), `agent_missed` (the agent's leg ended: before they "
            "answered, a missed call), `opted_out` (the contact pressed 9). An event about a "
            "step the attempt has moved past changes nothing; the answer is the attempt."
        ),
        request=OutboundEventInputSerializer,
        responses={200: OutboundAttemptSerializer, 404: ErrorOutputSerializer},
    )
    def post(self, request, attempt_id: int):
        attempt = get_object_or_404(_api_attempts(), pk=attempt_id)
        data = OutboundEventInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _event_apply(attempt, data.validated_data["event"], data.validated_data)
        attempt.refresh_from_db()
        return Response(OutboundAttemptSerializer(attempt).data)
