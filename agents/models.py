from django.conf import settings
from django.db import models


class AgentProfile(models.Model):
    """A home agent: one per user of the agent role, created at signup."""

    class Status(models.TextChoices):
        APPLIED = "applied", "Applied"
        IN_REVIEW = "in_review", "In review"
        VERIFIED = "verified", "Verified"
        REJECTED = "rejected", "Rejected"
        SUSPENDED = "suspended", "Suspended"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_profile"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.APPLIED)
    full_name = models.CharField(max_length=150, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=100, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, default="Asia/Kolkata")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["status"], name="agents_profile_status_idx")]

    def __str__(self) -> str:
        return self.full_name or self.user.email
