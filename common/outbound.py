"""Requests we send to a firm's own servers: its customer-context lookup and its webhooks.

One way out for both, so both keep the same rules:

- **The address** (`url_check`): HTTPS only, no credentials in it, and a host that resolves to
  public addresses only — a firm must not make our servers call the agency's own network
  (SSRF: 127.0.0.1, 10/8, 169.254.169.254…). `OUTBOUND_ALLOW_HOSTS` lists hosts exempt from
  both rules (the tests' local server; a developer's own receiver): never set in production.
  The host is checked again at every send, and the address actually connected to is checked
  once more before a byte is sent (`_PublicOnlyAdapter`): a DNS answer that changes between
  our check and the connection (DNS rebinding) reaches no private address. Environment
  proxies are not used (the peer would be the proxy). An egress firewall in front of the
  workers is still the belt to these braces.
- **The signature**: the Standard Webhooks scheme, by its own package (`standardwebhooks`),
  so a firm verifies us with any of its libraries: `webhook-id`, `webhook-timestamp`,
  `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed by the
  `whsec_…` secret we gave the firm (`secret_new`).
- **The answer**: a timeout of our choosing (1 s for a lookup while an agent waits), no
  redirects followed (a redirect could lead anywhere), at most `MAX_ANSWER_BYTES` read.
  Nothing raises: `Answer` says what happened, in words fit for a delivery log.
"""

import base64
import datetime as dt
import ipaddress
import json
import secrets
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from standardwebhooks import Webhook
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

MAX_ANSWER_BYTES = 64 * 1024
USER_AGENT = "Homeshore-Webhooks/1"


def secret_new() -> str:
    """A fresh signing secret in the Standard Webhooks form: whsec_ + base64 of 24 bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def message_id_new() -> str:
    return "msg_" + secrets.token_hex(16)


def _allowed_host(host: str) -> bool:
    return host.lower() in {h.lower() for h in settings.OUTBOUND_ALLOW_HOSTS}


def url_check(url: str) -> str:
    """Why `url` cannot be an endpoint of a firm's ("" when it can). Resolves the host."""
    try:  # urlsplit refuses a broken [IPv6] host, .port a port out of range or not a number
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port
    except ValueError:
        return "This is not a web address: check the host and the port."
    if not host:
        return "Give a full address, such as https://crm.example.com/hooks."
    if parts.username or parts.password:
        return "The address cannot hold a user name or password."
    if _allowed_host(host):
        return ""
    if parts.scheme != "https":
        return "The address must start with https://."
    try:
        _public_addresses(host, port or 443)
    except ValueError as error:
        return str(error)
    return ""


def _public_addresses(host: str, port: int) -> list[str]:
    """The host's addresses, all public, or ValueError saying why not."""
    try:
        found = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        raise ValueError(f"The host {host[:100]} could not be found.") from None
    addresses = sorted({info[4][0] for info in found})
    for address in addresses:
        if not ipaddress.ip_address(address.split("%")[0]).is_global:
            raise ValueError(f"The host {host[:100]} is not on the public internet.")
    return addresses


NOT_PUBLIC = "connected to an address not on the public internet"


def _peer_check(host: str, sock: socket.socket) -> None:
    """Refuse the connection just made unless its peer is public (or the host is exempt): the
    resolver may have answered differently than at `url_check` (DNS rebinding)."""
    if _allowed_host(host):
        return
    address = sock.getpeername()[0]
    if not ipaddress.ip_address(address.split("%")[0]).is_global:
        sock.close()
        raise OSError(NOT_PUBLIC)


class _CheckedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _peer_check(self.host, sock)
        return sock


class _CheckedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _peer_check(self.host, sock)
        return sock


class _CheckedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


class _PublicOnlyAdapter(HTTPAdapter):
    """requests' adapter whose connections check their peer before the request is sent."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _CheckedHTTPPool,
            "https": _CheckedHTTPSPool,
        }


def _session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no environment proxies: the peer checked must be the host
    adapter = _PublicOnlyAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


@dataclass(frozen=True)
class Answer:
    status_code: int | None  # None: no answer (refused, timed out, not resolvable)
    body: bytes
    error: str  # "" when the server answered 2xx
    elapsed_ms: int

    @property
    def ok(self) -> bool:
        """Answered 2xx with an answer we could take (not over MAX_ANSWER_BYTES)."""
        return not self.error and self.status_code is not None and 200 <= self.status_code < 300

    def json(self):
        """The body as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None


def signed_headers(secret: str, message_id: str, body: str, at: dt.datetime) -> dict[str, str]:
    signature = Webhook(secret).sign(msg_id=message_id, timestamp=at, data=body)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
    }


def signed_post(url: str, *, secret: str, payload: dict, message_id: str, timeout: float) -> Answer:
    """POST `payload` as JSON to `url`, signed; never raises. `timeout` bounds the connect
    and each read, not their sum: a server trickling its answer byte by byte can hold a try
    longer (at most 64 kB are read). The agent's page is not held by it: the context
    lookup's own wait is bounded by its lock (routing.services.context)."""
    started = time.perf_counter()
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)

    def done(code, content=b"", error=""):
        elapsed = int((time.perf_counter() - started) * 1000)
        return Answer(code, content, error, elapsed)

    if why := url_check(url):
        return done(None, error=why)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **signed_headers(secret, message_id, body, dt.datetime.now(dt.UTC)),
    }
    try:
        with (
            _session() as session,
            session.post(
                url,
                data=body.encode(),
                headers=headers,
                timeout=timeout,
                allow_redirects=False,
                stream=True,
            ) as response,
        ):
            content = response.raw.read(MAX_ANSWER_BYTES + 1, decode_content=True)
    except requests.Timeout:
        return done(None, error=f"No answer within {timeout:g} s.")
    except requests.RequestException as error:
        if NOT_PUBLIC in str(error):
            return done(
                None,
                error=f"The host {urlsplit(url).hostname[:100]} is not on the public internet.",
            )
        return done(None, error=f"Could not connect: {type(error).__name__}.")
    if len(content) > MAX_ANSWER_BYTES:
        return done(response.status_code, b"", "The answer was longer than 64 kB.")
    if not 200 <= response.status_code < 300:
        return done(response.status_code, content, f"The server answered {response.status_code}.")
    return done(response.status_code, content)
