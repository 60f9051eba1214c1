from allauth.account.adapter import DefaultAccountAdapter

from accounts.models import User
from accounts.navigation import role_home_url
from common.mail import mail_send_or_queue


class AccountAdapter(DefaultAccountAdapter):
    """Public signup makes home agents; other roles are invited or created by staff."""

    def save_user(self, request, user, form, commit=True):
        user.role = User.Role.AGENT
        return super().save_user(request, user, form, commit=commit)

    def get_login_redirect_url(self, request):
        return role_home_url(request.user)

    def get_signup_redirect_url(self, request):
        return role_home_url(request.user)

    def send_mail(self, template_prefix, email, context):
        """allauth sends in the request: an SMTP outage made signup (the user already
        saved) a 500. The text part is queued for retry instead (common.mail)."""
        message = self.render_mail(template_prefix, email, context)
        mail_send_or_queue(message)
