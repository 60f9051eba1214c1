"""The staff audit viewer: every audit record for administrators, each team's own trail for
vetting and finance; filters by actor, action, object and dates; pages by cursor."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.staff_selectors import ADMIN_ONLY, AUDIT_SCOPES, audit_records
from common.errors import NotAllowed
from common.models import AuditAction, AuditRecord

URL = reverse("accounts:audit")


@pytest.fixture
def trail(alice, victor, fiona, root, acme):
    """One record of each team's, and one of the system's, on known days."""
    agent = alice.agent_profile

    def at(days_ago: int, **kwargs) -> AuditRecord:
        # As audit_log writes it, dated in the past (created_at is a default, not auto_now).
        when = timezone.now() - dt.timedelta(days=days_ago)
        return AuditRecord.objects.create(created_at=when, detail={}, **kwargs)

    return {
        "verified": at(3, actor=victor, action=AuditAction.VERIFIED, target=agent),
        "bank": at(
            2,
            actor=alice,
            action=AuditAction.BANK_DETAILS_SET,
            target=agent,
            after={"account_last4": "9012"},
        ),
        "adjustment": at(1, actor=fiona, action=AuditAction.ADJUSTMENT),
        "firm": at(1, actor=root, action=AuditAction.FIRM_CREATED, target=acme),
        "expired": at(0, actor=None, action=AuditAction.CHECK_EXPIRED, target=agent),
    }


def _shown(client, **query) -> list[int]:
    response = client.get(URL, query)
    assert response.status_code == 200
    return [record.pk for record, _url in response.context["records"]]


def _pks(trail, *names) -> list[int]:
    return sorted((trail[n].pk for n in names), reverse=True)


def test_root_sees_every_record_newest_first(client, root, trail):
    client.force_login(root)
    shown = _shown(client)
    assert set(shown) == {r.pk for r in trail.values()}
    assert shown[0] == trail["expired"].pk and shown[-1] == trail["verified"].pk


def test_vetting_and_finance_each_see_their_own_trail(client, victor, fiona, trail):
    client.force_login(victor)
    assert set(_shown(client)) == set(_pks(trail, "verified", "bank", "expired"))
    client.force_login(fiona)
    assert set(_shown(client)) == set(_pks(trail, "bank", "adjustment"))
    # An action outside the role's trail is not even offered
    assert client.get(URL, {"action": "firm_created"}).context["form"].errors


@pytest.mark.parametrize("persona", ["alice", "carol"])
def test_agents_and_firms_are_refused(client, request, persona, trail):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    with pytest.raises(NotAllowed):
        list(audit_records(viewer=request.getfixturevalue(persona)))


def test_filters_by_actor_action_object_and_dates(client, root, alice, acme, trail):
    client.force_login(root)
    assert _shown(client, actor="ALICE@example.com") == _pks(trail, "bank")
    assert _shown(client, actor="system") == _pks(trail, "expired")
    assert _shown(client, action="adjustment") == _pks(trail, "adjustment")
    assert _shown(client, object_type="clients.clientfirm") == _pks(trail, "firm")
    agent = alice.agent_profile
    by_agent = _shown(client, object_type="agents.agentprofile", object_id=agent.pk)
    assert by_agent == _pks(trail, "verified", "bank", "expired")
    assert _shown(client, object_type="agents.agentprofile", object_id=agent.pk + 999) == []
    today = timezone.localdate()
    two_days_ago = today - dt.timedelta(days=2)
    window = {"date_from": two_days_ago, "date_to": today - dt.timedelta(days=1)}
    assert set(_shown(client, **window)) == set(_pks(trail, "bank", "adjustment", "firm"))


@pytest.mark.parametrize(
    "query",
    [
        {"object_id": "5"},
        {"date_from": "2026-12-02", "date_to": "2026-12-01"},
        {"object_id": str(2**63)},
        {"object_type": "auth.nothing"},
        {"date_from": "yesterday"},
        {"date_to": "9999-12-31"},  # its day after once overflowed: a 500
        {"date_from": "0001-01-01", "date_to": "9999-12-31"},
    ],
)
def test_a_bad_filter_is_a_form_error_and_shows_nothing(client, root, trail, query):
    client.force_login(root)
    response = client.get(URL, query)
    assert response.status_code == 200 and response.context["form"].errors
    assert response.context["records"] == []


def test_pages_follow_by_cursor_and_a_forged_cursor_is_a_400(client, root, trail, monkeypatch):
    from accounts import staff_views

    monkeypatch.setattr(staff_views.AUDIT_PAGES, "size", 2)
    client.force_login(root)
    first = client.get(URL).context["page"]
    second = client.get(URL, {"cursor": first.next_cursor}).context["page"]
    third = client.get(URL, {"cursor": second.next_cursor}).context["page"]
    seen = [r.pk for page in (first, second, third) for r in page]
    assert seen == sorted((r.pk for r in trail.values()), reverse=True)
    assert not third.has_next
    assert client.get(URL, {"cursor": "forged"}).status_code == 400


def test_bank_records_show_the_last_four_only_and_objects_link_to_their_pages(
    client, fiona, alice, trail
):
    profile = alice.agent_profile
    profile.bank_account = "123456789012"
    profile.save()
    client.force_login(fiona)
    page = client.get(URL).content.decode()
    assert "9012" in page and "123456789012" not in page
    client.force_login(fiona)
    # finance does not open the vetting page: no link to it
    assert reverse("vetting:agent", args=[profile.pk]) not in page


def test_the_audit_log_is_in_each_staff_roles_navigation(client, victor, fiona, root):
    for persona in (victor, fiona, root):
        client.force_login(persona)
        items = client.get(URL).context["nav_items"]
        assert [i["url"] for i in items].count(URL) == 1


def test_the_object_type_choice_names_audited_models(db):
    types = ContentType.objects.filter(app_label="billing", model="payout")
    assert types.exists()


def test_the_page_costs_the_same_queries_whatever_it_shows(client, root, alice, trail):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(root)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for _ in range(10):
        AuditRecord.objects.create(actor=alice, action=AuditAction.SUBMITTED, detail={})
    with CaptureQueriesContext(connection) as many:
        client.get(URL)
    assert len(many) == len(few)


def test_every_audit_action_is_placed_in_a_staff_scope_or_left_to_administrators():
    placed = ADMIN_ONLY.union(*AUDIT_SCOPES.values())
    assert set(AuditAction.values) - placed == set()


def test_finance_reads_the_tax_papers_trail_and_vetting_the_pan_changes():
    finance, vetting = AUDIT_SCOPES[User.Role.FINANCE], AUDIT_SCOPES[User.Role.VETTING]
    for action in ("pan_set", "invoice_pdf_downloaded", "statement_pdf_downloaded"):
        assert action in finance
    assert "tds_summary_downloaded" in finance and "pan_changed" in vetting
    assert not ADMIN_ONLY & (finance | vetting)
