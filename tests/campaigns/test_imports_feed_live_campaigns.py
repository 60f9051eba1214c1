"""An import into a list that a live campaign calls adds its new contacts to that campaign
as targets at once (found in the review: they waited for the campaign's next resume)."""

import pytest

from campaigns.imports import import_run, import_start
from campaigns.models import ImportJob
from tests.campaigns.helpers import csv_upload

pytestmark = pytest.mark.django_db


def test_contacts_imported_into_a_running_campaigns_list_become_its_targets(ready, carol, acme):
    ready.status = "running"
    ready.save(update_fields=["status"])
    listed = ready.lists.get()
    job = import_start(
        actor=carol,
        kind=ImportJob.Kind.CONTACTS,
        firm=acme,
        contact_list=listed,
        upload=csv_upload("number,name\n+919845077777,Newcomer\n"),
    )
    import_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert ready.targets.filter(contact__name="Newcomer", state="pending").exists()


def test_contacts_imported_into_a_draft_campaigns_list_wait_for_its_schedule(ready, carol, acme):
    job = import_start(
        actor=carol,
        kind=ImportJob.Kind.CONTACTS,
        firm=acme,
        contact_list=ready.lists.get(),
        upload=csv_upload("number,name\n+919845077778,Later\n"),
    )
    import_run(job_id=job.pk)

    assert not ready.targets.filter(contact__name="Later").exists()
