"""The one writer of the audit log.

The client's IP comes from `common.middleware.ClientIpMiddleware`, which puts it in a
context variable for the length of a request, so services need no `request` argument.
Outside a request (Celery workers, management commands) it is None.
"""

from contextvars import ContextVar
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models

from common.models import AuditAction, AuditRecord

client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)


def audit_log(
    *,
    actor: AbstractBaseUser | None,
    action: AuditAction,
    target: models.Model | None = None,
    reason: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    ip: str | None = None,
    **detail: Any,
) -> AuditRecord:
    """Append one record: `actor` (a user; None is the system) did `action` to `target`.

    Call it inside the service's transaction, so the record commits or rolls back with the
    change it describes. `before`/`after` and `detail` must be JSON: pass amounts as strings.
    """
    return AuditRecord.objects.create(
        actor=actor,
        action=action,
        target=target,
        reason=reason,
        before=before,
        after=after,
        detail=detail,
        ip=ip or client_ip.get(),
    )
