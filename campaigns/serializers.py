"""(issue 17: to be written)"""


# --- The generic API for telephony providers (agency keys): outbound dials and their events ---
# (helper "telephony"; the firm's campaign API is above.)

from rest_framework import serializers

from common.api import InputSerializer
from common.limits import Range

OUTBOUND_EVENTS = [
    "dialled",
    "agent_answered",
    "contact_answered",
    "completed",
    "no_answer",
    "busy",
    "failed",
    "machine",
    "agent_missed",
    "opted_out",
]
TALK_SECONDS = Range(0, 24 * 60 * 60, "A call lasts 0 to {high} seconds.")


class OutboundDialSerializer(serializers.Serializer):
    """A placed attempt for the provider to dial: the agent's phone first, showing the line's
    number; once the agent answers, the contact, showing the line's number too."""

    attempt = serializers.IntegerField(source="pk", help_text="Report its events with this id.")
    agent_number = serializers.CharField(source="agent.phone", help_text="Ring this first.")
    caller_id = serializers.CharField(
        source="campaign.line.number", help_text="Show this number on both legs."
    )
    contact_number = serializers.CharField(
        source="number", help_text="Then this, once the agent answered."
    )
    ring_timeout = serializers.IntegerField(
        source="campaign.line.ring_timeout_seconds", help_text="Seconds each leg may ring."
    )
    opt_out_prompt = serializers.SerializerMethodField(
        help_text="Promotional: before the bridge, offer the contact 9 to stop these calls "
        "(report `opted_out` if pressed)."
    )
    language = serializers.CharField(source="contact.language", help_text="The contact's.")
    placed_at = serializers.DateTimeField()

    def get_opt_out_prompt(self, attempt) -> bool:
        return attempt.campaign.purpose == "promotional"


class OutboundDialsSerializer(serializers.Serializer):
    results = OutboundDialSerializer(many=True)


class OutboundEventInputSerializer(InputSerializer):
    event = serializers.ChoiceField(choices=OUTBOUND_EVENTS)
    provider_call_id = serializers.CharField(
        required=False,
        max_length=64,
        help_text="`dialled`: your id for the call to the agent.",
    )
    duration = serializers.IntegerField(
        required=False,
        help_text="`completed`: seconds the agent and the contact talked.",
        **TALK_SECONDS.bounds(),
    )


class OutboundAttemptSerializer(serializers.Serializer):
    """The attempt as it is after the event (a repeat or a late event changes nothing)."""

    attempt = serializers.IntegerField(source="pk")
    status = serializers.CharField()
    outcome = serializers.CharField()
    provider_call_id = serializers.CharField()
    talk_seconds = serializers.IntegerField(allow_null=True)
    placed_at = serializers.DateTimeField(allow_null=True)
    agent_answered_at = serializers.DateTimeField(allow_null=True)
    connected_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
