from django.contrib import admin

from agents.models import AgentProfile


@admin.register(AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin):
    """Data editing only. The bank account is never shown or edited here: its decrypted
    number would be on the page (and in the form's POST), and a change must go through the
    audited service (agents.enrolment.bank_details_set), which sends the banking check back
    for review. Vetting status, identity, location, tax rate and compliance change only
    through their own audited pages and services, so they are read-only here too."""

    list_display = ("__str__", "status", "city", "created_at")
    list_filter = ("status",)
    search_fields = ("full_name", "user__email", "city")
    raw_id_fields = ("user",)
    exclude = ("bank_account", "pan")  # the PAN: masked, set by the agent's own audited page
    readonly_fields = (
        "status",
        "full_name",
        "phone",
        "phone_verified_at",
        "geoname_id",
        "city",
        "state",
        "country_code",
        "latitude",
        "longitude",
        "tds_rate",
        "bank_holder_name",
        "bank_ifsc",
        "bank_account_masked",
        "bank_account_last4",
        "pan_masked",
        "is_compliant",
        "compliant_until",
        "noncompliant_reason",
        "submitted_at",
    )

    @admin.display(description="PAN")
    def pan_masked(self, obj: AgentProfile) -> str:
        return obj.pan_masked or "—"

    @admin.display(description="Bank account")
    def bank_account_masked(self, obj: AgentProfile) -> str:
        return obj.bank_account_masked or "—"
