"""A provider request answered once is answered the same way again, even when two copies race."""

import pytest

from routing.models import ProviderRequest
from routing.selectors import provider_request_get
from routing.services import provider_request_record

pytestmark = pytest.mark.django_db


def test_it_keeps_the_first_answer_when_a_copy_of_the_request_comes_second():
    first = provider_request_record(
        provider="twilio", key="k1", content_type="text/xml", body="<Response/>", status_code=200
    )
    second = provider_request_record(
        provider="twilio", key="k1", content_type="text/xml", body="<Other/>", status_code=200
    )
    assert second.pk == first.pk and second.body == "<Response/>"
    assert ProviderRequest.objects.count() == 1


def test_it_finds_no_answer_for_a_request_never_answered():
    assert provider_request_get(provider="twilio", key="unknown") is None
