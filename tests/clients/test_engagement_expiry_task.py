import datetime as dt

import pytest
from django.utils import timezone

from clients import marketplace
from clients.models import Engagement
from clients.tasks import engagements_expire_task
from tests.factories import StaffingRequestFactory, verified_agent

pytestmark = pytest.mark.django_db


def test_the_daily_task_ends_engagements_past_their_end_date_once(acme, carol):
    request = StaffingRequestFactory(firm=acme, headcount=2)
    for email in ("meera@example.com", "ravi@example.com"):
        app = marketplace.application_create(agent=verified_agent(email), request=request)
        marketplace.application_decide(
            firm=acme, application_id=app.pk, approve=True, reason="", user=carol
        )
    past = Engagement.objects.first()
    Engagement.objects.filter(pk=past.pk).update(
        starts_on=timezone.localdate() - dt.timedelta(days=10),
        ends_on=timezone.localdate() - dt.timedelta(days=1),
    )
    assert engagements_expire_task.apply().get() == 1
    assert engagements_expire_task.apply().get() == 0
    assert Engagement.objects.get(pk=past.pk).status == "ended"
    assert Engagement.objects.exclude(pk=past.pk).get().status == "active"
