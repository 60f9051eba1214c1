"""The generic call API for telephony providers other than Twilio (Exotel, Ozonetel, Asterisk).

`POST /api/v1/calls/` asks where a call should go; `POST /api/v1/calls/{call_id}/events/`
reports how the offer went. Authenticated with an agency provider key
(`ROUTING_PROVIDER_KEYS`) or a firm's own API key — which reaches only that firm's lines.

An agent's personal number goes only to the agency's own telephony (a provider key). A firm's
key is told to dial the agency's bridge number with a one-time `bridge_code`
(routing.services.bridge): a firm must not harvest agents' numbers with calls of its own.
"""

import datetime as dt
import hmac

from django.conf import settings
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from clients.api_auth import (
    KEYWORD,
    ApiKeyUser,
    FirmApiKeyAuthentication,
    IsFirm,
    authorization_key,
    firm_of,
)
from clients.models import PhoneLine
from common.api import ErrorOutputSerializer
from common.dates import local_midnight
from common.errors import ApplicationError
from common.keyset import Keyset, api_page
from routing import services
from routing.models import Call, RoutingDecision
from routing.selectors import call_records_of
from routing.serializers import (
    CallEventInputSerializer,
    CallInputSerializer,
    CallRecordDetailSerializer,
    CallRecordFilterSerializer,
    CallRecordPageSerializer,
    PlacementSerializer,
)


class ProviderUser:
    """A telephony provider authenticated by an agency key: may route calls to any line."""

    is_authenticated = True
    is_anonymous = False
    needs_totp = False  # as for ApiKeyUser
    pk = id = None

    def __init__(self, name: str):
        self.provider = name

    def __str__(self) -> str:
        return f"provider:{self.provider}"


class ProviderKeyAuthentication(BaseAuthentication):
    """`Authorization: Api-Key <key>` matching one of ROUTING_PROVIDER_KEYS (name=key)."""

    def authenticate(self, request):
        raw = authorization_key(request)
        if not raw:
            return None
        for name, key in settings.ROUTING_PROVIDER_KEYS.items():
            if key and hmac.compare_digest(str(key).encode(), raw.encode()):
                return ProviderUser(name), name
        return None  # perhaps a firm's key: the next class decides

    def authenticate_header(self, request) -> str:
        return KEYWORD


class ProviderKeyScheme(OpenApiAuthenticationExtension):
    target_class = ProviderKeyAuthentication
    name = "ProviderKey"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "An agency provider key (`Authorization: Api-Key <key>`).",
        }


class IsProviderOrFirm(BasePermission):
    message = "This API is for telephony providers and client firms."

    def has_permission(self, request, view) -> bool:
        return isinstance(request.user, ProviderUser | ApiKeyUser)


def _provider_and_lines(request) -> tuple[str, object]:
    """The provider name calls are recorded under, and the lines this caller may use."""
    if isinstance(request.user, ProviderUser):
        return request.user.provider, PhoneLine.objects.all()
    firm = request.user.firm
    return f"firm-{firm.pk}", PhoneLine.objects.filter(firm=firm)


def _dial(request, step: services.NextStep) -> tuple[str | None, str | None]:
    """What to dial, and the bridge code: the agent's own number for the agency's providers;
    for a firm's key, the agency's bridge number and a one-time code instead."""
    if not step.number:
        return None, None
    if isinstance(request.user, ProviderUser) or step.kind == services.Kind.TRANSFER:
        # A transfer's number is the firm's own (a line of theirs, or its escalation desk).
        return step.number, None
    bridge = settings.ROUTING_BRIDGE_NUMBER or None
    return bridge, services.bridge_code_for(step.call)


def _answer(request, step: services.NextStep, *, created: bool = False) -> Response:
    """The JSON for what routing decided (services.call_next_step): nothing decided here."""
    call = step.call
    dial, bridge_code = _dial(request, step)
    decision = call.decisions.order_by("-id").first()
    if decision is not None:
        # The answer shows who was passed over: explained now (once; the Twilio webhook
        # never asks for it, so its callers don't wait on it).
        decision = services.decision_explain(decision)
    body = {
        "call": call,
        "next_step": step.kind,
        "agent": step.agent,
        "dial": dial,
        "bridge_code": bridge_code,
        "ring_timeout": step.ring_timeout,
        "retry_after": step.retry_after,
        "decision": decision,
    }
    code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    data = PlacementSerializer(body, context={"next_step": step.kind.value}).data
    return Response(data, status=code)


class CallsApi(APIView):
    authentication_classes = [ProviderKeyAuthentication, FirmApiKeyAuthentication]
    permission_classes = [IsProviderOrFirm]


class CallRouteApi(CallsApi):
    @extend_schema(
        tags=["calls"],
        summary="Where should this call go? Reserves the nearest available agent",
        description=(
            "With an agency provider key, `dial` is the reserved agent's phone. With a firm's "
            "own key it never is: `dial` is the agency's bridge number and `bridge_code` a "
            "one-time code. Dial the bridge and, once it answers, send the code as DTMF "
            "followed by `#`: the agency's telephony connects the call to the agent for this "
            "offer only. Report the offer's events here as usual."
        ),
        request=CallInputSerializer,
        # 400/401/403/429 come from common.schema.AutoSchema; 404: no such line of yours.
        responses={
            200: PlacementSerializer,
            201: PlacementSerializer,
            404: ErrorOutputSerializer,
            409: ErrorOutputSerializer,
        },
    )
    def post(self, request):
        data = CallInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        provider, lines = _provider_and_lines(request)
        line = lines.filter(number=d["to"], is_active=True).prefetch_related("languages").first()
        if line is None:
            raise exceptions.NotFound(f"No active line of yours has the number {d['to']}.")
        offered = [x.language for x in line.languages.all()]
        if not d.get("language") and len(offered) > 1:
            raise ApplicationError(
                f"This line offers several languages ({', '.join(offered)}): send `language`.",
                field="language",
            )
        existing = Call.objects.filter(provider=provider, provider_call_id=d["call_id"]).first()
        call = existing or services.call_start(
            provider=provider,
            provider_call_id=d["call_id"],
            to=d["to"],
            caller=d["from"],
            provider_location=d.get("caller_location"),
            language=d.get("language", ""),
        )
        return _answer(request, services.call_next_step(call=call), created=existing is None)


class CallEventApi(CallsApi):
    @extend_schema(
        tags=["calls"],
        summary="Report how an offered call went; no answer offers the next agent",
        description=(
            "Send `attempt` (the call's `attempts` in the answer that said dial) to make a "
            "repeat safe: an event about an earlier offer changes nothing. `survey` with "
            "`score` (1-5) stores the caller's rating of a completed call on a line with the "
            "survey on, once: the same score again is a repeat, another one a 409."
        ),
        request=CallEventInputSerializer,
        responses={200: PlacementSerializer, 409: ErrorOutputSerializer},
    )
    def post(self, request, call_id: str):
        provider, _lines = _provider_and_lines(request)
        call = get_object_or_404(Call, provider=provider, provider_call_id=call_id)
        data = CallEventInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event, at = data.validated_data["event"], data.validated_data.get("at")
        # `attempt` names the offer the event is about: the services ignore it, on the locked
        # row, once the call has moved on (a repeat, or a late event about an earlier agent).
        attempt = data.validated_data.get("attempt")
        if event == "answered":
            call = services.call_answered(call_id=call.pk, at=at, attempt=attempt)
        elif event == "completed":
            duration = data.validated_data.get("duration")
            if duration is None:
                if call.answered_at is None:
                    raise ApplicationError("Send `duration` (seconds talked).", field="duration")
                duration = int(((at or timezone.now()) - call.answered_at).total_seconds())
            call = services.call_completed_with(
                call_id=call.pk, duration=duration, at=at, attempt=attempt
            )
        elif event == "survey":
            score = data.validated_data.get("score")
            if score is None:
                raise ApplicationError("Send `score` (1 to 5).", field="score")
            call = services.call_survey_record(call_id=call.pk, score=score, at=at)
        elif event == "transfer":
            to = data.validated_data.get("to")
            if not to:
                raise ApplicationError("Send `to` (the number the caller went to).", field="to")
            call = services.call_transfer_reported(call_id=call.pk, to=to, at=at)
        elif call.status == Call.Status.OFFERED:
            call = services.call_not_answered(
                call_id=call.pk, reason=event.replace("_", " "), at=at, attempt=attempt
            )
        elif event == "failed":
            call = services.call_failed(call_id=call.pk, reason="Failed", at=at, attempt=attempt)
        return _answer(request, services.call_next_step(call=call))


# --- Call records: the firm reads its calls (issue 16) ------------------------------------
# A firm's API key only: the records are the firm's, so an agency provider key (which routes
# calls to any line) is refused with 403, not shown everyone's calls. Another firm's call id
# is a 404: the queryset holds only the key's firm's calls.

CALL_RECORD_PAGES = Keyset("api.call_records", ["-created_at", "-pk"], size=50)
RECORD_ERRORS = {code: ErrorOutputSerializer for code in (400, 401, 403)}


class IsFirmKey(IsFirm):
    message = "Call records are the firm's: use your firm's API key."

    def has_permission(self, request, view) -> bool:
        if isinstance(request.user, ProviderUser):
            return False  # 403 with the message above
        return super().has_permission(request, view)


class CallRecordsApi(APIView):
    # The provider class is listed so that its key is recognised — and refused (403) — rather
    # than taken for a bad firm key (401).
    authentication_classes = [ProviderKeyAuthentication, FirmApiKeyAuthentication]
    permission_classes = [IsFirmKey]


def _records_filtered(calls, data: dict):
    if "line" in data:
        calls = calls.filter(line_id=data["line"])
    if "line_number" in data:
        calls = calls.filter(line__number=data["line_number"])
    if "agent" in data:
        calls = calls.filter(agent_id=data["agent"])
    if "status" in data:
        calls = calls.filter(status=data["status"])
    if "disposition" in data:
        calls = calls.filter(disposition__code=data["disposition"])
    if "date_from" in data:
        calls = calls.filter(created_at__gte=local_midnight(data["date_from"]))
    if "date_to" in data:
        end = data["date_to"] + dt.timedelta(days=1)
        calls = calls.filter(created_at__lt=local_midnight(end))
    return calls


class CallRecordListApi(CallRecordsApi):
    @extend_schema(
        tags=["call records"],
        summary="Your calls, newest first, a page of 50 at a time (cursor)",
        operation_id="call_records_list",
        parameters=[CallRecordFilterSerializer],
        responses={200: CallRecordPageSerializer, **RECORD_ERRORS},
    )
    def get(self, request):
        query = CallRecordFilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        calls = _records_filtered(call_records_of(firm=firm_of(request)), data)
        body = api_page(CALL_RECORD_PAGES, calls, cursor=data.get("cursor"))
        return Response(CallRecordPageSerializer(body).data)


class CallRecordDetailApi(CallRecordsApi):
    @extend_schema(
        tags=["call records"],
        summary="One of your calls: disposition, notes (if you include them), survey, decisions",
        operation_id="call_records_retrieve",
        responses={200: CallRecordDetailSerializer, 404: ErrorOutputSerializer, **RECORD_ERRORS},
    )
    def get(self, request, pk: int):
        calls = call_records_of(firm=firm_of(request)).prefetch_related(
            Prefetch(
                "decisions",
                queryset=RoutingDecision.objects.select_related("chosen", "sticky_agent").order_by(
                    "attempt", "pk"
                ),
            )
        )
        call = get_object_or_404(calls, pk=pk)
        return Response(CallRecordDetailSerializer(call).data)
