"""(issue 17: to be written)"""

urlpatterns: list = []

# --- The generic API for telephony providers: outbound dials (helper "telephony") ----------
from django.urls import path  # noqa: E402

from campaigns import apis  # noqa: E402

urlpatterns += [
    path("outbound/dials/", apis.OutboundDialListApi.as_view(), name="api-outbound-dials"),
    path(
        "outbound/attempts/<int:attempt_id>/events/",
        apis.OutboundAttemptEventApi.as_view(),
        name="api-outbound-attempt-events",
    ),
]
