"""The email API for firms (issue 18): their queues and conversations, read-only. A firm's
API key or a signed-in client user; every queryset comes from a selector scoped to
`firm_of(request)`, so another firm's conversation is a 404."""

from drf_spectacular.utils import extend_schema
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clients.api_auth import FirmApiKeyAuthentication, IsFirm, firm_of
from common.api import ErrorOutputSerializer
from common.keyset import Keyset, api_page
from mailroom import selectors
from mailroom.serializers import (
    ConversationDetailSerializer,
    ConversationFilterInputSerializer,
    ConversationPageSerializer,
    QueueOutputSerializer,
)

TAGS = ["email"]
ERRORS = {code: ErrorOutputSerializer for code in (401, 403)}
NOT_FOUND = {**ERRORS, 404: ErrorOutputSerializer}
CONVERSATION_PAGES = Keyset("api.mail_conversations", ["-last_message_at", "-pk"], size=50)


class MailApi(APIView):
    authentication_classes = [FirmApiKeyAuthentication, SessionAuthentication]
    permission_classes = [IsFirm]


class QueueListApi(MailApi):
    @extend_schema(
        tags=TAGS,
        summary="Your email queues, with the addresses your customers write to",
        operation_id="mail_queues_list",
        responses={200: QueueOutputSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        queues = selectors.queues_of(firm=firm_of(request))
        return Response(QueueOutputSerializer(queues, many=True).data)


class ConversationListApi(MailApi):
    @extend_schema(
        tags=TAGS,
        summary="Your email conversations, latest first, 50 a page (cursor)",
        operation_id="mail_conversations_list",
        parameters=[ConversationFilterInputSerializer],
        responses={200: ConversationPageSerializer, 400: ErrorOutputSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        query = ConversationFilterInputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        rows = selectors.conversations_of(
            firm=firm_of(request),
            queue=data.get("queue"),
            status=data.get("status", ""),
            breached=data.get("breached"),
            language=data.get("language", ""),
        )
        body = api_page(CONVERSATION_PAGES, rows, cursor=data.get("cursor"))
        return Response(ConversationPageSerializer(body).data)


class ConversationDetailApi(MailApi):
    @extend_schema(
        tags=TAGS,
        summary="One of your conversations, with its messages as text",
        operation_id="mail_conversations_retrieve",
        responses={200: ConversationDetailSerializer, **NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        found = selectors.conversation_get(firm=firm_of(request), pk=pk)
        return Response(ConversationDetailSerializer(found).data)
