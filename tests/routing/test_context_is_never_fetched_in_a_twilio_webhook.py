"""The firm's lookup is asked when the agent's workspace first shows the call, never while
Twilio waits for TwiML: a call offered through the webhooks sends nothing to
the firm and stores no context (a slow firm must not hold the caller's ring)."""

import pytest

from common.outbound import secret_new
from routing.models import Call, CallContext
from routing.services.context import call_context_for, context_rows
from tests.factories import PhoneLineFactory
from tests.lookup_server import LookupServer
from tests.routing.conftest import routable_agent, twilio_post, voice_params

pytestmark = pytest.mark.django_db


def test_the_webhooks_offer_the_call_without_asking_the_firm(client, acme):
    with LookupServer() as server:
        server.reply({"fields": {"plan": "Gold"}})
        line = PhoneLineFactory(
            firm=acme,
            context_source="lookup",
            context_url=server.url,
            context_secret=secret_new(),
            context_fields=["plan"],
        )
        sita = routable_agent(acme, "sita@example.com")
        twilio_post(client, "/telephony/twilio/voice/", voice_params(line))
        call = Call.objects.get()
        assert call.status == "offered" and call.agent == sita
        assert server.requests == [] and not CallContext.objects.exists()
        # The agent's page asks: now, once.
        row = call_context_for(call=call, viewer=sita.user)
        assert context_rows(row) == [["plan", "Gold"]] and len(server.requests) == 1
