"""Reading the audit log. Entries have no owner, so no data scope applies: the `audit.view` permission opens the
whole log, and an actor without it sees nothing. Shared by the pages (and any future API)."""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from guanxi.audit.models import AuditEntry

AUDIT_VIEW = "audit.view"


@dataclass
class AuditFilter:
    """The filters of the audit log page; every field narrows the result, an empty one leaves it out."""

    actor: str = ""  # a username, matched exactly
    action: str = ""
    object_type: str = ""  # "app_label.model_name"
    object_id: str = ""
    q: str = ""  # text in the object's name or the detail
    date_from: dt.date | None = None
    date_to: dt.date | None = None  # inclusive

    @property
    def is_active(self) -> bool:
        return any((self.actor, self.action, self.object_type, self.object_id, self.q, self.date_from, self.date_to))


def _visible_entries(actor: Any) -> QuerySet[AuditEntry]:
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm(AUDIT_VIEW):
        return AuditEntry.objects.none()
    return AuditEntry.objects.all()


def _start_of_day(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day` in the user's time zone, so that date filters use the index on `at`."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_entry_list(*, actor: Any, filters: AuditFilter | None = None) -> QuerySet[AuditEntry]:
    """Entries `actor` may read that match `filters`, newest first."""
    filters = filters or AuditFilter()
    qs = _visible_entries(actor)
    if filters.actor.strip():
        qs = qs.filter(actor_name=filters.actor.strip())
    if filters.action in AuditEntry.Action.values:
        qs = qs.filter(action=filters.action)
    if filters.object_type.strip():
        qs = qs.filter(object_type=filters.object_type.strip().lower())
    if filters.object_id.strip():
        qs = qs.filter(object_id=filters.object_id.strip())
    q = filters.q.strip()
    if q:
        qs = qs.filter(Q(object_repr__icontains=q) | Q(detail__icontains=q))
    if filters.date_from:
        qs = qs.filter(at__gte=_start_of_day(filters.date_from))
    if filters.date_to:
        with contextlib.suppress(OverflowError):  # the last representable day: no upper bound
            qs = qs.filter(at__lt=_start_of_day(filters.date_to + dt.timedelta(days=1)))
    return qs.order_by("-at", "-id")


def audit_object_history(*, actor: Any, object_type: str, object_id: str) -> QuerySet[AuditEntry]:
    """Every entry about one record, newest first (empty when `actor` may not read the log)."""
    return (
        _visible_entries(actor)
        .filter(object_type=object_type.strip().lower(), object_id=object_id.strip())
        .order_by("-at", "-id")
    )
