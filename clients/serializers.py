"""Serializers of the firm API. Inputs check shape and ranges; the services own the rules.

Money and other decimals stay strings in the output (DRF's default), never floats.
"""

from decimal import Decimal

from drf_spectacular.plumbing import build_choice_description_list
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clients.models import (
    Domain,
    Engagement,
    Language,
    LineLanguage,
    OutboundRateUnit,
    PhoneLine,
    RateUnit,
    RequestRegion,
    StaffingRequest,
)
from common.api import ErrorOutputSerializer as ErrorOutputSerializer  # named here before
from common.api import InputSerializer
from common.limits import ROW_ID, bounds


def _limits(name: str) -> dict:
    """The model field's bounds (its validators), as min_value / max_value."""
    return bounds(StaffingRequest, name)


# Language codes appear as `language` and as `languages`: left to itself, drf-spectacular
# names the one choice set twice and warns (W001), which fails `check --deploy`. Every
# language field is this one class instead, documented as one `LanguageEnum` component.
LANGUAGE_ENUM = {
    "type": "string",
    "enum": Language.values,
    "description": build_choice_description_list(Language.choices),
}


@extend_schema_field(LANGUAGE_ENUM, component_name="LanguageEnum")
class LanguageCodeField(serializers.ChoiceField):
    """A language code; on output also a RequestLanguage or LineLanguage row, as its code."""

    def __init__(self, **kwargs):
        super().__init__(choices=Language.choices, **kwargs)

    def to_representation(self, value):
        return super().to_representation(getattr(value, "language", value))


class StaffingRequestInputSerializer(InputSerializer):
    title = serializers.CharField(max_length=150)
    domain = serializers.ChoiceField(choices=Domain.choices)
    sub_skill = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    days = serializers.CharField(
        max_length=7, help_text='Weekday digits, 0 = Monday: "01234" is Monday to Friday.'
    )
    starts_at = serializers.TimeField()
    ends_at = serializers.TimeField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    region_radius_km = serializers.IntegerField(default=250, **_limits("region_radius_km"))
    calls_per_hour = serializers.DecimalField(**_limits("calls_per_hour"))
    aht_seconds = serializers.IntegerField(
        help_text="Average handle time.", **_limits("aht_seconds")
    )
    target_level = serializers.IntegerField(
        default=80, help_text="Percent of calls answered …", **_limits("target_level")
    )
    target_seconds = serializers.IntegerField(
        default=20, help_text="… within this many seconds.", **_limits("target_seconds")
    )
    shrinkage = serializers.IntegerField(default=30, **_limits("shrinkage"))
    headcount = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Agents wanted; omit to take the Erlang C estimate.",
        **_limits("headcount"),
    )
    rate_unit = serializers.ChoiceField(choices=RateUnit.choices)
    rate = serializers.DecimalField(**_limits("rate"))
    minimum_per_call = serializers.DecimalField(default=Decimal(0), **_limits("minimum_per_call"))
    outbound_rate_unit = serializers.ChoiceField(
        choices=OutboundRateUnit.choices,
        default=OutboundRateUnit.PER_CONNECT,
        help_text="How outbound calls (campaigns) are paid.",
    )
    outbound_rate = serializers.DecimalField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The rate per outbound unit; omit or null: no outbound work on this request.",
        **_limits("outbound_rate"),
    )
    email_rate = serializers.DecimalField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The rate per handled email conversation (first reply sent); omit or null: "
        "no email work on this request.",
        **_limits("email_rate"),
    )
    campaign_email_rate = serializers.DecimalField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The rate per campaign email sent; omit or null: no email campaigns.",
        **_limits("campaign_email_rate"),
    )
    languages = serializers.ListField(
        child=LanguageCodeField(), min_length=1, max_length=len(Language.values)
    )
    regions = serializers.ListField(
        child=serializers.IntegerField(**bounds(RequestRegion, "geoname_id")),
        min_length=1,
        max_length=50,
        help_text="GeoNames ids of places served.",
    )
    lines = serializers.ListField(
        child=serializers.IntegerField(**ROW_ID.bounds()),
        max_length=100,
        required=False,
        default=list,
        help_text="Ids of your lines the agents answer (none: all your lines with this skill).",
    )

    def validate_days(self, value: str) -> str:
        if not value or any(c not in "0123456" for c in value):
            raise serializers.ValidationError("Give weekday digits from 0 (Monday) to 6.")
        if len(set(value)) != len(value):
            raise serializers.ValidationError("Give each weekday once.")
        return "".join(sorted(value))


class RegionOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = RequestRegion
        fields = ["geoname_id", "name"]


class StaffingRequestOutputSerializer(serializers.ModelSerializer):
    languages = serializers.ListField(
        child=LanguageCodeField(), source="languages.all", read_only=True
    )
    regions = RegionOutputSerializer(many=True, read_only=True)
    lines = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    pending = serializers.IntegerField(read_only=True, help_text="Applications awaiting you.")
    engaged = serializers.IntegerField(read_only=True, help_text="Agents engaged now.")

    class Meta:
        model = StaffingRequest
        fields = [
            "id",
            "title",
            "domain",
            "sub_skill",
            "days",
            "starts_at",
            "ends_at",
            "start_date",
            "end_date",
            "languages",
            "regions",
            "lines",
            "calls_per_hour",
            "aht_seconds",
            "target_level",
            "target_seconds",
            "shrinkage",
            "agents_needed",
            "headcount",
            "rate_unit",
            "rate",
            "minimum_per_call",
            "outbound_rate_unit",
            "outbound_rate",
            "email_rate",
            "campaign_email_rate",
            "currency",
            "status",
            "pending",
            "engaged",
        ]
        read_only_fields = fields


class LineLanguageOutputSerializer(serializers.ModelSerializer):
    language = LanguageCodeField(read_only=True)

    class Meta:
        model = LineLanguage
        fields = ["language", "menu_digit"]


class LineOutputSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="number.as_e164", read_only=True, help_text="E.164.")
    languages = LineLanguageOutputSerializer(many=True, read_only=True)

    class Meta:
        model = PhoneLine
        fields = [
            "id",
            "number",
            "name",
            "domain",
            "sub_skill",
            "languages",
            "region_name",
            "time_zone",
            "business_days",
            "opens_at",
            "closes_at",
            "ring_timeout_seconds",
            "wrap_up_seconds",
            "max_wait_seconds",
            "is_active",
        ]
        read_only_fields = fields


class EngagedAgentOutputSerializer(serializers.Serializer):
    """What a firm sees of an agent here: who, never phone, bank or documents."""

    id = serializers.IntegerField()
    name = serializers.CharField(source="full_name")


class EngagementOutputSerializer(serializers.ModelSerializer):
    # agent_rate, agent_minimum_per_call, outbound_agent_rate and email_agent_rate are the
    # agency's business:
    # never listed here.
    agent = EngagedAgentOutputSerializer(read_only=True)
    request = serializers.PrimaryKeyRelatedField(read_only=True)
    lines = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Engagement
        fields = [
            "id",
            "agent",
            "request",
            "lines",
            "rate_unit",
            "client_rate",
            "outbound_rate_unit",
            "outbound_client_rate",
            "email_client_rate",
            "currency",
            "starts_on",
            "ends_on",
            "status",
        ]
        read_only_fields = fields
