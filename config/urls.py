from allauth.account.decorators import secure_admin_login
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from config import views

# The Django admin signs in through allauth (rate limits, MFA) instead of its own form.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Homeshore administration"

API_DOCS_CSP = {"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]}

api_v1 = [
    path("", include("accounts.api_urls")),
    path("", include("clients.api_urls")),
    path("", include("routing.api_urls")),
    path("", include("campaigns.api_urls")),
    path("", include("mailroom.api_urls")),
]

# Each app's pages per audience: <audience>_urls.py routes to <audience>_views.py (agent,
# client, staff: vetting and finance are staff), api_urls.py to apis.py, and routing's
# webhook_urls.py to webhooks.py. Paths and URL names are the templates' and navigation's.
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("agent/", include("agents.agent_urls")),
    path("agent/work/", include("clients.agent_urls")),
    path("agent/calls/", include("routing.agent_urls")),
    path("agent/earnings/", include("billing.agent_urls")),
    path("agent/outbound/", include("campaigns.agent_urls")),
    path("agent/email/", include("mailroom.agent_urls")),
    path("client/calls/", include("routing.client_urls")),
    path("client/callbacks/", include("routing.callback_urls")),
    path("client/outbound/", include("campaigns.client_urls")),
    path("client/email/", include("mailroom.client_urls")),
    path("client/email-campaigns/", include("mailroom.campaign_urls")),
    path("client/invoices/", include("billing.client_urls")),
    path("client/", include("clients.client_urls")),
    path("notifications/", include("accounts.user_urls")),  # every signed-in user
    path("staff/", include("accounts.staff_urls")),
    path("staff/", include("agents.staff_urls")),  # vetting/, finance/agents/
    path("staff/clients/", include("clients.staff_urls")),
    path("staff/routing/", include("routing.staff_urls")),
    path("staff/outbound/", include("campaigns.staff_urls")),
    path("staff/email/", include("mailroom.staff_urls")),
    path("staff/finance/", include("billing.staff_urls")),
    path("telephony/", include("routing.webhook_urls")),
    path("telephony/outbound/", include("campaigns.webhook_urls")),
    # Mail providers' webhooks (anymail: inbound and tracking) and the unsubscribe links.
    path("mail/", include("mailroom.webhook_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file (the CSP runs no inline
    # script); Swagger UI and Redoc set inline styles and Redoc runs a blob: worker.
    path(
        "api/docs/",
        csp_update(API_DOCS_CSP)(SpectacularSwaggerSplitView.as_view(url_name="schema")),
        name="api-docs",
    ),
    path(
        "api/redoc/",
        csp_update(API_DOCS_CSP)(SpectacularRedocView.as_view(url_name="schema")),
        name="api-redoc",
    ),
    path("staff/franchises/", include("teams.staff_urls")),  # local teams (issue 19)
    path("lead/", include("routing.lead_urls")),  # a franchise's lead, their team (issue 19)
    path("agent/schedule/", include("teams.agent_urls")),  # half-hour bookings (issue 19)
    path("client/schedules/", include("teams.client_urls")),  # demand, coverage (issue 19)
]

handler429 = views.rate_limited
# JSON under /api/ (config.views), Django's pages elsewhere.
handler400 = views.bad_request
handler403 = views.permission_denied
handler404 = views.not_found
handler500 = views.server_error
