from django.urls import path

from routing import apis

urlpatterns = [
    path("calls/", apis.CallRouteApi.as_view(), name="api-calls"),
    path("calls/<str:call_id>/events/", apis.CallEventApi.as_view(), name="api-call-events"),
    path("call-records/", apis.CallRecordListApi.as_view(), name="api-call-records"),
    path("call-records/<int:pk>/", apis.CallRecordDetailApi.as_view(), name="api-call-record"),
]
