"""The firm API: a firm's own systems read its requests, lines and engagements, and post
requests. Every queryset comes from a selector scoped to `firm_of(request)`: another firm's
rows are simply not there (404), never filtered out after the fact.
"""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.response import Response

from clients import marketplace
from clients.api_auth import ApiKeyUser, FirmApiKeyAuthentication, IsFirm, firm_of
from clients.models import Engagement, PhoneLine, StaffingRequest
from clients.selectors import engagements_of, lines_of, requests_of
from clients.serializers import (
    EngagementOutputSerializer,
    LineOutputSerializer,
    StaffingRequestInputSerializer,
    StaffingRequestOutputSerializer,
)
from common.api import ErrorOutputSerializer

ERRORS = {code: ErrorOutputSerializer for code in (401, 403)}
NOT_FOUND = {**ERRORS, 404: ErrorOutputSerializer}
TAGS = ["staffing"]


class FirmApi(generics.GenericAPIView):
    authentication_classes = [FirmApiKeyAuthentication, SessionAuthentication]
    permission_classes = [IsFirm]


def _requests(request: Request) -> QuerySet[StaffingRequest]:
    # requests_of annotates counts (a GROUP BY), and Django drops Meta.ordering from GROUP BY
    # queries: without this order_by, pages would come in no defined order.
    return (
        requests_of(firm=firm_of(request)).prefetch_related("lines").order_by("-created_at", "-id")
    )


@extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        summary="Your staffing requests, newest first",
        responses={200: StaffingRequestOutputSerializer, **ERRORS},
    ),
)
class StaffingRequestListCreateApi(FirmApi, generics.ListAPIView):
    serializer_class = StaffingRequestOutputSerializer

    def get_queryset(self) -> QuerySet[StaffingRequest]:
        return _requests(self.request)

    @extend_schema(
        tags=TAGS,
        summary="Post a staffing request (Erlang C sizes it when headcount is omitted)",
        request=StaffingRequestInputSerializer,
        responses={
            201: StaffingRequestOutputSerializer,
            400: ErrorOutputSerializer,
            409: ErrorOutputSerializer,
            **ERRORS,
        },
    )
    def post(self, request: Request) -> Response:
        serializer = StaffingRequestInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        # A key acts for the firm; the request is credited to the admin who issued the key.
        user = request.user.key.created_by if isinstance(request.user, ApiKeyUser) else request.user
        created = marketplace.staffing_request_create(
            firm=firm_of(request),
            user=user,
            languages=data.pop("languages"),
            region_ids=data.pop("regions"),
            line_ids=data.pop("lines"),
            **data,
        )
        created = _requests(request).get(pk=created.pk)  # with pending/engaged annotated
        output = StaffingRequestOutputSerializer(created)
        return Response(output.data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, responses={200: StaffingRequestOutputSerializer, **NOT_FOUND})
class StaffingRequestDetailApi(FirmApi, generics.RetrieveAPIView):
    serializer_class = StaffingRequestOutputSerializer

    def get_queryset(self) -> QuerySet[StaffingRequest]:
        return _requests(self.request)


@extend_schema(tags=TAGS, responses={200: LineOutputSerializer, **ERRORS})
class LineListApi(FirmApi, generics.ListAPIView):
    serializer_class = LineOutputSerializer

    def get_queryset(self) -> QuerySet[PhoneLine]:
        return lines_of(firm=firm_of(self.request))


@extend_schema(tags=TAGS, responses={200: LineOutputSerializer, **NOT_FOUND})
class LineDetailApi(FirmApi, generics.RetrieveAPIView):
    serializer_class = LineOutputSerializer

    def get_queryset(self) -> QuerySet[PhoneLine]:
        return lines_of(firm=firm_of(self.request))


@extend_schema(tags=TAGS, responses={200: EngagementOutputSerializer, **ERRORS})
class EngagementListApi(FirmApi, generics.ListAPIView):
    serializer_class = EngagementOutputSerializer

    def get_queryset(self) -> QuerySet[Engagement]:
        return engagements_of(firm=firm_of(self.request))
