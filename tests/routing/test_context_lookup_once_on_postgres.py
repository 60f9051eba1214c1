"""Two (or more) first views of a call's context at once, on PostgreSQL with real threads:
the firm's lookup is asked once (a short lock in the cache; the others wait for its row),
every view is still audited, and contacts need no lock (the one-to-one row decides)."""

import pytest
from django.utils import timezone

from common.models import AuditAction, AuditRecord
from common.outbound import secret_new
from routing.models import Call, CallContext
from routing.services.context import call_context_for, context_rows
from tests.factories import AgentProfileFactory, PhoneLineFactory
from tests.lookup_server import LookupServer
from tests.routing.concurrency import in_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
VIEWS = 4


def offered(line, agent) -> Call:
    return Call.objects.create(
        provider="twilio",
        provider_call_id=f"CA-race-{line.pk}",
        line=line,
        firm_id=line.firm_id,
        domain=line.domain,
        caller="+919845012345",
        status=Call.Status.OFFERED,
        agent=agent,
        offered_at=timezone.now(),
    )


def test_racing_first_views_ask_the_firm_once(acme):
    sita = AgentProfileFactory(full_name="Sita Agent")
    with LookupServer() as server:
        server.reply({"fields": {"plan": "Gold"}}, delay=0.3)
        line = PhoneLineFactory(
            firm=acme,
            context_source="lookup",
            context_url=server.url,
            context_secret=secret_new(),
            context_fields=["plan"],
        )
        call = offered(line, sita)
        jobs = [lambda: call_context_for(call=call, viewer=sita.user)] * VIEWS
        rows = in_threads(jobs, together=VIEWS, workers=VIEWS)
    assert all(context_rows(row) == [["plan", "Gold"]] for row in rows), rows
    assert len(server.requests) == 1 and CallContext.objects.count() == 1
    views = AuditRecord.objects.about(call).filter(action=AuditAction.CONTEXT_VIEWED)
    assert views.count() == VIEWS


def test_racing_first_views_of_contacts_store_one_row(acme):
    sita = AgentProfileFactory(full_name="Sita Agent")
    line = PhoneLineFactory(firm=acme, context_source="contacts", context_fields=["name"])
    call = offered(line, sita)
    jobs = [lambda: call_context_for(call=call, viewer=sita.user)] * VIEWS
    rows = in_threads(jobs, together=VIEWS, workers=VIEWS)
    assert all(isinstance(row, CallContext) and row.state == "none" for row in rows), rows
    assert CallContext.objects.count() == 1
