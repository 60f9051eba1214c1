"""(issue 17: to be written)"""

# --- Campaigns for firms (issue 17: the lifecycle's API) ----------------------------------
# A firm's API key (or a signed-in client user): every queryset comes from a selector scoped
# to `firm_of(request)`, so another firm's campaign or contact is a 404. Pausing and resuming
# act for the admin who issued the key; the lifecycle's own check decides (a complete-BPO
# firm's campaigns are the agency's to run: 403).

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.authentication import SessionAuthentication
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns import events, lifecycle
from campaigns.models import Attempt
from campaigns.selectors import (
    attempts_for,
    campaigns_for_firm,
    contact_get,
    contact_proof,
    figures_by_campaign,
    proof_row,
)
from campaigns.serializers import (
    AttemptPageInputSerializer,
    AttemptPageSerializer,
    CampaignDetailSerializer,
    CampaignOutputSerializer,
    ContactProofSerializer,
    OutboundAttemptSerializer,
    OutboundDialsSerializer,
    OutboundEventInputSerializer,
)
from clients.api_auth import ApiKeyUser, FirmApiKeyAuthentication, IsFirm, firm_of
from common.api import ErrorOutputSerializer
from common.errors import ApplicationError
from common.keyset import Keyset, api_page
from routing.apis import ProviderKeyAuthentication, ProviderUser

TAGS = ["campaigns"]
ERRORS = {code: ErrorOutputSerializer for code in (401, 403)}
NOT_FOUND = {**ERRORS, 404: ErrorOutputSerializer}
ATTEMPT_PAGES = Keyset("api.campaign_attempts", ["-created_at", "-pk"], size=50)


class CampaignsApi(APIView):
    authentication_classes = [FirmApiKeyAuthentication, SessionAuthentication]
    permission_classes = [IsFirm]


def _detail(campaign) -> dict:
    figures = figures_by_campaign(campaign_ids=[campaign.pk])
    return CampaignDetailSerializer(campaign, context={"figures": figures}).data


class CampaignListApi(CampaignsApi, GenericAPIView):
    serializer_class = CampaignOutputSerializer  # the list pages as the API's other lists do

    @extend_schema(
        tags=TAGS,
        summary="Your outbound campaigns, newest first",
        operation_id="campaigns_list",
        responses={200: CampaignOutputSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        campaigns = self.paginate_queryset(campaigns_for_firm(firm=firm_of(request)))
        return self.get_paginated_response(CampaignOutputSerializer(campaigns, many=True).data)


class CampaignDetailApi(CampaignsApi):
    @extend_schema(
        tags=TAGS,
        summary="One of your campaigns, with its figures",
        operation_id="campaigns_retrieve",
        responses={200: CampaignDetailSerializer, **NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        campaign = get_object_or_404(campaigns_for_firm(firm=firm_of(request)), pk=pk)
        return Response(_detail(campaign))


def _actor(request: Request):
    # A key acts for the firm: the move is credited to (and checked as) the admin who made it.
    return request.user.key.created_by if isinstance(request.user, ApiKeyUser) else request.user


class CampaignMoveApi(CampaignsApi):
    move = ""

    def post(self, request: Request, pk: int) -> Response:
        campaign = get_object_or_404(campaigns_for_firm(firm=firm_of(request)), pk=pk)
        service = getattr(lifecycle, f"campaign_{self.move}")
        campaign = service(actor=_actor(request), campaign=campaign)
        return Response(_detail(campaign))


MOVE_RESPONSES = {
    200: CampaignDetailSerializer,
    409: ErrorOutputSerializer,
    **NOT_FOUND,
}


class CampaignPauseApi(CampaignMoveApi):
    move = "pause"

    @extend_schema(
        tags=TAGS,
        summary="Pause a running campaign: no new calls from now",
        operation_id="campaigns_pause",
        request=None,
        responses=MOVE_RESPONSES,
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class CampaignResumeApi(CampaignMoveApi):
    move = "resume"

    @extend_schema(
        tags=TAGS,
        summary="Resume a paused campaign",
        operation_id="campaigns_resume",
        request=None,
        responses={**MOVE_RESPONSES, 400: ErrorOutputSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class CampaignAttemptsApi(CampaignsApi):
    @extend_schema(
        tags=TAGS,
        summary="A campaign's attempts, newest first, 50 a page (cursor), each with its proof",
        operation_id="campaigns_attempts",
        parameters=[AttemptPageInputSerializer],
        responses={200: AttemptPageSerializer, 400: ErrorOutputSerializer, **NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        campaign = get_object_or_404(campaigns_for_firm(firm=firm_of(request)), pk=pk)
        query = AttemptPageInputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        body = api_page(
            ATTEMPT_PAGES,
            attempts_for(campaign=campaign),
            cursor=query.validated_data.get("cursor"),
        )
        return Response(AttemptPageSerializer(body).data)


class ContactProofApi(CampaignsApi):
    @extend_schema(
        tags=TAGS,
        summary="Every attempt to call one of your contacts, with what it was checked against",
        operation_id="contacts_proof",
        responses={200: ContactProofSerializer, **NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        firm = firm_of(request)
        contact = contact_get(firm=firm, pk=pk)
        rows = [proof_row(a) for a in contact_proof(firm=firm, contact=contact)]
        body = {"contact": contact.pk, "name": contact.name, "attempts": rows}
        return Response(ContactProofSerializer(body).data)


# --- The generic API for telephony providers (agency keys): outbound dials and their events ---
# (helper "telephony"; the firm's campaign API is above.) With CAMPAIGNS_PROVIDER = "api", a
# placement sends nothing: the provider asks what to dial, rings the agent's phone, then the
# contact, both showing the line's number, and reports each step. Agents' numbers are in these
# answers, so only an agency provider key may call them: a firm's key is refused (403).

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
