"""The email API's shapes (issue 18): a firm's queues and conversations, messages as trimmed
text only (never the HTML, never an attachment's bytes), agents by name only."""

from rest_framework import serializers

from common.api import InputSerializer
from common.limits import ROW_ID
from mailroom.models import Conversation, Message, Queue

TEXT_LIMIT = 20000  # characters of a message's (trimmed) text in an answer


class QueueOutputSerializer(serializers.ModelSerializer):
    line = serializers.IntegerField(source="line_id")
    addresses = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="email", help_text="Where your customers write."
    )

    class Meta:
        model = Queue
        fields = [
            "id",
            "name",
            "line",
            "language",
            "first_response_minutes",
            "display_name",
            "is_active",
            "addresses",
        ]
        read_only_fields = fields


class ConversationOutputSerializer(serializers.ModelSerializer):
    queue = serializers.IntegerField(source="queue_id")
    agent_name = serializers.SerializerMethodField()

    class Meta:
        model = Conversation
        fields = [
            "id",
            "queue",
            "subject",
            "customer_name",
            "customer_email",
            "language",
            "status",
            "agent_name",
            "first_response_due_at",
            "first_response_at",
            "breached_at",
            "handled_at",
            "suspicious",
            "last_message_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_agent_name(self, conversation) -> str | None:
        return conversation.agent.full_name if conversation.agent_id else None


class MessageOutputSerializer(serializers.ModelSerializer):
    text = serializers.SerializerMethodField(help_text="The new text, quoted history trimmed.")
    attachments = serializers.SerializerMethodField(help_text="The attachments' file names.")

    class Meta:
        model = Message
        fields = [
            "id",
            "direction",
            "from_name",
            "subject",
            "text",
            "attachments",
            "automatic",
            "send_status",
            "received_at",
        ]
        read_only_fields = fields

    def get_text(self, message) -> str:
        return (message.text or message.full_text)[:TEXT_LIMIT]

    def get_attachments(self, message) -> list[str]:
        return [a.filename for a in message.attachments.all()]


class ConversationDetailSerializer(ConversationOutputSerializer):
    messages = MessageOutputSerializer(many=True, read_only=True)

    class Meta(ConversationOutputSerializer.Meta):
        fields = [*ConversationOutputSerializer.Meta.fields, "messages"]
        read_only_fields = fields


class ConversationPageSerializer(serializers.Serializer):
    results = ConversationOutputSerializer(many=True)
    next_cursor = serializers.CharField(
        allow_null=True, help_text="Send as `cursor` for the next (older) page; null: the end."
    )
    previous_cursor = serializers.CharField(allow_null=True)


class ConversationFilterInputSerializer(InputSerializer):
    queue = serializers.IntegerField(
        required=False, help_text="One of your queues, by id.", **ROW_ID.bounds()
    )
    status = serializers.ChoiceField(required=False, choices=Conversation.Status.choices)
    breached = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="Missed the first-response target."
    )
    language = serializers.CharField(required=False, max_length=3)
    cursor = serializers.CharField(
        required=False, max_length=1000, help_text="`next_cursor` of the page before."
    )
