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
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns import lifecycle
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
)
from clients.api_auth import ApiKeyUser, FirmApiKeyAuthentication, IsFirm, firm_of
from common.api import ErrorOutputSerializer
from common.errors import ApplicationError
from common.keyset import InvalidCursor, Keyset

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
        try:
            page = ATTEMPT_PAGES.page(
                attempts_for(campaign=campaign), cursor=query.validated_data.get("cursor")
            )
        except InvalidCursor as error:
            raise ApplicationError(str(error), field="cursor") from error
        body = {
            "results": page.rows,
            "next_cursor": page.next_cursor,
            "previous_cursor": page.previous_cursor,
        }
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
