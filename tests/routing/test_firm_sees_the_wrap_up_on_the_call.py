"""The firm's call page shows the agent's wrap-up: disposition in the firm's words, notes,
the script version shown and the transfer; another firm sees none of it."""

import pytest
from django.urls import reverse

from clients.scripts import script_save
from routing.services import call_wrap_up_submit
from tests.factories import PhoneLineFactory
from tests.routing.conftest import routable_agent
from tests.routing.workspace_calls import complete, offer, with_codes, wrapping_up

pytestmark = pytest.mark.django_db


def test_the_firm_reads_the_disposition_notes_and_script_version(client, acme, carol):
    line = PhoneLineFactory(firm=acme, wrap_up_seconds=60)
    codes = with_codes(line)
    script_save(actor=carol, line=line, language="", body="Hello")
    sita = routable_agent(acme, "sita@example.com")
    client.force_login(sita.user)
    call = wrapping_up(client, line)
    client.get(reverse("agent_calls:workspace"))  # the script is shown, and recorded
    call_wrap_up_submit(
        call_id=call.pk, agent=sita, disposition_id=codes["CB"].pk, notes="Wants a call\nafter 5"
    )
    client.force_login(carol)
    page = client.get(reverse("calls:detail", args=[call.pk])).content.decode()
    assert "Wrap-up" in page and "Callback needed" in page and "<code>CB</code>" in page
    assert "Wants a call<br>after 5" in page
    assert "Script shown to the agent: version 1" in page


def test_a_missed_wrap_up_says_no_disposition(client, acme, carol):
    line = PhoneLineFactory(firm=acme, wrap_up_seconds=0)
    routable_agent(acme, "sita@example.com")
    call, action = offer(client, line)
    complete(client, line, action)
    client.force_login(carol)
    page = client.get(reverse("calls:detail", args=[call.pk])).content.decode()
    assert "No disposition" in page


def test_another_firms_user_gets_a_404(client, acme, dave):
    line = PhoneLineFactory(firm=acme)
    routable_agent(acme, "sita@example.com")
    call, _ = offer(client, line)
    client.force_login(dave)
    assert client.get(reverse("calls:detail", args=[call.pk])).status_code == 404
