from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views import defaults

from accounts.navigation import role_home_url
from common.keyset import InvalidCursor
from config.celery import app as celery_app


def home(request):
    """The front door: visitors see the landing page, users go to their role's home."""
    if request.user.is_authenticated:
        return redirect(role_home_url(request.user))
    return render(request, "landing.html")


def _database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure to reach the database is "down"
        return False, f"error: {exc.__class__.__name__}"
    return True, "ok"


def _broker_ok() -> tuple[bool, str]:
    if not settings.CELERY_BROKER_URL:
        return True, "eager (no broker configured)"
    try:
        with celery_app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except Exception as exc:  # any failure to reach the broker is "down"
        return False, f"error: {exc.__class__.__name__}"
    return True, "ok"


def healthz(request):
    """Liveness for load balancers: 200 when the database and the broker answer, else 503."""
    db_ok, db_status = _database_ok()
    broker_ok, broker_status = _broker_ok()
    healthy = db_ok and broker_ok
    body = {
        "status": "ok" if healthy else "unavailable",
        "database": db_status,
        "broker": broker_status,
    }
    return JsonResponse(body, status=200 if healthy else 503)


def rate_limited(request, exception=None):
    return render(request, "429.html", status=429)


# Under /api/ every answer is the house format, `{"message": …, "extra": {…}}` (as
# `common.api.exception_handler` gives DRF's views): an unknown path, a body Django refuses
# before any view runs (too large, a bad Host), a crash. Elsewhere Django's own pages.
API_PREFIX = "/api/"


def _api_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"message": message, "extra": {}}, status=status)


def bad_request(request, exception=None):
    if request.path.startswith(API_PREFIX):
        return _api_error("The request is not valid.", 400)
    # A refused page link (common.keyset) says so, in the site's layout, with the way back.
    # Other refusals (a bad Host, a malformed body) keep Django's bare page: their messages
    # are for the log, and rendering the layout may itself need what was refused.
    if isinstance(exception, InvalidCursor):
        query = request.GET.copy()
        query.pop("cursor", None)  # the same list and filters, from its first page
        first_page = f"{request.path}?{query.urlencode()}" if query else request.path
        context = {"message": str(exception), "first_page": first_page}
        return render(request, "400.html", context, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if request.path.startswith(API_PREFIX):
        return _api_error("You do not have permission to perform this action.", 403)
    return defaults.permission_denied(request, exception)


def not_found(request, exception=None):
    if request.path.startswith(API_PREFIX):
        return _api_error("There is no such address in the API.", 404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith(API_PREFIX):
        return _api_error("Something went wrong on our side; the error is logged.", 500)
    return defaults.server_error(request)
