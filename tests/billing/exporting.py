"""Helpers for the export tests: bank details set directly, approved payouts, one export."""

from django.urls import resolve, reverse

from billing.models import Payout
from common.models import AuditRecord
from tests.billing.factories import last_week, ledger_row, settle
from tests.conftest import reauthenticated

INDIAN_ACCOUNT = "123456789012"
IBAN = "DE89370400440532013000"


def bank(user, *, account: str, ifsc: str = "", holder: str | None = None) -> None:
    """Stored as it is, past the entry checks: exports must cope with older rows too."""
    profile = user.agent_profile
    profile.bank_account, profile.bank_account_last4 = account, account[-4:]
    profile.bank_ifsc = ifsc
    profile.bank_holder_name = profile.full_name if holder is None else holder
    profile.save()


def approved_run(firm, *agents_and_amounts):
    for agent, amount in agents_and_amounts:
        ledger_row(agent, firm, agent_amount=amount, client_amount="120.00", day=last_week())
    run = settle("agents", last_week())
    run.payouts.update(status=Payout.Status.APPROVED)
    return run


def export(client, user, format: str, **params):
    """(body, its audit record) for a file; (the redirect, None) for a refusal."""
    client.force_login(user)
    reauthenticated(client)  # bank files ask for the password again
    before = set(AuditRecord.objects.filter(action="export").values_list("pk", flat=True))
    response = client.post(reverse("finance:export"), {"format": format, **params})
    audited = AuditRecord.objects.filter(action="export").exclude(pk__in=before).first()
    response = downloaded(client, response)
    if response.status_code != 200:
        return response, audited
    body = b"".join(response.streaming_content)
    return body, audited


def downloaded(client, response):
    """The export request's answer followed as a person would: the redirect to the export's
    page (its task ran eagerly, so the file is ready), then its download link. Any other
    answer (a refusal's redirect to the payouts page, a 403) is returned as it is."""
    if response.status_code != 302 or resolve(response.url).url_name != "export_detail":
        return response
    pk = resolve(response.url).kwargs["pk"]
    page = client.get(response.url)
    link = reverse("finance:export_download", args=[pk])
    assert link in page.content.decode(), page.content.decode()
    return client.get(link)


def message_after(client, response) -> str:
    return client.get(response.url).content.decode()
