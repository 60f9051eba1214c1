"""Firms' and agents' pages say "staffing estimate" and "from the caller's number", never
"Erlang C", "offline geocoder" or a language code (staff pages may keep technical terms)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from clients.marketplace import estimate_for
from common.errors import ApplicationError
from routing.models import Call
from tests.factories import StaffingRequestFactory

pytestmark = pytest.mark.django_db
JARGON = re.compile(r"erlang|geocoder", re.IGNORECASE)


def test_the_request_pages_speak_of_a_staffing_estimate(client, acme, carol):
    request = StaffingRequestFactory(firm=acme, languages=["ta", "en"])
    client.force_login(carol)
    for url in [reverse("clients:request", args=[request.pk]), reverse("clients:request_new")]:
        page = client.get(url).content.decode()
        assert not JARGON.search(page), (url, JARGON.search(page))
    page = client.get(reverse("clients:request", args=[request.pk])).content.decode()
    assert "staffing estimate" in page and "Tamil" in page
    assert not re.search(r"\bta\b", re.sub(r"<[^>]+>", " ", page))


def test_an_unreachable_target_is_explained_without_erlangs():
    with pytest.raises(ApplicationError) as error:
        estimate_for(
            calls_per_hour=Decimal(50000), aht_seconds=14400, target_level=80,
            target_seconds=20, shrinkage=30,
        )  # one request's figures # fmt: skip
    assert "more than 10,000 agents" in error.value.message
    assert not JARGON.search(error.value.message)


def test_where_a_caller_is_from_is_said_in_plain_words():
    labels = dict(Call.OriginSource.choices)
    assert labels["geocoder"] == "From the caller's number"
    assert not any(JARGON.search(label) for label in labels.values())
