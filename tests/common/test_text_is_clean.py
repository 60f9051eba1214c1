"""Names and free text are stored without control characters, and in NFC: one U+0001 in an
agent's name made the whole pain.001 payment file ill-formed XML. Every form and every API
input of ours refuses them (common.forms, common.api.InputSerializer)."""

import pytest
from django import forms
from django.urls import reverse
from rest_framework import serializers

from agents.forms import ProfileForm
from agents.models import AgentProfile
from billing.staff_forms import AdjustmentForm
from clients.forms import LinePromptsForm, ReasonForm
from clients.models import StaffingRequest
from common.api import CleanTextMixin as CleanApiText
from common.forms import CleanTextMixin as CleanFormText
from tests.clients.test_api import _post
from tests.clients.test_request_figures_are_bounded import api  # noqa: F401  (a fixture)
from tests.common.test_every_number_is_bounded import MODULES, _ours

pytestmark = pytest.mark.django_db

MANGALURU_ID = 1263780


def _profile(**overrides) -> dict:
    return {"full_name": "Alice Agent", "city": "Mangaluru", "geoname_id": MANGALURU_ID} | overrides


def test_an_agents_name_with_a_control_character_is_refused_with_a_form_error(client, alice):
    client.force_login(alice)
    response = client.post(reverse("agents:profile"), _profile(full_name="Alice\x01 Agent"))
    assert response.status_code == 200
    assert "control character (U+0001)" in response.context["form"].errors["full_name"][0]
    assert AgentProfile.objects.get(user=alice).full_name == "Alice Agent"


def test_an_agents_name_is_stored_in_nfc(client, alice):
    client.force_login(alice)
    client.post(reverse("agents:profile"), _profile(full_name="Rene\u0301e Agent"))
    assert AgentProfile.objects.get(user=alice).full_name == "Ren\u00e9e Agent"


@pytest.mark.parametrize("character", ["\x00", "\x1b", "\x7f", "\x85", "\ufffe", "\t", "\n"])
def test_a_single_line_text_refuses_every_control_character(character):
    form = ProfileForm(_profile(former_employer=f"Acme{character}Bank"))
    assert "former_employer" in form.errors


def test_a_multi_line_text_keeps_its_line_breaks_and_tabs():
    assert AdjustmentForm({"amount": "5", "reason": "Two lines:\r\n\tthe second"}).is_valid()
    assert "reason" in AdjustmentForm({"amount": "5", "reason": "bell\x07"}).errors
    assert "reason" in ReasonForm({"reason": "one line\nonly"}).errors  # a text input


def test_fields_a_form_adds_in_its_own_init_are_checked_too():
    form = LinePromptsForm({"welcome": "Welcome\x02"}, language="en", offered=["en"])
    assert "welcome" in form.errors


def test_the_api_refuses_a_control_character_in_a_requests_title(api):  # noqa: F811
    response = _post(api, title="Claims\x1b desk")
    assert response.status_code == 400
    assert list(response.json()["extra"]["fields"]) == ["title"]
    assert not StaffingRequest.objects.exists()


def test_the_api_stores_a_requests_title_in_nfc(api):  # noqa: F811
    assert _post(api, title="Cafe\u0301 desk").status_code == 201
    assert StaffingRequest.objects.get().title == "Caf\u00e9 desk"


def test_every_form_of_ours_cleans_its_text():
    unclean = [f.__name__ for f in _ours(forms.BaseForm) if not issubclass(f, CleanFormText)]
    assert unclean == []


def test_every_api_input_of_ours_cleans_its_text():
    inputs = [s for s in _ours(serializers.BaseSerializer) if "Input" in s.__name__]
    nested = [
        type(field)
        for s in inputs
        for field in s().fields.values()
        if isinstance(field, serializers.Serializer)
    ]
    assert inputs and nested
    assert [s.__name__ for s in inputs + nested if not issubclass(s, CleanApiText)] == []
    assert MODULES  # the same modules as the number walk
