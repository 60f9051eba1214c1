"""Public pages of the email channel (issue 18): no sign-in, the link's token is the
credential.

One-click unsubscribe (RFC 8058). A GET only shows a page with a button: mail security
scanners and link previews fetch every link in a message, and must not unsubscribe anyone. A
POST unsubscribes: the mail client's own one-click POST (body `List-Unsubscribe=One-Click`, no
cookies, so no CSRF token — RFC 8058 section 3.1 asks exactly that of us) or our page's button
(which carries the CSRF token like every form of ours). Idempotent; an unknown token is 404.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from mailroom.models import CampaignEmail
from mailroom.suppression import unsubscribe

ONE_CLICK = "One-Click"


def _csrf_refusal(request: HttpRequest) -> HttpResponse | None:
    """Django's own CSRF check, for the POSTs that are not the RFC 8058 one-click."""
    return CsrfViewMiddleware(lambda r: HttpResponse()).process_view(request, None, (), {})


@csrf_exempt  # only for the one-click POST: every other POST is checked below
@require_http_methods(["GET", "POST"])
def unsubscribe_page(request: HttpRequest, token) -> HttpResponse:
    if request.method == "GET":
        row = CampaignEmail.objects.select_related("campaign__firm").filter(token=token).first()
        if row is None:
            raise Http404("No such email.")
        return render(request, "mailroom/unsubscribe.html", {"firm": row.campaign.firm})
    if request.POST.get("List-Unsubscribe") != ONE_CLICK:
        refusal = _csrf_refusal(request)
        if refusal is not None:
            return refusal
    row = unsubscribe(token=token)
    response = render(request, "mailroom/unsubscribe_done.html", {"firm": row.campaign.firm})
    response["Cache-Control"] = "no-store"
    return response
