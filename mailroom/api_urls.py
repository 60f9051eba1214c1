from django.urls import path

from mailroom import apis

urlpatterns = [
    path("mail/queues/", apis.QueueListApi.as_view(), name="api-mail-queues"),
    path("mail/conversations/", apis.ConversationListApi.as_view(), name="api-mail-conversations"),
    path(
        "mail/conversations/<int:pk>/",
        apis.ConversationDetailApi.as_view(),
        name="api-mail-conversation",
    ),
]
