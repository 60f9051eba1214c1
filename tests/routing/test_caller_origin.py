"""Where the caller is: the provider's location, else the number's area, else the line's region."""

import pytest

from routing.models import Call
from routing.services import call_start
from tests.routing.conftest import LANDLINE_MANGALURU, MOBILE, routing_now

pytestmark = pytest.mark.django_db


def start(line, caller, location) -> Call:
    return call_start(
        provider="test",
        provider_call_id="CA1",
        to=str(line.number),
        caller=caller,
        provider_location=location,
        at=routing_now(),
    )


@pytest.mark.parametrize(
    ("caller", "location", "source", "label"),
    [
        (
            LANDLINE_MANGALURU,
            {"city": "Madurai", "state": "Tamil Nadu", "country": "IN"},
            "provider",
            "Madurai",
        ),
        (
            "+14155550100",
            {"city": "SAN FRANCISCO", "state": "CA", "country": "US"},
            "provider",
            "San Francisco",
        ),
        (LANDLINE_MANGALURU, {"city": "", "state": "", "country": "IN"}, "geocoder", "Mangaluru"),
        (MOBILE, None, "line_default", "Mangaluru, Karnataka, IN"),
    ],
)
def test_the_origin_is_the_providers_else_the_numbers_else_the_lines(
    line, caller, location, source, label
):
    call = start(line, caller, location)
    assert (call.origin_source, call.status) == (source, Call.Status.QUEUED)
    assert call.origin_label.startswith(label)
    assert call.origin_latitude is not None and call.origin_longitude is not None
