from django.urls import path

from clients import apis

urlpatterns = [
    path(
        "staffing-requests/",
        apis.StaffingRequestListCreateApi.as_view(),
        name="api-staffing-requests",
    ),
    path(
        "staffing-requests/<int:pk>/",
        apis.StaffingRequestDetailApi.as_view(),
        name="api-staffing-request",
    ),
    path("lines/", apis.LineListApi.as_view(), name="api-lines"),
    path("lines/<int:pk>/", apis.LineDetailApi.as_view(), name="api-line"),
    path("engagements/", apis.EngagementListApi.as_view(), name="api-engagements"),
]
