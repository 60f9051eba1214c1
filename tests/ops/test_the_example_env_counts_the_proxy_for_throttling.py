"""deploy/homeshore.env.example puts the portal behind one TLS proxy on the same host
(ALLAUTH_TRUSTED_PROXY_COUNT=1). Without API_THROTTLE_NUM_PROXIES, DRF counts REMOTE_ADDR —
the proxy's 127.0.0.1 — so every caller in the world shared one per-IP API bucket, and one
client guessing keys would throttle all the others. Both counts must name the same proxies."""

from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "deploy" / "homeshore.env.example"


def _settings() -> dict[str, str]:
    lines = EXAMPLE.read_text().splitlines()
    pairs = (ln.split("=", 1) for ln in lines if "=" in ln and not ln.startswith("#"))
    return {k.strip(): v.strip() for k, v in pairs}


def test_the_api_throttle_counts_the_same_proxies_as_allauth():
    env = _settings()
    assert env.get("API_THROTTLE_NUM_PROXIES") == env["ALLAUTH_TRUSTED_PROXY_COUNT"]
