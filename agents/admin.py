from django.contrib import admin

from agents.models import AgentProfile


@admin.register(AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin):
    list_display = ("__str__", "status", "city", "created_at")
    list_filter = ("status",)
    search_fields = ("full_name", "user__email", "city")
    raw_id_fields = ("user",)
