"""The audit log: one append-only table, one writer, the client's IP from the middleware."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from common.audit import audit_log, client_ip
from common.middleware import ClientIpMiddleware
from common.models import AuditAction, AuditRecord

pytestmark = pytest.mark.django_db


def test_it_records_who_did_what_to_which_object(fiona, alice):
    agent = alice.agent_profile
    record = audit_log(
        actor=fiona,
        action=AuditAction.TDS_CHANGED,
        target=agent,
        reason="10% -> 5%",
        before={"tds_rate": "10.00"},
        after={"tds_rate": "5"},
        note="yearly review",
    )
    record.refresh_from_db()
    assert (record.actor, record.action, record.target) == (fiona, "tds_changed", agent)
    assert (record.before, record.after) == ({"tds_rate": "10.00"}, {"tds_rate": "5"})
    assert record.detail == {"note": "yearly review"} and record.ip is None
    assert list(AuditRecord.objects.about(agent)) == [record]


def test_a_record_without_an_object_is_the_systems_or_a_whole_selection(fiona):
    record = audit_log(actor=None, action=AuditAction.EXPORT, format="csv")
    assert (record.actor, record.content_type, record.object_id) == (None, None, None)


def test_a_record_cannot_be_changed_or_deleted_one_by_one(fiona):
    record = audit_log(actor=fiona, action=AuditAction.EXPORT)
    record.reason = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        record.save()
    with pytest.raises(ValueError, match="append-only"):
        record.delete()


def test_records_cannot_be_changed_or_deleted_in_bulk(fiona):
    audit_log(actor=fiona, action=AuditAction.EXPORT)
    with pytest.raises(ValueError, match="append-only"):
        AuditRecord.objects.filter(actor=fiona).update(reason="rewritten")
    with pytest.raises(ValueError, match="append-only"):
        AuditRecord.objects.all().delete()
    assert AuditRecord.objects.get().reason == ""


def _through_middleware(**meta) -> AuditRecord:
    def view(request):
        audit_log(actor=None, action=AuditAction.EXPORT)
        return HttpResponse()

    ClientIpMiddleware(view)(RequestFactory().get("/", **meta))
    return AuditRecord.objects.first()  # the newest


def test_the_middleware_gives_the_records_of_a_request_its_ip():
    assert _through_middleware(REMOTE_ADDR="203.0.113.9").ip == "203.0.113.9"
    assert client_ip.get() is None  # reset once the response is out


def test_a_forwarded_for_header_counts_only_behind_a_trusted_proxy(settings):
    forwarded = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.7, 192.0.2.1"}
    assert _through_middleware(**forwarded).ip == "10.0.0.2"
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    assert _through_middleware(**forwarded).ip == "192.0.2.1"


def test_an_ip_given_to_the_writer_wins(fiona):
    token = client_ip.set("203.0.113.9")
    try:
        record = audit_log(actor=fiona, action=AuditAction.EXPORT, ip="198.51.100.1")
    finally:
        client_ip.reset(token)
    assert record.ip == "198.51.100.1"
