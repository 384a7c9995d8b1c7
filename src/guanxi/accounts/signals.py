"""Login, logout and failed logins go to the audit log (Django's auth signals are the framework's own events)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from guanxi.audit.middleware import client_ip
from guanxi.audit.models import AuditEntry
from guanxi.audit.services import audit_record


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(actor=user, action=AuditEntry.Action.LOGIN, obj=user, ip=client_ip(request) if request else None)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(actor=user, action=AuditEntry.Action.LOGOUT, obj=user, ip=client_ip(request) if request else None)


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        actor=None,
        action=AuditEntry.Action.LOGIN_FAILED,
        object_type="accounts.user",
        object_repr=username,
        detail=username,
        ip=client_ip(request) if request is not None else None,
    )
