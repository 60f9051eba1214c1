"""The API schema (drf-spectacular), as the API really answers: `AutoSchema` (the
DEFAULT_SCHEMA_CLASS) declares the errors every operation can give, and `TimeOfDayScheme`
how a time of day is written. Kept apart from `common.api`: drf-spectacular's openapi module
imports DRF's generic views, which read the pagination class from `common.api`."""

import uritemplate
from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiSerializerFieldExtension

from common.api import ErrorOutputSerializer


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, with the errors every operation can answer declared once, here,
    in the house format: 400 where it reads input (a body or query parameters), 401 and 403
    where it needs a caller, 404 where its path names a row, 429 anywhere (throttled).
    An operation's own `extend_schema(responses=…)` adds the rest (409 where a state conflicts).
    """

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = {401, 403, 429}
        if self.method in ("POST", "PUT", "PATCH") or (
            self._is_list_view() and self._get_paginator()
        ):
            codes.add(400)
        if uritemplate.variables(self.path):
            codes.add(404)
        for code in sorted(codes):
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    ErrorOutputSerializer, str(code), direction=direction
                )
        return responses


class TimeOfDayScheme(OpenApiSerializerFieldExtension):
    """A time of day is local (a line's or a request's time zone) and carries no offset:
    "09:00" or "09:00:00". OpenAPI's `format: time` is RFC 3339's full-time, which requires one,
    so every `TimeField` is declared by its pattern instead."""

    target_class = "rest_framework.fields.TimeField"

    def map_serializer_field(self, auto_schema, direction):
        return {
            "type": "string",
            "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$",
            "example": "09:00:00",
        }
