"""One exception handler for the API: every error is `{"message": …, "extra": {…}}` (its
serializer, for the schema: `common.schema` declares it on every operation) — and the API's
strict pagination."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from common.errors import ApplicationError
from common.text import TextValidator, text_normalise


def _ip_throttled(exc, context):
    """A request refused for its credentials counts against its IP (common.throttling's
    `api_ip` rate): DRF checks throttles only after authentication and permissions pass, so
    wrong keys and anonymous calls were never limited. Past the rate: a 429 instead."""
    from common.throttling import IpThrottle

    request = context.get("request")
    if request is None:
        return exc
    throttle = IpThrottle()
    if throttle.allow_request(request, context.get("view")):
        return exc
    return exceptions.Throttled(wait=throttle.wait())


def exception_handler(exc, context):
    if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        exc = _ip_throttled(exc, context)
    if isinstance(exc, ApplicationError):
        extra = dict(exc.extra)
        if exc.field:
            extra.setdefault("fields", {exc.field: [exc.message]})
        return Response({"message": exc.message, "extra": extra}, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"message": "The request is not valid.", "extra": {"fields": response.data}}
    elif isinstance(exc, exceptions.Throttled):  # 429; DRF sets the Retry-After header
        wait = int(exc.wait) if exc.wait is not None else None
        response.data = {"message": str(exc.detail), "extra": {"retry_after": wait}}
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"message": str(response.data["detail"]), "extra": {}}
    return response


class ErrorOutputSerializer(serializers.Serializer):
    """Every error of the API; `extra.fields` maps input fields to their messages."""

    message = serializers.CharField()
    extra = serializers.DictField()


class Pagination(LimitOffsetPagination):
    """`?limit=&offset=`, bounded and strict: a value that is not a whole number in range is a
    400 with the house message, never quietly the default (DRF's own answer to `offset=x`)
    nor an offset past what the database binds (a 500 on SQLite)."""

    max_limit = 200
    max_offset = 10**9

    def get_limit(self, request) -> int:
        return self._whole(request, self.limit_query_param, 1, self.max_limit, self.default_limit)

    def get_offset(self, request) -> int:
        return self._whole(request, self.offset_query_param, 0, self.max_offset, 0)

    @staticmethod
    def _whole(request, name: str, low: int, high: int, default: int) -> int:
        raw = request.query_params.getlist(name)
        if not raw:
            return default
        if len(raw) > 1 or not raw[0].isascii() or not raw[0].isdigit():
            raise exceptions.ValidationError({name: ["Give one whole number."]})
        value = int(raw[0])
        if not low <= value <= high:
            raise exceptions.ValidationError({name: [f"Give a number from {low} to {high}."]})
        return value

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        ranges = {self.limit_query_param: (1, self.max_limit), self.offset_query_param: (0, None)}
        for parameter in parameters:
            low, high = ranges[parameter["name"]]
            parameter["schema"]["minimum"] = low
            parameter["schema"]["maximum"] = high or self.max_offset
        return parameters


class CleanTextMixin:
    """Every API input's text fields refuse control characters and read NFC (`common.text`)."""

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            if isinstance(field, serializers.CharField) and not field.read_only:
                field.validators.append(TextValidator())
        return fields

    def to_internal_value(self, data):
        return super().to_internal_value(text_normalise(data))


class InputSerializer(CleanTextMixin, serializers.Serializer):
    """The base of every `…InputSerializer` (and what one nests)."""
