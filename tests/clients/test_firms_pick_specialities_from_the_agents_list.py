"""A firm's request and line pick their speciality from the list agents pick theirs from;
older free-text values are respelled the list's way, and those matching nothing are flagged."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from agents.forms import SkillForm
from clients.forms import LineForm, RequestForm
from clients.marketplace import staffing_request_create
from clients.models import PhoneLine, StaffingRequest
from common.errors import ApplicationError
from tests.clients.test_marketplace_pages import _request_form
from tests.factories import PhoneLineFactory, StaffingRequestFactory

pytestmark = pytest.mark.django_db
migration = importlib.import_module("clients.migrations.0010_specialities_from_the_shared_list")


def test_requests_lines_and_agents_offer_the_same_specialities(acme):
    agents = SkillForm().fields["sub_skill"].choices
    assert RequestForm(firm=acme).fields["sub_skill"].choices == agents
    assert LineForm().fields["sub_skill"].choices == agents


def test_a_typo_cannot_be_posted(client, carol):
    client.force_login(carol)
    response = client.post(reverse("clients:request_new"), _request_form(sub_skill="clams"))
    assert "Select a valid choice" in response.content.decode()
    client.post(reverse("clients:request_new"), _request_form(sub_skill="claims"))
    assert StaffingRequest.objects.get().sub_skill == "claims"


def test_the_service_refuses_another_domains_speciality(acme, carol):
    form = RequestForm(_request_form(sub_skill="cards"), firm=acme)
    assert form.is_valid()  # "cards" is on the list, under banking
    with pytest.raises(ApplicationError, match="not among the insurance specialities"):
        staffing_request_create(firm=acme, user=carol, **form.service_kwargs())


def test_old_spellings_are_respelled_and_unknown_ones_kept_and_flagged(client, acme, carol):
    kept = StaffingRequestFactory(firm=acme, sub_skill="Policy-Servicing ")
    typo = StaffingRequestFactory(firm=acme, sub_skill="clams")
    line = PhoneLineFactory(firm=acme, sub_skill="CLAIMS")
    odd = PhoneLineFactory(firm=acme, sub_skill="motor")
    migration.respell(apps, None)
    kept.refresh_from_db(), typo.refresh_from_db(), line.refresh_from_db(), odd.refresh_from_db()
    assert (kept.sub_skill, line.sub_skill) == ("policy servicing", "claims")
    assert (typo.sub_skill, odd.sub_skill) == ("clams", "motor")  # never blanked or guessed
    assert typo.speciality_unknown and odd.speciality_unknown and not kept.speciality_unknown
    client.force_login(carol)
    assert "matches no" in client.get(reverse("clients:lines")).content.decode()
    page = client.get(reverse("clients:request", args=[typo.pk])).content.decode()
    assert "no agent matches this request" in page


def test_saving_a_line_with_an_unknown_speciality_asks_for_one_from_the_list(client, acme, carol):
    line = PhoneLineFactory(firm=acme, sub_skill="motor")
    client.force_login(carol)
    page = client.get(reverse("clients:line", args=[line.pk])).content.decode()
    assert "motor (not on the list)" in page and "no agent matches it" in page
    data = {
        "number": str(line.number), "name": line.name, "domain": "insurance", "sub_skill": "motor",
        "region": "Mangaluru", "time_zone": "Asia/Kolkata", "business_days": ["0"],
        "opens_at": "09:00", "closes_at": "18:00", "ring_timeout_seconds": 20,
        "wrap_up_seconds": 30, "max_wait_seconds": 180, "language_1": "en",
    }  # one line's form, as posted # fmt: skip
    response = client.post(reverse("clients:line", args=[line.pk]), data)
    assert "is not among the insurance specialities" in response.content.decode()
    assert PhoneLine.objects.get(pk=line.pk).sub_skill == "motor"
