"""Requests we send to a firm's own servers: its customer-context lookup and its webhooks.

One way out for both, so both keep the same rules:

- **The address** (`url_check`): HTTPS only, no credentials in it, and a host that resolves to
  public addresses only — a firm must not make our servers call the agency's own network
  (SSRF: 127.0.0.1, 10/8, 169.254.169.254…). `OUTBOUND_ALLOW_HOSTS` lists hosts exempt from
  both rules (the tests' local server; a developer's own receiver): never set in production.
  The host is checked again at every send (a DNS answer that changes between our check and
  the connection is not caught here: an egress firewall in front of the workers is the whole
  answer to that, docs/deploy).
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
from standardwebhooks import Webhook

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
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host:
        return "Give a full address, such as https://crm.example.com/hooks."
    if parts.username or parts.password:
        return "The address cannot hold a user name or password."
    if _allowed_host(host):
        return ""
    if parts.scheme != "https":
        return "The address must start with https://."
    try:
        _public_addresses(host, parts.port or 443)
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
        with requests.post(
            url,
            data=body.encode(),
            headers=headers,
            timeout=timeout,
            allow_redirects=False,
            stream=True,
        ) as response:
            content = response.raw.read(MAX_ANSWER_BYTES + 1, decode_content=True)
    except requests.Timeout:
        return done(None, error=f"No answer within {timeout:g} s.")
    except requests.RequestException as error:
        return done(None, error=f"Could not connect: {type(error).__name__}.")
    if len(content) > MAX_ANSWER_BYTES:
        return done(response.status_code, b"", "The answer was longer than 64 kB.")
    if not 200 <= response.status_code < 300:
        return done(response.status_code, content, f"The server answered {response.status_code}.")
    return done(response.status_code, content)
