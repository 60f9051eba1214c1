"""Each range is written once, on the model: forms, the API, services and the database agree."""

import pytest
from django.db import IntegrityError, transaction

from clients.forms import LineForm, RequestForm
from clients.serializers import StaffingRequestInputSerializer
from clients.services import line_save
from common.errors import ApplicationError
from tests.clients.test_phone_lines import _line
from tests.factories import PhoneLineFactory, StaffingRequestFactory

pytestmark = pytest.mark.django_db


def test_the_line_form_takes_its_limits_from_the_model():
    field = LineForm.base_fields["ring_timeout_seconds"]
    assert (field.min_value, field.max_value) == (5, 120)
    assert LineForm.base_fields["digit_1"].max_value == 9


def test_the_form_and_the_api_share_the_requests_limits():
    api = StaffingRequestInputSerializer().fields
    for name in ("region_radius_km", "target_seconds"):
        form = RequestForm.base_fields[name]
        assert (form.min_value, form.max_value) == (api[name].min_value, api[name].max_value)
    assert (api["shrinkage"].max_value, api["headcount"].min_value) == (90, 1)


@pytest.mark.parametrize("seconds", [4, 121])
def test_the_service_refuses_a_ring_timeout_in_the_models_words(acme, seconds):
    with pytest.raises(ApplicationError) as raised:
        line_save(firm=acme, **_line(ring_timeout_seconds=seconds))
    assert (raised.value.field, raised.value.message) == (
        "ring_timeout_seconds",
        "Ring for 5 to 120 seconds.",
    )


@pytest.mark.parametrize(
    ("model_factory", "field", "value"),
    [
        (PhoneLineFactory, "ring_timeout_seconds", 121),
        (PhoneLineFactory, "wrap_up_seconds", 601),
        (StaffingRequestFactory, "headcount", 0),
        (StaffingRequestFactory, "shrinkage", 91),
    ],
)
def test_the_database_holds_the_same_limits(model_factory, field, value):
    row = model_factory()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(row).objects.filter(pk=row.pk).update(**{field: value})
