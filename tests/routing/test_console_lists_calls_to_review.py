"""Calls the sweep closed as lost are flagged for staff: the routing console lists them."""

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse

from routing.services import call_route, call_start
from routing.services import routing_sweep as sweep
from tests.factories import PhoneLineFactory
from tests.routing.conftest import LANDLINE_MANGALURU, routable_agent

pytestmark = pytest.mark.django_db


def lost_call(acme, at):
    line = PhoneLineFactory(firm=acme, name="Claims helpline", ring_timeout_seconds=20)
    routable_agent(acme, "sita@example.com")
    call = call_start(
        provider="exotel",
        provider_call_id="EX-LOST-1",
        to=str(line.number),
        caller=LANDLINE_MANGALURU,
        at=at,
    )  # a generic-API call: nobody to ask how it went
    call_route(call_id=call.pk, at=at)
    margin = line.ring_timeout_seconds + settings.ROUTING_RESERVATION_MARGIN_SECONDS
    sweep(at=at + dt.timedelta(seconds=margin + 1))
    return call


def test_staff_see_a_call_closed_as_lost_on_the_routing_console(client, acme, victor, at):
    lost_call(acme, at)
    client.force_login(victor)
    page = client.get(reverse("routing_console:home")).content.decode()
    assert "Calls to review" in page and "EX-LOST-1" in page and "Claims helpline" in page


def test_the_console_says_so_when_nothing_needs_review(client, victor):
    client.force_login(victor)
    assert "Nothing to review." in client.get(reverse("routing_console:home")).content.decode()
