"""Agent documents: checked by content on the way in, served only through checked views."""

import datetime as dt

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import FileResponse
from django.utils import timezone

from accounts.models import User
from agents.models import AgentDocument, AgentProfile, VerificationCheck
from agents.services import compliance_refresh
from agents.uploads import sha256_of, sniff_document
from common.audit import audit_log
from common.errors import ApplicationError, require_role
from common.models import AuditAction


@transaction.atomic
def document_upload(
    *,
    agent: AgentProfile,
    kind: str,
    file: UploadedFile,
    title: str = "",
    expires_on: dt.date | None = None,
) -> AgentDocument:
    if kind not in AgentDocument.Kind.values:
        raise ApplicationError("Choose what kind of document this is.", field="kind")
    if kind == AgentDocument.Kind.CERTIFICATE and not title.strip():
        raise ApplicationError("Name the certificate (e.g. IRDAI licence).", field="title")
    if expires_on and expires_on < timezone.localdate():
        raise ApplicationError("This document has already expired.", field="expires_on")
    content_type, extension = sniff_document(file)
    digest = sha256_of(file)
    # The stored name is ours, never the uploader's: no path tricks, no misleading extension.
    file.name = f"{kind}-{digest[:16]}.{extension}"
    document = AgentDocument.objects.create(
        agent=agent,
        kind=kind,
        title=title.strip(),
        file=file,
        content_type=content_type,
        size=file.size,
        sha256=digest,
        expires_on=expires_on,
    )
    # A new identity or address proof needs a fresh look by the vetting team.
    if kind in (VerificationCheck.Kind.IDENTITY, VerificationCheck.Kind.ADDRESS):
        VerificationCheck.objects.filter(agent=agent, kind=kind).exclude(
            status=VerificationCheck.Status.PENDING
        ).filter(agent__status=AgentProfile.Status.APPLIED).update(
            status=VerificationCheck.Status.PENDING, decided_at=None, decided_by=None
        )
    if kind == AgentDocument.Kind.CERTIFICATE and expires_on:
        compliance_refresh(agent=agent)  # the certificate's date now bounds compliance
    return document


@transaction.atomic
def document_viewed(*, actor: User, document: AgentDocument) -> None:
    """Staff opened an agent's document: who, which document and whose — never its contents
    (the record names the document; the file stays in private storage). Vetting and
    administrators only."""
    require_role(actor, User.Role.VETTING, message="Only vetting opens agents' documents.")
    audit_log(
        actor=actor,
        action=AuditAction.DOCUMENT_VIEWED,
        target=document,
        agent=document.agent_id,
        kind=document.kind,
    )


def document_response(document: AgentDocument) -> FileResponse:
    """The file itself, as stored, with the type we sniffed — for callers that checked access."""
    response = FileResponse(
        document.file.open("rb"),
        content_type=document.content_type,
        as_attachment=False,
        filename=document.file.name.rsplit("/", 1)[-1],
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
