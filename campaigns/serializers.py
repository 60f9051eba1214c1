"""(issue 17: to be written)"""

# --- Campaigns for firms (issue 17: the lifecycle's API) ----------------------------------

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from campaigns.models import Attempt, Campaign
from common.api import InputSerializer


class CampaignLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    number = serializers.CharField(help_text="The caller ID contacts see (E.164).")


class CampaignOutputSerializer(serializers.ModelSerializer):
    line = CampaignLineSerializer(help_text="The caller ID: one of your lines.")
    category_label = serializers.CharField(source="get_category_display")

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "status",
            "purpose",
            "category",
            "category_label",
            "mode",
            "line",
            "sub_skill",
            "languages",
            "starts_on",
            "ends_on",
            "window_start",
            "window_end",
            "excluded_weekdays",
            "excluded_dates",
            "max_attempts",
            "max_attempts_per_day",
            "created_at",
            "scheduled_at",
            "started_at",
            "paused_at",
            "completed_at",
        ]
        read_only_fields = fields


class CampaignFiguresSerializer(serializers.Serializer):
    targets = serializers.DictField(
        child=serializers.IntegerField(), help_text="Contacts on the campaign by state."
    )
    targets_total = serializers.IntegerField()
    attempts = serializers.DictField(
        child=serializers.IntegerField(), help_text="Ended attempts by outcome."
    )
    attempts_total = serializers.IntegerField()
    live = serializers.IntegerField(help_text="Attempts being dialled or talking now.")
    connects = serializers.IntegerField()
    refused_by_rule = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Attempts the consent check stopped, by rule: suppression (your do-not-call "
        "list), registry (the national do-not-call registry), hours (calling hours).",
    )


class CampaignDetailSerializer(CampaignOutputSerializer):
    figures = serializers.SerializerMethodField()

    class Meta(CampaignOutputSerializer.Meta):
        fields = [*CampaignOutputSerializer.Meta.fields, "figures"]
        read_only_fields = fields

    @extend_schema_field(CampaignFiguresSerializer)
    def get_figures(self, campaign) -> dict:
        return CampaignFiguresSerializer(self.context["figures"][campaign.pk]).data


class AttemptSerializer(serializers.ModelSerializer):
    contact = serializers.IntegerField(source="contact_id")
    contact_name = serializers.CharField(source="contact.name")
    number = serializers.CharField(help_text="Your contact's number (E.164).")
    agent_first_name = serializers.SerializerMethodField()
    disposition = serializers.CharField(source="disposition.code", allow_null=True, default=None)
    checks = serializers.DictField(
        help_text="The consent proof: what the attempt was checked against."
    )

    class Meta:
        model = Attempt
        fields = [
            "id",
            "created_at",
            "contact",
            "contact_name",
            "number",
            "agent_first_name",
            "status",
            "outcome",
            "refused_reason",
            "disposition",
            "talk_seconds",
            "checked_at",
            "checks",
        ]
        read_only_fields = fields

    def get_agent_first_name(self, attempt) -> str | None:
        name = attempt.agent.full_name if attempt.agent_id else ""
        return name.split()[0] if name else None


class AttemptPageSerializer(serializers.Serializer):
    results = AttemptSerializer(many=True)
    next_cursor = serializers.CharField(
        allow_null=True, help_text="Send as `cursor` for the next (older) page; null: the end."
    )
    previous_cursor = serializers.CharField(allow_null=True)


class AttemptPageInputSerializer(InputSerializer):
    cursor = serializers.CharField(
        required=False, max_length=1000, help_text="`next_cursor` of the page before."
    )


class ProofRowSerializer(serializers.Serializer):
    attempt = serializers.IntegerField()
    time = serializers.CharField()
    campaign = serializers.CharField()
    purpose = serializers.CharField()
    category = serializers.CharField()
    number = serializers.CharField()
    registry_version = serializers.IntegerField(allow_null=True)
    registry_result = serializers.CharField()
    suppression_version = serializers.IntegerField(allow_null=True)
    suppression_listed = serializers.BooleanField()
    lists = serializers.ListField(child=serializers.CharField())
    window = serializers.CharField()
    zones = serializers.ListField(child=serializers.CharField())
    local_times = serializers.DictField(child=serializers.CharField())
    verdict = serializers.CharField()
    outcome = serializers.CharField()


class ContactProofSerializer(serializers.Serializer):
    contact = serializers.IntegerField()
    name = serializers.CharField()
    attempts = ProofRowSerializer(many=True)
