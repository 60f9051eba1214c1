"""A real database outage on PostgreSQL: the test's connection goes through a TCP proxy it
starts itself and then cuts (the machine's PostgreSQL is never touched). While it is cut,
every webhook answers TwiML; once it is back, the retries finish the calls, billed once."""

import contextlib
import socket
import threading

import pytest
from django.db import connection

from billing.models import Transaction
from routing.models import Call
from tests.factories import PhoneLineFactory
from tests.routing.conftest import VOICE, routable_agent, twilio_post, twiml, voice_params

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class CuttableProxy:
    """127.0.0.1:<port> -> PostgreSQL. `cut()` drops every connection and refuses new ones
    (accepted, then closed at once); `mend()` lets them through again."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.is_cut = threading.Event()
        self.open: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            if self.is_cut.is_set():
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.open += [client, upstream]
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.is_cut.set()
        with self.lock:
            sockets, self.open = self.open, []
        for s in sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def mend(self) -> None:
        self.is_cut.clear()

    def close(self) -> None:
        self.listener.close()
        self.cut()


@pytest.fixture
def proxy():
    """The test's connection to PostgreSQL, through a proxy of its own."""
    settings = connection.settings_dict
    before = settings["HOST"], settings["PORT"]
    proxy = CuttableProxy((settings["HOST"] or "127.0.0.1", int(settings["PORT"] or 5432)))
    connection.close()
    settings["HOST"], settings["PORT"] = "127.0.0.1", str(proxy.port)
    yield proxy
    connection.close()
    settings["HOST"], settings["PORT"] = before
    proxy.close()


def test_webhooks_answer_twiml_through_an_outage_and_the_retries_finish_the_calls(
    client, acme, proxy
):
    line = PhoneLineFactory(firm=acme, wrap_up_seconds=30)
    sita = routable_agent(acme, "sita@example.com")
    action = twiml(twilio_post(client, VOICE, voice_params(line))).find("Dial").get("action")
    done = voice_params(line, DialCallStatus="completed", DialCallDuration="95")

    proxy.cut()
    answers = [
        twilio_post(client, VOICE, voice_params(line, "CA2")),  # a new caller
        twilio_post(client, action, done),  # the first call's end
    ]
    proxy.mend()

    retries = []
    for response in answers:
        answer = twiml(response)  # 200, text/xml: never Twilio's "application error"
        assert "sorry" in answer.find("Say").text
        retries.append(answer.find("Redirect").text)
    twiml(twilio_post(client, retries[1], voice_params(line, CallStatus="in-progress")))
    held = twiml(twilio_post(client, retries[0], voice_params(line, "CA2")))
    assert held.find("Pause") is not None  # waiting for Sita, in wrap-up
    first = Call.objects.get(provider_call_id="CA1")
    assert (first.status, first.talk_seconds, first.agent) == ("completed", 95, sita)
    assert Transaction.objects.filter(call=first).count() == 1
    assert Call.objects.get(provider_call_id="CA2").status == "queued"
