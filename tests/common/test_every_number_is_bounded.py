"""Every number a form or the API takes has both ends, inside what its column holds.

Walks every form and serializer of ours: a numeric field without a minimum and a maximum, or
a decimal without its digits, fails; so does one whose bounds its model column cannot hold on
PostgreSQL (the narrower ranges) or SQLite. `MODEL_OF` names the model a form or serializer
writes, so a field named like one of its columns is checked against that column.
"""

import importlib
from decimal import Decimal

import pytest
from django import forms
from django.db import connection
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import DecimalField as DecimalColumn
from rest_framework import serializers

from agents.models import AgentProfile, AgentSkill
from billing.models import Adjustment, FixedFeePlan
from campaigns.models import Attempt, Campaign
from clients.models import LineLanguage, PhoneLine, StaffingRequest
from routing.models import Call
from teams.models import Franchise

MODULES = [
    "accounts.apis",
    "accounts.staff_forms",
    "agents.forms",
    "agents.staff_forms",
    "billing.forms",
    "billing.staff_forms",
    "clients.forms",
    "clients.serializers",
    "routing.serializers",
    "campaigns.forms",
    "campaigns.serializers",
    "teams.forms",
    "teams.schedule_forms",
]
MODEL_OF = {
    "FranchiseForm": [Franchise],  # teams (issue 19): the franchise's gazetteer id
    "ProfileForm": [AgentProfile],
    "SkillForm": [AgentSkill],
    "TdsForm": [AgentProfile],
    "AdjustmentForm": [Adjustment],
    "DisputeAnswerForm": [Adjustment],
    "FeePlanForm": [FixedFeePlan],
    "AuditFilterForm": [],  # filters: a row id, bounded by common.limits.ROW_ID
    "LineForm": [PhoneLine, LineLanguage],
    "LineAfterCallForm": [PhoneLine],
    "RequestForm": [StaffingRequest],
    "StaffingRequestInputSerializer": [StaffingRequest],
    "CallEventInputSerializer": [Call],
    "CallerLocationSerializer": [],  # degrees, no column of ours
    "CampaignForm": [Campaign],
    "OutboundEventInputSerializer": [Attempt],  # a provider's report: duration is talk_seconds
}
FORM_NUMBERS = (forms.IntegerField, forms.DecimalField, forms.FloatField)
API_NUMBERS = (serializers.IntegerField, serializers.DecimalField, serializers.FloatField)


def _ours(base: type) -> list[type]:
    for module in MODULES:
        importlib.import_module(module)
    found, todo = [], [base]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__ in MODULES:
                found.append(sub)
    return found


def _serializer_numbers(serializer: serializers.Serializer, owner: str):
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        if isinstance(field, serializers.ListField):
            field = field.child
        if isinstance(field, serializers.Serializer):
            yield from _serializer_numbers(field, type(field).__name__)
        elif isinstance(field, API_NUMBERS):
            yield owner, name, field


def _numbers():
    for form in _ours(forms.BaseForm):
        for name, field in form.base_fields.items():
            if isinstance(field, FORM_NUMBERS):
                yield form.__name__, name, field
    # What the API reads: the `…InputSerializer`s (and what they nest); outputs only write.
    for serializer in _ours(serializers.BaseSerializer):
        if serializer.__name__.endswith("InputSerializer"):
            yield from _serializer_numbers(serializer(), serializer.__name__)


NUMBERS = [
    pytest.param(*found, id=f"{found[0]}.{found[1]}")
    for found in sorted(_numbers(), key=lambda found: found[:2])
]


def test_the_walk_finds_the_forms_and_the_api():
    owners = {param.values[0] for param in NUMBERS}
    assert {"RequestForm", "LineForm", "StaffingRequestInputSerializer", "TdsForm"} <= owners


@pytest.mark.parametrize(("owner", "name", "field"), NUMBERS)
def test_every_number_has_both_ends(owner, name, field):
    assert field.min_value is not None, f"{owner}.{name} has no minimum"
    assert field.max_value is not None, f"{owner}.{name} has no maximum"
    if isinstance(field, forms.DecimalField | serializers.DecimalField):
        assert field.max_digits is not None, f"{owner}.{name} has no max_digits"
        whole = Decimal(10) ** (field.max_digits - field.decimal_places)
        assert abs(field.max_value) < whole and abs(field.min_value) < whole


def _column(owner: str, name: str):
    assert owner in MODEL_OF, f"name the model {owner} writes in MODEL_OF"
    for model in MODEL_OF[owner]:
        for column in model._meta.concrete_fields:
            if column.name == name:
                return column
    return None


@pytest.mark.parametrize(("owner", "name", "field"), NUMBERS)
def test_every_number_fits_its_column(owner, name, field):
    column = _column(owner, name)
    if column is None:
        return
    if isinstance(column, DecimalColumn):
        assert field.max_digits <= column.max_digits
        assert field.decimal_places == column.decimal_places
        return
    kind = column.get_internal_type()
    for low, high in (
        BaseDatabaseOperations.integer_field_ranges[kind],  # PostgreSQL's
        connection.ops.integer_field_range(kind),
    ):
        assert low <= field.min_value and field.max_value <= high, f"{owner}.{name}: {kind}"
