"""Posting a staffing request: Erlang C sizes it, bad figures save nothing, closing ends intake."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from clients.marketplace import staffing_request_close, staffing_request_create
from clients.models import Application, RequestLanguage, RequestRegion, StaffingRequest
from common.errors import ApplicationError
from tests.factories import MANGALURU, PhoneLineFactory, StaffingRequestFactory, verified_agent

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _post(firm, user, **overrides) -> StaffingRequest:
    fields = {
        "languages": ["en", "kn"],
        "region_ids": [MANGALURU["geoname_id"]],
        "line_ids": [],
        "title": "Claims desk",
        "domain": "insurance",
        "sub_skill": "claims",
        "days": "01234",
        "starts_at": dt.time(9),
        "ends_at": dt.time(18),
        "start_date": TODAY(),
        "end_date": TODAY() + dt.timedelta(days=30),
        "region_radius_km": 250,
        "calls_per_hour": Decimal("200"),
        "aht_seconds": 180,
        "target_level": 80,
        "target_seconds": 20,
        "shrinkage": 30,
        "rate_unit": "call",
        "rate": Decimal("40.00"),
        "minimum_per_call": Decimal("5.00"),
        "headcount": None,
    }
    fields.update(overrides)
    return staffing_request_create(firm=firm, user=user, **fields)


def _rows() -> tuple[int, int, int]:
    return (
        StaffingRequest.objects.count(),
        RequestLanguage.objects.count(),
        RequestRegion.objects.count(),
    )


def test_erlang_c_sizes_the_request_when_no_headcount_is_given(acme, carol):
    request = _post(acme, carol)
    request.refresh_from_db()
    assert (request.agents_needed, request.headcount) == (20, 20)
    assert (request.firm, request.created_by, request.status) == (acme, carol, "open")
    assert sorted(request.languages.values_list("language", flat=True)) == ["en", "kn"]
    assert list(request.regions.values_list("geoname_id", "name")) == [
        (MANGALURU["geoname_id"], MANGALURU["name"])
    ]


def test_an_explicit_headcount_is_kept_beside_the_estimate(acme, carol):
    request = _post(acme, carol, headcount=3)
    request.refresh_from_db()
    assert (request.agents_needed, request.headcount) == (20, 3)


def test_the_currency_is_the_firms(acme, carol):
    acme.currency = "USD"
    acme.save()
    assert _post(acme, carol).currency == "USD"


def test_the_request_answers_on_the_chosen_lines_of_the_firm(acme, carol):
    line = PhoneLineFactory(firm=acme)
    PhoneLineFactory(firm=acme)
    assert list(_post(acme, carol, line_ids=[line.pk]).lines.all()) == [line]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"end_date": TODAY() - dt.timedelta(days=1), "start_date": TODAY()}, "end_date"),
        (
            {
                "start_date": TODAY() - dt.timedelta(days=9),
                "end_date": TODAY() - dt.timedelta(days=1),
            },
            "end_date",
        ),
        ({"ends_at": dt.time(9)}, "ends_at"),
        ({"rate": Decimal("-1.00")}, "rate"),
        ({"rate": Decimal("0")}, "rate"),
        ({"minimum_per_call": Decimal("-0.01")}, "minimum_per_call"),
        ({"languages": []}, "languages"),
        ({"region_ids": []}, "regions"),
        ({"region_ids": [MANGALURU["geoname_id"], 999_999_999]}, "regions"),
        ({"headcount": 0}, "headcount"),
        ({"calls_per_hour": Decimal("0")}, "calls_per_hour"),
        ({"shrinkage": 95}, "shrinkage"),
        ({"days": ""}, "days"),
    ],
)
def test_bad_figures_are_refused_on_their_field_and_save_nothing(acme, carol, overrides, field):
    before = _rows()
    with pytest.raises(ApplicationError) as raised:
        _post(acme, carol, **overrides)
    assert raised.value.field == field, raised.value.message
    assert _rows() == before


def test_it_refuses_another_firms_line(acme, carol, globex):
    theirs = PhoneLineFactory(firm=globex)
    ours = PhoneLineFactory(firm=acme)
    before = _rows()
    with pytest.raises(ApplicationError) as raised:
        _post(acme, carol, line_ids=[ours.pk, theirs.pk])
    assert raised.value.field == "lines"
    assert _rows() == before


def test_closing_declines_pending_applications_and_keeps_approved_ones(acme):
    request = StaffingRequestFactory(firm=acme)
    pending = Application.objects.create(request=request, agent=verified_agent("p@example.com"))
    approved = Application.objects.create(
        request=request, agent=verified_agent("a@example.com"), status="approved"
    )
    staffing_request_close(request=request)
    request.refresh_from_db()
    pending.refresh_from_db()
    approved.refresh_from_db()
    assert request.status == "closed"
    assert (pending.status, pending.reason) == ("declined", "The request was closed.")
    assert pending.decided_at is not None
    assert approved.status == "approved"
