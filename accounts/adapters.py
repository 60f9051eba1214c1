from allauth.account.adapter import DefaultAccountAdapter

from accounts.models import User
from accounts.navigation import role_home_url


class AccountAdapter(DefaultAccountAdapter):
    """Public signup makes home agents; other roles are invited or created by staff."""

    def save_user(self, request, user, form, commit=True):
        user.role = User.Role.AGENT
        return super().save_user(request, user, form, commit=commit)

    def get_login_redirect_url(self, request):
        return role_home_url(request.user)

    def get_signup_redirect_url(self, request):
        return role_home_url(request.user)
