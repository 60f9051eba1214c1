import phonenumbers
from rest_framework import serializers

from clients.serializers import LanguageCodeField
from common.api import InputSerializer
from common.limits import bounds
from routing.models import Call, RoutingDecision
from routing.services.next_step import Kind

EVENTS = ["answered", "completed", "no_answer", "busy", "failed", "transfer"]


def _e164(value: str) -> str:
    try:
        number = phonenumbers.parse(value, "IN")
    except phonenumbers.NumberParseException as error:
        raise serializers.ValidationError("Not a phone number.") from error
    if not phonenumbers.is_possible_number(number):
        raise serializers.ValidationError("Not a possible phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class CallerLocationSerializer(InputSerializer):
    city = serializers.CharField(required=False, allow_blank=True, max_length=100)
    state = serializers.CharField(required=False, allow_blank=True, max_length=100)
    country = serializers.CharField(required=False, allow_blank=True, max_length=2)
    latitude = serializers.FloatField(required=False, min_value=-90, max_value=90)
    longitude = serializers.FloatField(required=False, min_value=-180, max_value=180)


class CallInputSerializer(InputSerializer):
    call_id = serializers.CharField(max_length=64, help_text="The provider's id for the call.")
    from_ = serializers.CharField(max_length=32, help_text="The caller's number.")
    to = serializers.CharField(max_length=32, help_text="The line's number that was dialled.")
    language = LanguageCodeField(required=False)
    caller_location = CallerLocationSerializer(required=False)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")  # "from" is a Python keyword
        return fields

    def validate_to(self, value: str) -> str:
        return _e164(value)

    def validate(self, attrs):
        try:
            attrs["from"] = _e164(attrs["from"])
        except serializers.ValidationError as error:
            raise serializers.ValidationError({"from": error.detail}) from error
        return attrs


class CallEventInputSerializer(InputSerializer):
    event = serializers.ChoiceField(choices=EVENTS)
    at = serializers.DateTimeField(required=False)
    duration = serializers.IntegerField(required=False, **bounds(Call, "talk_seconds"))
    attempt = serializers.IntegerField(
        required=False,
        help_text="The offer this event is about (`call.attempts` when told to dial).",
        **(bounds(Call, "attempts") | {"min_value": 1}),  # the first offer is 1
    )
    to = serializers.CharField(
        required=False,
        max_length=32,
        help_text="`transfer`: the number the caller was sent to (one of the firm's lines, "
        "or the line's escalation number).",
    )

    def validate_to(self, value: str) -> str:
        return _e164(value)


class CallOutputSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="provider_call_id")
    line = serializers.CharField(source="line.number")
    origin = serializers.SerializerMethodField()
    next_step = serializers.SerializerMethodField()

    class Meta:
        model = Call
        fields = [
            "id",
            "line",
            "status",
            "language",
            "origin",
            "attempts",
            "offered_at",
            "answered_at",
            "ended_at",
            "talk_seconds",
            "outcome",
            "next_step",
        ]

    def get_origin(self, call: Call) -> dict:
        return {
            "label": call.origin_label,
            "source": call.origin_source,
            "latitude": call.origin_latitude,
            "longitude": call.origin_longitude,
        }

    def get_next_step(self, call: Call) -> str:
        """The answer's next step (routing.services.call_next_step), repeated on the call."""
        return self.context["next_step"]


class AgentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="full_name")


class DecisionOutputSerializer(serializers.ModelSerializer):
    decided_at = serializers.DateTimeField(
        source="judged_at",
        help_text="When the decision was made: `skipped` judges hours and dates at this time.",
    )
    explained_at = serializers.DateTimeField(
        allow_null=True,
        help_text=(
            "When `skipped` was worked out: the agents' verification, compliance, duty "
            "status, languages, skills and engagements are as they were then."
        ),
    )

    class Meta:
        model = RoutingDecision
        fields = [
            "attempt",
            "outcome",
            "radius_km",
            "candidates",
            "skipped",
            "decided_at",
            "explained_at",
            "elapsed_ms",
        ]


class PlacementSerializer(serializers.Serializer):
    """An answer to the provider: `next_step` says what to do (routing.services.Kind)."""

    call = CallOutputSerializer()
    next_step = serializers.ChoiceField(choices=[k.value for k in Kind])
    agent = AgentOutputSerializer(allow_null=True)
    dial = serializers.CharField(
        allow_null=True,
        help_text=(
            "The number to dial now. With an agency provider key: the agent's phone. With a "
            "firm's key: the agency's bridge number (agents' numbers never reach a firm) — "
            "send `bridge_code` as DTMF once it answers. On `transfer`: the number the agent "
            "sent the caller to (the firm's own line or escalation number)."
        ),
    )
    bridge_code = serializers.CharField(
        allow_null=True,
        help_text=(
            "Firm keys only, when dialling: the one-time DTMF digits (then `#`) that the "
            "bridge number connects to the reserved agent; good for this offer only."
        ),
    )
    ring_timeout = serializers.IntegerField(allow_null=True, help_text="Seconds, when dialling.")
    decision = DecisionOutputSerializer(allow_null=True)
    retry_after = serializers.IntegerField(allow_null=True, help_text="Seconds, when waiting.")
