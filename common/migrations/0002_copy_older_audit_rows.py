"""Copy agents.VerificationEvent and billing.AuditRecord rows into common.AuditRecord.

Times, actors, actions and reasons are kept; a vetting event's check goes into
`detail["check_kind"]`, a billing record's subject ("payout:12") into `detail["subject"]`
and, where it names a row, becomes the record's object. Reversible: going back copies the
rows of those actions back (records of actions the older tables never had are left behind).
"""

from itertools import islice

from django.db import migrations

BATCH = 2000
VETTING = {
    "submitted",
    "check_approved",
    "check_rejected",
    "check_expired",
    "verified",
    "rejected",
    "suspended",
    "reinstated",
    "tds_changed",
}
BILLING = {
    "run_opened",
    "run_done",
    "payout_approved",
    "payout_paid",
    "invoice_paid",
    "adjustment",
    "export",
}
# The older billing subjects' prefixes -> the model the id belongs to.
SUBJECTS = {
    "payout": "payout",
    "invoice": "invoice",
    "run": "settlementrun",
    "adjustment": "adjustment",
}


def _content_type(apps, db, app_label: str, model: str):
    ContentType = apps.get_model("contenttypes", "ContentType")
    # post_migrate has not created content types yet on a database migrated from scratch.
    return ContentType.objects.using(db).get_or_create(app_label=app_label, model=model)[0]


def _insert(model, db, rows) -> None:
    rows = iter(rows)
    while batch := list(islice(rows, BATCH)):
        model.objects.using(db).bulk_create(batch)


def _keep_times(model) -> None:
    # auto_now_add would stamp the copies with today; this historical model is ours alone.
    model._meta.get_field("created_at").auto_now_add = False


def forward(apps, schema_editor):
    db = schema_editor.connection.alias
    AuditRecord = apps.get_model("common", "AuditRecord")
    VerificationEvent = apps.get_model("agents", "VerificationEvent")
    BillingRecord = apps.get_model("billing", "AuditRecord")

    events = VerificationEvent.objects.using(db).order_by("pk")
    if events.exists():
        agent_type = _content_type(apps, db, "agents", "agentprofile")
        _insert(
            AuditRecord,
            db,
            (
                AuditRecord(
                    actor_id=e.actor_id,
                    action=e.action,
                    content_type=agent_type,
                    object_id=e.agent_id,
                    reason=e.reason,
                    created_at=e.created_at,
                    detail={"check_kind": e.check_kind} if e.check_kind else {},
                )
                for e in events.iterator(chunk_size=BATCH)
            ),
        )

    types = {}

    def copy(r):
        prefix, _, pk = r.subject.partition(":")
        content_type, object_id = None, None
        if prefix in SUBJECTS and pk.isdigit():
            if prefix not in types:
                types[prefix] = _content_type(apps, db, "billing", SUBJECTS[prefix])
            content_type, object_id = types[prefix], int(pk)
        return AuditRecord(
            actor_id=r.actor_id,
            action=r.action,
            content_type=content_type,
            object_id=object_id,
            reason=r.detail.get("reason", ""),
            detail={**r.detail, "subject": r.subject},
            created_at=r.created_at,
        )

    records = BillingRecord.objects.using(db).order_by("pk")
    _insert(AuditRecord, db, (copy(r) for r in records.iterator(chunk_size=BATCH)))


def backward(apps, schema_editor):
    db = schema_editor.connection.alias
    AuditRecord = apps.get_model("common", "AuditRecord")
    VerificationEvent = apps.get_model("agents", "VerificationEvent")
    BillingRecord = apps.get_model("billing", "AuditRecord")
    _keep_times(VerificationEvent)
    _keep_times(BillingRecord)

    vetting = AuditRecord.objects.using(db).filter(
        action__in=VETTING, content_type__app_label="agents", content_type__model="agentprofile"
    )
    _insert(
        VerificationEvent,
        db,
        (
            VerificationEvent(
                agent_id=r.object_id,
                actor_id=r.actor_id,
                action=r.action,
                check_kind=r.detail.get("check_kind", ""),
                reason=r.reason[:500],
                created_at=r.created_at,
            )
            for r in vetting.order_by("pk").iterator(chunk_size=BATCH)
        ),
    )

    prefixes = {model: prefix for prefix, model in SUBJECTS.items()}

    def copy(r):
        detail = dict(r.detail)
        subject = detail.pop("subject", "")
        if not subject and r.content_type is not None and r.action != "export":
            subject = f"{prefixes.get(r.content_type.model, r.content_type.model)}:{r.object_id}"
        if not subject and r.action == "export":
            subject = f"export:{detail.get('format', '')}"
        return BillingRecord(
            actor_id=r.actor_id,
            action=r.action,
            subject=subject[:100],
            detail=detail,
            created_at=r.created_at,
        )

    billing = (
        AuditRecord.objects.using(db).filter(action__in=BILLING).select_related("content_type")
    )
    _insert(BillingRecord, db, (copy(r) for r in billing.order_by("pk").iterator(BATCH)))
    # The historical model has no append-only manager: the copies can go.
    AuditRecord.objects.using(db).filter(action__in=VETTING | BILLING).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("common", "0001_audit_record"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("agents", "0006_routing_indexes"),
        ("billing", "0003_payout_calls"),
    ]

    operations = [migrations.RunPython(forward, backward)]
