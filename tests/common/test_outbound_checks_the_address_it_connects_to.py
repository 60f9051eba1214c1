"""DNS rebinding: a firm's host that resolves to a public address when `url_check` asks and
to a private one when the connection is made. The address actually connected to is checked
before anything is sent, so a firm cannot make us post to (and read the answer of) a
service on our own network."""

import socket

import pytest

from common import outbound
from tests.lookup_server import LookupServer

PUBLIC = "93.184.216.34"


@pytest.fixture
def rebinding(monkeypatch, settings):
    """rebind.test: public for the check, 127.0.0.1 for the connection."""
    settings.OUTBOUND_ALLOW_HOSTS = []
    monkeypatch.setattr(outbound, "_public_addresses", lambda host, port: [PUBLIC])
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        return real("127.0.0.1" if host == "rebind.test" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def send(url: str) -> outbound.Answer:
    return outbound.signed_post(
        url, secret=outbound.secret_new(), payload={"a": 1}, message_id="msg_1", timeout=1.0
    )


@pytest.mark.parametrize("exempt", [[], ["127.0.0.1"]])
def test_a_host_that_rebinds_to_a_private_address_gets_nothing(rebinding, settings, exempt):
    with LookupServer() as server:
        port = server.url.split(":")[2].split("/")[0]
        settings.OUTBOUND_ALLOW_HOSTS = exempt  # exempting 127.0.0.1 exempts no other name
        answer = send(f"https://rebind.test:{port}/context")
        assert answer.status_code is None
        assert answer.error == "The host rebind.test is not on the public internet."
        assert server.requests == []


def test_an_exempt_local_host_is_still_reached(settings):
    settings.OUTBOUND_ALLOW_HOSTS = ["127.0.0.1"]
    with LookupServer() as server:
        server.reply({"fields": {}})
        answer = send(server.url)
        assert answer.status_code == 200 and answer.error == ""
        assert len(server.requests) == 1


@pytest.mark.parametrize(
    "url", ["https://[::1/", "https://[not-an-ip]/", "https://example.com:99999/", "https://a.b:x/"]
)
def test_an_address_that_does_not_parse_is_refused_in_words(url):
    assert outbound.url_check(url) == "This is not a web address: check the host and the port."
    answer = send(url)
    assert answer.status_code is None and "not a web address" in answer.error
