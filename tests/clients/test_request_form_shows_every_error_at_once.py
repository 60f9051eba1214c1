"""The staffing-request form names every mistake in one answer and keeps what was typed."""

import pytest
from django.urls import reverse

from clients.forms import RequestForm
from clients.marketplace import staffing_request_create
from clients.models import StaffingRequest
from common.errors import ApplicationError
from tests.clients.test_marketplace_pages import _request_form

pytestmark = pytest.mark.django_db


def test_every_error_shows_at_once_and_the_typed_values_stay(client, carol):
    client.force_login(carol)
    data = _request_form(
        title="Night claims",
        end_date="2020-01-01",
        ends_at="08:00",
        rate="-5",
        regions="Atlantis",
        calls_per_hour="120",
    )
    response = client.post(reverse("clients:request_new"), data)
    assert response.status_code == 200
    page = response.content.decode()
    for message in [
        "The end date is already past.",
        "The end date must be on or after the start date.",
        "The daily end time must be after the start time.",
        "We don&#x27;t know “Atlantis”",
        "rate must be more than zero",
    ]:
        assert message in page, message
    assert (
        'value="Night claims"' in page and 'value="120"' in page and "Atlantis</textarea>" in page
    )
    assert not StaffingRequest.objects.exists()


def test_the_cross_field_rules_run_even_when_a_figure_is_refused(client, carol):
    client.force_login(carol)
    form = client.post(
        reverse("clients:request_new"), _request_form(aht_seconds="abc", ends_at="08:00")
    ).context["form"]
    assert "aht_seconds" in form.errors and "ends_at" in form.errors


def test_the_service_still_refuses_and_names_every_field_for_the_api(acme, carol):
    form = RequestForm(_request_form(), firm=acme)
    assert form.is_valid(), form.errors
    kwargs = form.service_kwargs()
    kwargs["end_date"] = kwargs["start_date"].replace(year=2020)
    kwargs["ends_at"] = kwargs["starts_at"].replace(hour=8)
    with pytest.raises(ApplicationError) as error:
        staffing_request_create(firm=acme, user=carol, **kwargs)
    assert set(error.value.extra["errors"]) == {"end_date", "ends_at"}
    assert not StaffingRequest.objects.exists()
