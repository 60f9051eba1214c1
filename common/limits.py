"""Ranges and limits, each written once, on the model.

A `Range` gives a field its validators (the message users read) and the model its
`CheckConstraint` (what the database enforces), from the same two numbers. Forms and
serializers read the bounds back from the model field (`bounds`); services validate values
with the model's own validators (`field_check`, `instance_check`), never with numbers of
their own.
"""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from common.errors import ApplicationError


@dataclass(frozen=True)
class Range:
    """low <= value <= high (either end may be open). `message` may name {low} and {high};
    without one, Django's own messages ("Ensure this value is …")."""

    low: Any = None
    high: Any = None
    message: str | None = None

    def validators(self) -> list:
        text = (
            {"message": self.message.format(low=self.low, high=self.high)} if self.message else {}
        )
        found = []
        if self.low is not None:
            found.append(MinValueValidator(self.low, **text))
        if self.high is not None:
            found.append(MaxValueValidator(self.high, **text))
        return found

    def check(self, field: str, *, name: str) -> models.CheckConstraint:
        condition = {}
        if self.low is not None:
            condition[f"{field}__gte"] = self.low
        if self.high is not None:
            condition[f"{field}__lte"] = self.high
        return models.CheckConstraint(condition=Q(**condition), name=name)

    def bounds(self) -> dict[str, Any]:
        """`min_value` / `max_value`, for a form or serializer field not backed by a column."""
        found = {"min_value": self.low, "max_value": self.high}
        return {key: value for key, value in found.items() if value is not None}


# A row's id as the API and forms take it: BigAutoField's range, the same on SQLite and
# PostgreSQL. Past it, SQLite raises OverflowError binding the parameter (a 500), so an id
# list from a client is bounded like any other number.
ROW_ID = Range(1, 2**63 - 1)


def bounds(model: type[models.Model], name: str) -> dict[str, Any]:
    """`min_value` / `max_value` of a model field, from its validators — and a decimal's
    `max_digits` / `decimal_places` — as the keyword arguments of a Django form field or a DRF
    serializer field, with the Range's message for both ends (`error_messages`), so a form
    says what the model would. Only the validators the model declares (`deconstruct()`'s), not the
    database's integer range that `field.validators` adds: that differs between SQLite and
    PostgreSQL, and the API schema must not."""
    lows, highs = [], []
    model_field = model._meta.get_field(name)
    declared = model_field.deconstruct()[3].get("validators", [])
    messages = {}
    for validator in declared:
        if isinstance(validator, MinValueValidator):
            lows.append(validator.limit_value)
        elif isinstance(validator, MaxValueValidator):
            highs.append(validator.limit_value)
        else:
            continue
        if validator.message != type(validator).message:  # the Range's own words
            messages[validator.code] = validator.message
    found: dict[str, Any] = {"error_messages": messages} if messages else {}
    if isinstance(model_field, models.DecimalField):
        found["max_digits"] = model_field.max_digits
        found["decimal_places"] = model_field.decimal_places
    if lows:
        found["min_value"] = max(lows)
    if highs:
        found["max_value"] = min(highs)
    return found


def _first(error: ValidationError) -> ApplicationError:
    field, messages = next(iter(error.message_dict.items()))
    return ApplicationError(messages[0], field=None if field == NON_FIELD_ERRORS else field)


def field_check(model: type[models.Model], name: str, value: Any, *, field: str = "") -> Any:
    """`value` cleaned by the model field (its validators included), or the field's first
    message as an ApplicationError on `field` (default: the model field's name)."""
    try:
        return model._meta.get_field(name).clean(value, None)
    except ValidationError as error:
        raise ApplicationError(error.messages[0], field=field or name) from error


def instance_check(instance: models.Model, *, exclude: list[str] | None = None) -> None:
    """`full_clean()`: fields, then constraints, the first message as an ApplicationError on
    its field. Uniqueness is left to the caller, who checks it where the race is (a unique
    constraint caught on save)."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as error:
        raise _first(error) from error
