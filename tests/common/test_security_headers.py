"""Issue 13: every page carries a strict Content-Security-Policy and a Permissions-Policy."""

import pytest

pytestmark = pytest.mark.django_db


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


@pytest.mark.parametrize(
    "persona,path",
    [
        (None, "/"),
        (None, "/accounts/login/"),
        ("alice", "/agent/"),
        ("carol", "/client/"),
        ("fiona", "/staff/finance/"),
    ],
)
def test_pages_carry_a_strict_content_security_policy(client, request, persona, path):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    directives = _directives(client.get(path))
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"] and directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"] and directives["form-action"] == ["'self'"]
    assert not any("unsafe" in v for values in directives.values() for v in values)


def test_pages_and_the_api_carry_a_permissions_policy(client):
    for path in ("/", "/api/v1/lines/"):
        policy = client.get(path)["Permissions-Policy"]
        for feature in ("camera=()", "microphone=()", "geolocation=()"):
            assert feature in policy, (path, policy)


def test_only_the_api_docs_allow_inline_styles(client):
    directives = _directives(client.get("/api/docs/"))
    assert "'unsafe-inline'" in directives["style-src"]
    assert directives["script-src"] == ["'self'"]
    page = client.get("/api/docs/").content.decode()
    assert "<script>" not in page  # Swagger UI's start-up script is a file (?script)
