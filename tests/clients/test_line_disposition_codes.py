"""A line's disposition codes, in the firm's words: added, relabelled, reordered and retired
by the firm's admins (never deleted: calls keep theirs); a new line starts with the usual ones."""

import pytest
from django.urls import reverse

from clients import services
from clients.models import DispositionCode, FirmMember
from clients.scripts import dispositions_seed
from common.models import AuditRecord
from tests.factories import FirmMemberFactory, PhoneLineFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(acme):
    line = PhoneLineFactory(firm=acme)
    dispositions_seed(line)
    return line


def codes(line) -> list[tuple[str, str, bool]]:
    return [(c.code, c.label, c.is_active) for c in line.dispositions.order_by("position", "id")]


def post(client, line, **data):
    return client.post(reverse("clients:line_dispositions", args=[line.pk]), data)


def test_a_new_line_starts_with_the_usual_codes(acme):
    line = services.line_save(
        firm=acme,
        number="+918041234567",
        name="Claims",
        domain="insurance",
        region_geoname_id=1263780,
        time_zone="Asia/Kolkata",
        business_days="01234",
        opens_at="09:00",
        closes_at="18:00",
        languages=[("en", None)],
    )
    assert [c[0] for c in codes(line)] == ["RES", "ESC", "CB", "CMP", "SALE"]


def test_an_admin_adds_relabels_moves_and_retires_codes(client, carol, line):
    client.force_login(carol)
    assert (
        post(client, line, action="add", code="vip", label="VIP customer", kind="other").status_code
        == 302
    )
    vip = line.dispositions.get(code="VIP")
    post(client, line, action="relabel", code_id=vip.pk, label="Very important", kind="sale")
    post(client, line, action="up", code_id=vip.pk)
    post(client, line, action="retire", code_id=line.dispositions.get(code="CMP").pk)
    assert codes(line) == [
        ("RES", "Resolved", True),
        ("ESC", "Escalated", True),
        ("CB", "Callback needed", True),
        ("CMP", "Complaint", False),
        ("VIP", "Very important", True),  # moved up, above Sale
        ("SALE", "Sale", True),
    ]
    assert AuditRecord.objects.filter(action="dispositions_changed").count() == 4


def test_a_code_twice_on_a_line_is_refused_with_a_form_error(client, carol, line):
    client.force_login(carol)
    response = post(client, line, action="add", code="RES", label="Again", kind="other")
    assert response.status_code == 200
    assert "already has this code" in response.content.decode()


def test_a_used_code_is_retired_and_kept(client, carol, line):
    from routing.models import Call

    res = line.dispositions.get(code="RES")
    Call.objects.create(
        provider="t",
        provider_call_id="C1",
        line=line,
        firm=line.firm,
        domain="insurance",
        status="completed",
        wrap_up="submitted",
        disposition=res,
    )
    client.force_login(carol)
    post(client, line, action="retire", code_id=res.pk)
    res.refresh_from_db()
    assert res.is_active is False  # still there, with its call
    page = client.get(reverse("clients:line_dispositions", args=[line.pk])).content.decode()
    assert "Bring back" in page


def test_a_member_who_is_not_an_admin_cannot_change_codes(client, acme, line):
    mohan = FirmMemberFactory(firm=acme, role=FirmMember.Role.MEMBER).user
    client.force_login(mohan)
    assert client.get(reverse("clients:line_dispositions", args=[line.pk])).status_code == 200
    assert post(client, line, action="add", code="X", label="X", kind="other").status_code == 403
    assert not DispositionCode.objects.filter(code="X").exists()


def test_another_firms_line_or_code_is_refused(client, carol, dave, globex, line):
    client.force_login(dave)
    assert client.get(reverse("clients:line_dispositions", args=[line.pk])).status_code == 404
    assert post(client, line, action="add", code="X", label="X", kind="other").status_code == 404
    theirs = PhoneLineFactory(firm=globex)
    dispositions_seed(theirs)
    client.force_login(carol)
    post(client, line, action="retire", code_id=theirs.dispositions.first().pk)
    assert theirs.dispositions.filter(is_active=False).count() == 0


def test_the_last_active_code_cannot_be_retired(client, carol, line):
    client.force_login(carol)
    for code in line.dispositions.exclude(code="RES"):
        post(client, line, action="retire", code_id=code.pk)
    response = post(client, line, action="retire", code_id=line.dispositions.get(code="RES").pk)
    assert response.status_code == 302
    assert line.dispositions.get(code="RES").is_active
