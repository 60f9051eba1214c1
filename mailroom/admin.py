"""Data viewing for the agency's administrators. Read-only: queues, addresses and mailboxes
change through the firm's audited pages (mailroom.services), conversations through the
assignment and reply services, so the rules run once. A mailbox's password is never shown."""

from django.contrib import admin

from mailroom.models import (
    Address,
    CampaignEmail,
    Conversation,
    EmailCampaign,
    EmailSuppression,
    Mailbox,
    Message,
    Queue,
    Template,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Queue)
class QueueAdmin(ReadOnlyAdmin):
    list_display = ("name", "firm", "line", "language", "first_response_minutes", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "firm__name")


@admin.register(Address)
class AddressAdmin(ReadOnlyAdmin):
    list_display = ("email", "queue", "is_active")
    search_fields = ("email",)


@admin.register(Mailbox)
class MailboxAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "queue", "is_active", "last_polled_at", "failures", "last_error")
    exclude = ("password",)  # encrypted at rest; never on a page


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "firm", "queue", "status", "agent", "last_message_at")
    list_filter = ("status",)
    raw_id_fields = ("contact",)


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "firm", "direction", "source", "received_at", "send_status")
    list_filter = ("direction", "source", "send_status")
    exclude = ("html",)  # the text is enough here; the HTML is drawn only on the pages


@admin.register(Template)
class TemplateAdmin(ReadOnlyAdmin):
    list_display = ("name", "firm", "queue", "language")


@admin.register(EmailCampaign)
class EmailCampaignAdmin(ReadOnlyAdmin):
    list_display = ("name", "firm", "status", "sent", "delivered", "bounced")
    list_filter = ("status",)


@admin.register(CampaignEmail)
class CampaignEmailAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "status", "sent_at")
    list_filter = ("status",)


@admin.register(EmailSuppression)
class EmailSuppressionAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "firm", "reason", "created_at")
    list_filter = ("reason",)
