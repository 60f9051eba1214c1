"""The firm's do-not-call list from a file (a `number` column, others ignored) and one number
at a time (the pages and the dialer's opt-outs), each change a new version, audited without
the number; the agency's registry extract: full blocks and TRAI categories, a new complete
version per upload."""

import pytest

from campaigns.imports import import_run, import_start, suppression_add, suppression_remove
from campaigns.models import (
    ImportJob,
    RegistryEntry,
    RegistryVersion,
    SuppressionEntry,
    SuppressionList,
    category_bit,
)
from clients.services import NotAllowed
from common.models import AuditAction, AuditRecord
from tests.campaigns.helpers import csv_upload, xlsx_upload

pytestmark = pytest.mark.django_db
Source = SuppressionEntry.Source


def run(job: ImportJob) -> ImportJob:
    import_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def test_a_do_not_call_file_is_imported_once_per_number(carol, acme):
    suppression_add(actor=carol, firm=acme, number="+919845012345", source=Source.ADDED)
    text = "Number,Comment\n098450 12345,again\n+919845012346,x\n+919845012346,twice\n"
    job = run(import_start(actor=carol, kind="suppression", firm=acme, upload=csv_upload(text)))
    assert job.status == ImportJob.Status.DONE and job.created_count == 1
    entries = dict(SuppressionEntry.objects.values_list("number", "source"))
    assert entries == {"+919845012345": Source.ADDED, "+919845012346": Source.UPLOAD}
    assert SuppressionList.objects.get(firm=acme).version == 2


def test_a_bad_number_refuses_the_do_not_call_file(carol, acme):
    text = "number\n+919845012345\nnot a number\n"
    job = run(import_start(actor=carol, kind="suppression", firm=acme, upload=csv_upload(text)))
    assert job.status == ImportJob.Status.REFUSED and job.errors[0]["row"] == 3
    assert not SuppressionEntry.objects.exists()


def test_the_dialer_adds_an_opt_out_without_an_actor_and_it_is_audited_without_the_number(
    acme,
):
    entry = suppression_add(actor=None, firm=acme, number="+919845012345", source=Source.OPT_OUT)
    assert (entry.source, entry.version) == (Source.OPT_OUT, 1)
    again = suppression_add(actor=None, firm=acme, number="+919845012345", source=Source.OPT_OUT)
    assert again.pk == entry.pk and SuppressionList.objects.get(firm=acme).version == 1
    record = AuditRecord.objects.about(acme).get(action=AuditAction.SUPPRESSION_ADDED)
    assert "9845012345" not in str(record.detail)


def test_a_number_is_taken_off_the_list_by_its_keeper(carol, acme):
    suppression_add(actor=carol, firm=acme, number="+919845012345", source=Source.ADDED)
    assert suppression_remove(actor=carol, firm=acme, number="+919845012345")
    assert not SuppressionEntry.objects.exists()
    assert SuppressionList.objects.get(firm=acme).version == 2
    assert not suppression_remove(actor=carol, firm=acme, number="+919845012345")


def test_a_complete_bpo_firms_user_cannot_change_its_do_not_call_list(dave, globex, root):
    with pytest.raises(NotAllowed):
        suppression_add(actor=dave, firm=globex, number="+919845012345", source=Source.ADDED)
    suppression_add(actor=root, firm=globex, number="+919845012345", source=Source.ADDED)
    with pytest.raises(NotAllowed):
        suppression_remove(actor=dave, firm=globex, number="+919845012345")


def test_the_registry_extract_becomes_a_complete_version(root):
    rows = [["number", "blocked"], ["+919845012345", "full"], ["+919845012346", "1;3"]]
    rows += [["+919845012347", "0"], ["+919845012346", "7"]]
    job = run(import_start(actor=root, kind="registry", upload=xlsx_upload(rows)))
    assert job.status == ImportJob.Status.DONE, job.errors
    version = RegistryVersion.objects.get()
    assert version.is_complete and version.completed_at and version.entries == 3
    entries = {e.number: (e.fully_blocked, e.blocked) for e in RegistryEntry.objects.all()}
    assert entries == {
        "+919845012345": (True, 0),
        "+919845012346": (False, category_bit("1") | category_bit("3") | category_bit("7")),
        "+919845012347": (True, 0),
    }


def test_a_registry_row_with_an_unknown_category_refuses_the_extract(root):
    text = "number,blocked\n+919845012345,8\n+919845012346,\n"
    job = run(import_start(actor=root, kind="registry", upload=csv_upload(text)))
    assert job.status == ImportJob.Status.REFUSED
    assert [e["row"] for e in job.errors] == [2, 3]
    assert not RegistryVersion.objects.exists()


def test_only_agency_administrators_upload_the_registry(carol, victor):
    for user in (carol, victor):
        with pytest.raises(NotAllowed):
            import_start(actor=user, kind="registry", upload=csv_upload("number,blocked\n"))
