from allauth.account.signals import user_signed_up
from django.dispatch import receiver

from accounts.models import User
from agents.services import agent_profile_create


@receiver(user_signed_up, dispatch_uid="agents_create_profile_on_signup")
def create_profile_on_signup(sender, request, user, **kwargs) -> None:
    if user.role == User.Role.AGENT:
        agent_profile_create(user=user)
