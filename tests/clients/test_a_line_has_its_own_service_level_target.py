"""A line's service level target: one Range on the model, read by the firm's line form,
checked by the service and the database, and edited on the line's page."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from clients.forms import LineForm
from clients.models import PhoneLine
from clients.services import line_save
from common.errors import ApplicationError
from tests.clients.test_phone_lines import _line
from tests.factories import PhoneLineFactory

pytestmark = pytest.mark.django_db


def test_the_form_takes_the_targets_limits_from_the_model():
    field = LineForm.base_fields["service_level_target_seconds"]
    assert (field.min_value, field.max_value, field.initial) == (1, 600, 20)


def test_a_new_line_answers_within_20_seconds_unless_told(acme):
    assert line_save(firm=acme, **_line()).service_level_target_seconds == 20
    line = line_save(firm=acme, **_line(number="+918242220077", service_level_target_seconds=45))
    assert line.service_level_target_seconds == 45


@pytest.mark.parametrize("seconds", [0, 601])
def test_the_service_and_the_database_refuse_a_target_out_of_range(acme, seconds):
    with pytest.raises(ApplicationError) as raised:
        line_save(firm=acme, **_line(service_level_target_seconds=seconds))
    assert raised.value.message == "The target is 1 to 600 seconds."
    line = PhoneLineFactory(firm=acme)
    with transaction.atomic(), pytest.raises(IntegrityError):
        PhoneLine.objects.filter(pk=line.pk).update(service_level_target_seconds=seconds)


def test_the_firms_line_page_shows_and_edits_the_target(client, carol, acme):
    line = PhoneLineFactory(firm=acme, service_level_target_seconds=25)
    client.force_login(carol)
    page = client.get(reverse("clients:line", args=[line.pk]))
    assert page.context["form"].initial["service_level_target_seconds"] == 25
    assert "Answer within (seconds)" in page.content.decode()
