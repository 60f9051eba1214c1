"""The demo's claims helpline shows agents customer context from Acme's contact records,
whose numbers are demo callers' own: an agent holding a call from one of them sees the
chosen fields (never the record's other columns)."""

import pytest

from clients.models import Contact, ContactNumber, PhoneLine
from routing.models import Call
from routing.services.context import call_context_for, context_rows

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def seeded(demo_twice: str) -> str:
    return demo_twice  # tests/demo/seeded/conftest.py: the package's seed, seeded again


def test_the_claims_line_shows_contacts_of_its_own_callers():
    line = PhoneLine.objects.get(name="Claims helpline")
    assert (line.context_source, line.context_fields[:2]) == ("contacts", ["name", "policy"])
    # Acme's customer records, by policy number: its campaign's list (campaigns.demo) and the
    # callers its callbacks campaign calls back (bare records) are contacts too.
    records = ContactNumber.objects.filter(firm=line.firm, contact__external_id__startswith="POL-")
    numbers = set(records.values_list("number", flat=True))
    callers = set(Call.objects.filter(line=line).values_list("caller", flat=True))
    assert len(numbers) == 5 and numbers <= callers
    policies = Contact.objects.filter(firm=line.firm, external_id__startswith="POL-")
    assert policies.count() == 5  # seeded twice: merged


def test_an_agent_holding_a_demo_callers_call_sees_the_chosen_fields():
    line = PhoneLine.objects.get(name="Claims helpline")
    number = ContactNumber.objects.filter(
        firm=line.firm, contact__external_id__startswith="POL-"
    ).first()
    past = Call.objects.filter(line=line, caller=number.number).first()
    agent = Call.objects.filter(line=line, agent__isnull=False).first().agent
    # As if the agent had just answered it and were wrapping up.
    Call.objects.filter(pk=past.pk).update(status="completed", agent=agent, wrap_up="pending")
    rows = dict(context_rows(call_context_for(call=past, viewer=agent.user)))
    assert rows["name"] == number.contact.name and "notes" not in rows
