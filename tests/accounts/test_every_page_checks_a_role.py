"""Every page our apps serve is behind a role decorator (accounts.decorators), or is on the
short list of deliberately public ones below, and lives in its audience's views module
(docs/architecture.md). A new view that breaks either fails here."""

from django.urls import URLPattern, URLResolver, get_resolver

from accounts.decorators import role_required

OUR_APPS = (
    "accounts",
    "agents",
    "clients",
    "routing",
    "campaigns",
    "mailroom",
    "billing",
    "config",
    "teams",
)

PUBLIC = {
    "home": "the front door: the landing page, or a redirect to the user's own home",
    "healthz": "the load balancers' probe",
    "clients:invite_accept": "the emailed invitation: the token is the credential",
    # Twilio's requests: routing.webhooks.twilio_webhook checks their signature instead.
    "telephony:twilio_voice": "Twilio webhook",
    "telephony:twilio_dial_status": "Twilio webhook",
    "telephony:twilio_status": "Twilio webhook",
    "telephony:twilio_recording": "Twilio webhook",
    "telephony:twilio_bridge": "Twilio webhook (the agency's bridge number)",
    "telephony:twilio_survey": "Twilio webhook (the post-call survey)",
    # Outbound attempts (campaigns.webhooks): the same decorator, the same signature check.
    "outbound_telephony:twilio_agent": "Twilio webhook (outbound: the agent answered)",
    "outbound_telephony:twilio_contact": "Twilio webhook (outbound: the contact answered)",
    "outbound_telephony:twilio_opt_out": "Twilio webhook (outbound: the opt-out key)",
    "outbound_telephony:twilio_dial_status": "Twilio webhook (outbound: the contact's leg)",
    "outbound_telephony:twilio_status": "Twilio webhook (outbound: the agent's leg)",
    # Campaign mail's one-click unsubscribe (RFC 8058): the link's token is the credential.
    "mail_hooks:unsubscribe": "the unsubscribe link in campaign mail: the token is the credential",
}


def _patterns(resolver: URLResolver, namespace: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            yield from _patterns(entry, inner)
        elif isinstance(entry, URLPattern):
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry.callback


def _html_pages() -> dict[str, object]:
    """Our apps' views by URL name; the API's (DRF checks its own permissions) left out."""
    return {
        name: view
        for name, view in _patterns(get_resolver())
        if view.__module__.split(".")[0] in OUR_APPS and not hasattr(view, "cls")
    }


def _checks_a_role(view) -> bool:
    return bool(getattr(view, "roles", None))


def test_every_page_checks_a_role_or_is_deliberately_public():
    pages = _html_pages()
    assert len(pages) > 50  # the walk reached every app's pages
    unprotected = sorted(
        f"{name} ({view.__module__}.{view.__name__})"
        for name, view in pages.items()
        if not _checks_a_role(view) and name not in PUBLIC
    )
    assert unprotected == []


def test_the_public_pages_are_still_there_and_still_public():
    pages = _html_pages()
    assert set(PUBLIC) <= set(pages)
    assert [name for name in PUBLIC if _checks_a_role(pages[name])] == []


def test_the_check_sees_through_decorators_stacked_outside_the_role():
    from django.views.decorators.http import require_POST

    def page(request):
        raise AssertionError("never called")

    assert not _checks_a_role(page)
    assert _checks_a_role(require_POST(role_required("agent")(page)))


# + config.views; user_views: pages every signed-in user has (accounts: notifications).
# public_views: pages whose link is the credential (mailroom's one-click unsubscribe).
VIEW_MODULES = {
    "agent_views",
    "client_views",
    "staff_views",
    "user_views",
    "public_views",
    "webhooks",
    "lead_views",  # a franchise's lead (issue 19)
}


def test_every_page_lives_in_the_views_module_of_its_audience():
    misplaced = sorted(
        f"{name} ({view.__module__})"
        for name, view in _html_pages().items()
        if view.__module__ != "config.views" and view.__module__.split(".")[-1] not in VIEW_MODULES
    )
    assert misplaced == []
