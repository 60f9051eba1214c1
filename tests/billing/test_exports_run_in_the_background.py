"""Issue 14: a payout export is a job — queued, running (rows done of the total), ready with a
private file to download, or failed with the reason; lost tasks are swept, files expire."""

import datetime as dt

import kombu.exceptions
import pytest
from celery import Task
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from billing import export_jobs, exports
from billing.models import PayoutExport
from billing.tasks import export_build_task
from common.enqueue import UNAVAILABLE
from common.models import AuditRecord
from tests.billing.exporting import INDIAN_ACCOUNT, approved_run, bank
from tests.conftest import _staff, reauthenticated
from tests.factories import AgentProfileFactory

Status = PayoutExport.Status


@pytest.fixture
def three(acme):
    """Three approved payouts, two of them to IFSC accounts."""
    agents = [AgentProfileFactory(full_name=f"Agent {i}").user for i in range(3)]
    for agent in agents[:2]:
        bank(agent, account=INDIAN_ACCOUNT, ifsc="SBIN0001234")
    return approved_run(acme, *((agent, "50.00") for agent in agents))


@pytest.fixture
def held(monkeypatch):
    """The broker takes the task but no worker runs it yet: the ids sent are kept here."""
    sent: list[tuple[int, str]] = []

    def publish(*, export_id: int, task_id: str) -> None:
        sent.append((export_id, task_id))

    monkeypatch.setattr(export_jobs, "export_publish", publish)
    return sent


def _ask(client, user, format: str = "csv"):
    client.force_login(user)
    reauthenticated(client)
    return client.post(reverse("finance:export"), {"format": format})


def _build(export_id: int, task_id: str) -> dict:
    return export_build_task.apply(args=[export_id], task_id=task_id).get()


def test_an_export_is_queued_then_running_then_ready(client, fiona, three, held, monkeypatch):
    answer = _ask(client, fiona)
    export = PayoutExport.objects.get()
    assert answer.url == reverse("finance:export_detail", args=[export.pk])
    assert (export.status, export.count, export.done) == (Status.QUEUED, 3, 0)
    assert held == [(export.pk, export.task_id)]
    page = client.get(answer.url).content.decode()
    assert "Queued" in page and 'hx-trigger="every 1s"' in page  # the page polls
    monkeypatch.setattr(exports, "CHUNK", 1)  # progress after every row
    seen = []
    row = exports._sheet_row

    def watched(payout):
        export.refresh_from_db()
        seen.append((export.status, export.done))
        return row(payout)

    monkeypatch.setattr(exports, "_sheet_row", watched)
    assert _build(*held[0])["bytes"] > 0
    assert seen == [(Status.RUNNING, 0), (Status.RUNNING, 1), (Status.RUNNING, 2)]
    export.refresh_from_db()
    assert (export.status, export.done, export.attempts, export.percent) == (
        Status.READY,
        3,
        1,
        100,
    )
    assert export.file.storage.exists(export.file.name)
    progress = client.get(reverse("finance:export_progress", args=[export.pk])).content.decode()
    assert reverse("finance:export_download", args=[export.pk]) in progress
    assert "hx-get" not in progress  # ready: the polling stops


def test_a_second_delivery_of_a_finished_export_changes_nothing(client, fiona, three, held):
    _ask(client, fiona)
    _build(*held[0])
    export = PayoutExport.objects.get()
    assert _build(*held[0])["skipped"]
    assert PayoutExport.objects.get().file.name == export.file.name


@pytest.mark.usefixtures("eager")
def test_a_build_that_breaks_fails_with_the_reason_and_can_be_restarted(
    client, fiona, three, monkeypatch
):
    def broken(export, out, progress):
        raise ValueError("the disk is full")

    monkeypatch.setitem(exports.WRITERS, "csv", broken)
    answer = _ask(client, fiona)
    export = PayoutExport.objects.get()
    assert (export.status, export.failure_reason) == (Status.FAILED, "ValueError: the disk is full")
    page = client.get(answer.url).content.decode()
    assert "The export failed: ValueError: the disk is full" in page and "Restart" in page
    monkeypatch.undo()
    client.post(reverse("finance:export_restart", args=[export.pk]))
    export.refresh_from_db()
    assert (export.status, export.failure_reason) == (Status.READY, "")
    restarted = AuditRecord.objects.get(action="export_restarted")
    assert (restarted.actor, restarted.reason) == (fiona, "ValueError: the disk is full")


def test_a_lost_running_export_is_swept_and_built_again(client, fiona, three, held, settings):
    _ask(client, fiona)
    export = PayoutExport.objects.get()
    assert export_jobs.export_claim(export_id=export.pk, holder="w1", task_id=export.task_id)
    later = timezone.now() + dt.timedelta(seconds=settings.EXPORT_LEASE_SECONDS + 1)
    assert export_jobs.exports_sweep(now=timezone.now()) == {"requeued": [], "failed": []}
    assert export_jobs.exports_sweep(now=later) == {"requeued": [export.pk], "failed": []}
    again = PayoutExport.objects.get()
    assert (again.status, again.requeues) == (Status.QUEUED, 1)
    assert held[-1] == (export.pk, again.task_id) != held[0]
    assert _build(*held[0])["skipped"]  # the dead worker's task, delivered late: not its job now
    _build(*held[-1])
    assert PayoutExport.objects.get().status == Status.READY


def test_an_export_sent_too_often_fails_with_the_reason(client, fiona, three, held, settings):
    _ask(client, fiona)
    PayoutExport.objects.update(requeues=settings.EXPORT_MAX_REQUEUES)
    later = timezone.now() + dt.timedelta(seconds=settings.EXPORT_START_WITHIN_SECONDS + 1)
    assert export_jobs.exports_sweep(now=later)["failed"] == [PayoutExport.objects.get().pk]
    export = PayoutExport.objects.get()
    assert export.status == Status.FAILED and "did not start within" in export.failure_reason


def test_with_the_broker_down_the_export_is_kept_and_the_sweep_sends_it(
    client, fiona, three, settings, monkeypatch
):
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def broker_down(*args, **kwargs):
        raise kombu.exceptions.OperationalError("[Errno 111] Connection refused")

    monkeypatch.setattr(Task, "apply_async", broker_down)
    answer = _ask(client, fiona)
    export = PayoutExport.objects.get()
    assert answer.url == reverse("finance:export_detail", args=[export.pk])
    page = client.get(answer.url).content.decode()
    assert UNAVAILABLE in page and "The export is kept" in page
    assert export.status == Status.QUEUED and AuditRecord.objects.filter(action="export").exists()
    monkeypatch.undo()
    sent = []
    monkeypatch.setattr(export_jobs, "export_publish", lambda **kw: sent.append(kw))
    later = timezone.now() + dt.timedelta(seconds=settings.EXPORT_START_WITHIN_SECONDS + 1)
    assert export_jobs.exports_sweep(now=later)["requeued"] == [export.pk]
    assert sent == [{"export_id": export.pk, "task_id": PayoutExport.objects.get().task_id}]


@pytest.mark.usefixtures("eager")
def test_the_download_is_audited(client, fiona, three):
    _ask(client, fiona)
    export = PayoutExport.objects.get()
    response = client.get(reverse("finance:export_download", args=[export.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="{export.filename}"'
    assert b"".join(response.streaming_content).startswith("\ufeffPayout,".encode())
    downloaded = AuditRecord.objects.get(action="export_downloaded")
    assert (downloaded.actor, downloaded.detail["count"]) == (fiona, 3)


@pytest.mark.usefixtures("eager")
def test_a_bank_files_download_asks_for_the_password_again(client, fiona, three, settings):
    _ask(client, fiona, "neft")
    export = PayoutExport.objects.get(kind="neft")
    assert export.status == Status.READY
    client.logout()
    client.force_login(fiona)  # signed in again, but no password given recently
    answer = client.get(reverse("finance:export_download", args=[export.pk]))
    assert answer.url.startswith(reverse("account_reauthenticate"))
    assert not AuditRecord.objects.filter(action="export_downloaded").exists()


@pytest.mark.usefixtures("eager")
@pytest.mark.parametrize("name", ["export_detail", "export_progress", "export_download"])
def test_only_the_exports_owner_in_finance_opens_it(
    client, fiona, three, alice, carol, victor, name
):
    _ask(client, fiona)
    pk = PayoutExport.objects.get().pk
    url = reverse(f"finance:{name}", args=[pk])
    client.logout()
    assert client.get(url).url.startswith(reverse("account_login"))
    for other in (alice, carol, victor):
        client.force_login(other)
        assert client.get(url).status_code == 403
    client.force_login(_staff("frank@homeshore.example", User.Role.FINANCE))  # finance, not hers
    reauthenticated(client)
    assert client.get(url).status_code == 404
    assert client.post(reverse("finance:export_restart", args=[pk])).status_code == 404


@pytest.mark.usefixtures("eager")
def test_a_ready_file_is_deleted_after_the_retention(client, fiona, three, settings):
    _ask(client, fiona)
    _ask(client, fiona, "xlsx")
    old, new = PayoutExport.objects.order_by("pk")
    old_file = old.file.name
    age = dt.timedelta(hours=settings.EXPORT_RETENTION_HOURS, minutes=1)
    PayoutExport.objects.filter(pk=old.pk).update(finished_at=timezone.now() - age)
    assert export_jobs.exports_expire() == [old.pk]
    old.refresh_from_db()
    assert (old.status, old.file.name) == (Status.EXPIRED, "")
    assert not new.file.storage.exists(old_file)
    assert new.file.storage.exists(new.file.name)  # a younger file stays
    new.refresh_from_db()
    when = timezone.localtime(new.finished_at + dt.timedelta(hours=settings.EXPORT_RETENTION_HOURS))
    page = " ".join(
        client.get(reverse("finance:export_detail", args=[new.pk])).content.decode().split()
    )
    assert f"deleted within the hour after {when:%d %b %Y %H:%M}" in page  # a time, not "plus …"
    answer = client.get(reverse("finance:export_download", args=[old.pk]))
    assert answer.url == reverse("finance:export_detail", args=[old.pk])
    assert "deleted after the retention period" in client.get(answer.url).content.decode()


@pytest.mark.usefixtures("eager")
def test_a_sheet_names_an_agent_without_a_name_by_email_as_the_pages_do(client, fiona, acme):
    nameless = AgentProfileFactory(full_name="", user__email="nameless@example.com")
    approved_run(acme, (nameless.user, "10.00"))
    _ask(client, fiona)
    export = PayoutExport.objects.get()
    body = b"".join(client.get(reverse("finance:export_download", args=[export.pk])))
    assert str(nameless) == "nameless@example.com"
    assert body.decode("utf-8-sig").splitlines()[1].split(",")[4] == "nameless@example.com"
