import datetime as dt

import phonenumbers
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clients.serializers import LanguageCodeField
from common.api import InputSerializer
from common.limits import bounds
from routing.models import Call, RoutingDecision
from routing.services.next_step import Kind

EVENTS = ["answered", "completed", "no_answer", "busy", "failed", "survey", "transfer"]


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
    score = serializers.IntegerField(
        required=False,
        help_text="`survey` only: the caller's rating of the completed call, 1 to 5.",
        **bounds(Call, "survey_score"),
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
            "sticky",
            "sticky_reason",
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


# --- Call records for the firm (issue 16) ------------------------------------------------
# What the firm's own systems read about its calls: agents by name and id, candidates by name
# and distance — never an agent's phone, place or idle time; the caller masked as everywhere
# a firm looks; the agents' notes only when the firm chose to have them (notes_in_records).

RECORDS_MAX_DAYS = 366  # a from/to range at most a year long (one page walks it by cursor)


class CallRecordFilterSerializer(InputSerializer):
    line = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text="One of your lines, by id."
    )
    line_number = serializers.CharField(
        required=False, max_length=20, help_text="One of your lines, by its number (E.164)."
    )
    agent = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text="An agent, by id."
    )
    status = serializers.ChoiceField(required=False, choices=Call.Status.choices)
    disposition = serializers.CharField(
        required=False, max_length=32, help_text="Your disposition code (as on the line)."
    )
    date_from = serializers.DateField(required=False, help_text="First day (local), inclusive.")
    date_to = serializers.DateField(required=False, help_text="Last day (local), inclusive.")
    cursor = serializers.CharField(
        required=False, max_length=1000, help_text="`next_cursor` of the page before."
    )

    def validate_line_number(self, value: str) -> str:
        return _e164(value)

    def validate(self, data: dict) -> dict:
        start, end = data.get("date_from"), data.get("date_to")
        earliest = dt.date(2000, 1, 1)
        for name in ("date_from", "date_to"):
            day = data.get(name)
            if day is not None and not earliest <= day <= timezone.localdate():
                raise serializers.ValidationError({name: "Choose a day from 2000 to today."})
        if start and end:
            if start > end:
                raise serializers.ValidationError({"date_to": "The last day is before the first."})
            if (end - start).days >= RECORDS_MAX_DAYS:
                raise serializers.ValidationError(
                    {"date_to": f"Ask for at most {RECORDS_MAX_DAYS} days at a time."}
                )
        return data


class CodeLabelSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class LineRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    name = serializers.CharField()


class CandidateRecordSerializer(serializers.Serializer):
    name = serializers.CharField(allow_null=True)
    km = serializers.FloatField(allow_null=True)


class DecisionRecordSerializer(serializers.ModelSerializer):
    chosen = AgentOutputSerializer(allow_null=True)
    candidates = serializers.SerializerMethodField()
    sticky_agent = AgentOutputSerializer(allow_null=True)

    class Meta:
        model = RoutingDecision
        fields = [
            "attempt",
            "outcome",
            "chosen",
            "radius_km",
            "candidates",
            "sticky",
            "sticky_agent",
            "sticky_reason",
            "decided_at",
        ]

    @extend_schema_field(CandidateRecordSerializer(many=True))
    def get_candidates(self, decision: RoutingDecision) -> list[dict]:
        # Name and distance only, whatever else the decision keeps for the agency.
        return [{"name": c.get("name"), "km": c.get("km")} for c in decision.candidates or []]


class CallRecordSerializer(serializers.ModelSerializer):
    line = serializers.SerializerMethodField()
    caller = serializers.CharField(source="caller_masked")
    caller_city = serializers.CharField(source="origin_label")
    agent = AgentOutputSerializer(allow_null=True)
    disposition = serializers.SerializerMethodField()
    notes = serializers.SerializerMethodField()
    transferred = serializers.SerializerMethodField()
    transferred_to = serializers.SerializerMethodField()
    transfer_line = serializers.SerializerMethodField()

    class Meta:
        model = Call
        fields = [
            "id",
            "provider_call_id",
            "line",
            "status",
            "outcome",
            "language",
            "caller",
            "caller_city",
            "agent",
            "created_at",
            "queued_at",
            "answered_at",
            "ended_at",
            "talk_seconds",
            "wrap_up",
            "disposition",
            "notes",
            "survey_score",
            "transferred",
            "transferred_at",
            "transferred_to",
            "transfer_line",
            "recording_url",
        ]

    @extend_schema_field(LineRefSerializer)
    def get_line(self, call: Call) -> dict:
        return {"id": call.line_id, "number": str(call.line.number), "name": call.line.name}

    @extend_schema_field(CodeLabelSerializer(allow_null=True))
    def get_disposition(self, call: Call) -> dict | None:
        d = call.disposition
        return {"code": d.code, "label": d.label} if d else None

    @extend_schema_field(
        serializers.CharField(
            allow_null=True, help_text="The agent's notes; null unless your firm includes them."
        )
    )
    def get_notes(self, call: Call) -> str | None:
        return call.notes if call.firm.notes_in_records else None

    def get_transferred(self, call: Call) -> bool:
        return call.transferred_at is not None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_transferred_to(self, call: Call) -> str | None:
        """Your own number (a line's or your escalation number), never an agent's."""
        return str(call.transferred_to) if call.transferred_to else None

    @extend_schema_field(LineRefSerializer(allow_null=True))
    def get_transfer_line(self, call: Call) -> dict | None:
        line = call.transfer_line
        return {"id": line.pk, "number": str(line.number), "name": line.name} if line else None


class CallRecordDetailSerializer(CallRecordSerializer):
    decisions = DecisionRecordSerializer(many=True)

    class Meta(CallRecordSerializer.Meta):
        fields = [*CallRecordSerializer.Meta.fields, "decisions"]


class CallRecordPageSerializer(serializers.Serializer):
    results = CallRecordSerializer(many=True)
    next_cursor = serializers.CharField(
        allow_null=True, help_text="Send as `cursor` for the next (older) page; null: the end."
    )
    previous_cursor = serializers.CharField(allow_null=True)
