"""Ownership events on the customer's 360 timeline (kind "ownership"), and the 360 header's ownership actions."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.core.registry import TimelineEntry
from guanxi.customers.models import Customer, OwnershipEvent
from guanxi.customers.pools.services import CHANGE_PERMISSION, LOCK_PERMISSION

KIND = "ownership"
LABEL = gettext_lazy("Ownership")


def _title(event: OwnershipEvent) -> str:
    names = {
        "from": str(event.from_user) if event.from_user else _("nobody"),
        "to": str(event.to_user) if event.to_user else _("nobody"),
        "pool": str(event.pool) if event.pool else _("a deleted pool"),
    }
    kinds = OwnershipEvent.Kind
    if event.kind == kinds.CREATE:
        return _("Created, owned by %(to)s") % names
    if event.kind == kinds.ASSIGN:
        return _("Assigned to %(to)s") % names
    if event.kind == kinds.TRANSFER:
        return _("Transferred from %(from)s to %(to)s") % names
    if event.kind == kinds.RELEASE:
        return _("Released by %(from)s to the pool “%(pool)s”") % names
    if event.kind == kinds.CLAIM:
        return _("Claimed by %(to)s from the pool “%(pool)s”") % names
    if event.kind == kinds.RECLAIM:
        return _("Reclaimed from %(from)s to the pool “%(pool)s”") % names
    return str(event.get_kind_display())


def ownership_timeline(
    actor: Any, customer: Customer, kinds: set[str] | None, before: Any, limit: int
) -> list[TimelineEntry]:
    """Up to `limit` ownership events of `customer` older than `before` (an aware datetime, or None), in one query.

    The 360 page has already checked that the actor may see the customer.
    """
    if kinds is not None and KIND not in kinds:
        return []
    qs = OwnershipEvent.objects.filter(customer_id=customer.pk).select_related("actor", "from_user", "to_user", "pool")
    if before is not None:
        qs = qs.filter(at__lt=before)
    return [
        TimelineEntry(
            at=event.at,
            kind=KIND,
            title=_title(event),
            body=event.reason,
            actor=str(event.actor) if event.actor else _("Automatic"),
            key=f"ownership:{event.pk}",
            context={"event": event, "event_kind": event.kind},
        )
        for event in qs.order_by("-at", "-id")[:limit]
    ]


def ownership_actions(request: Any, customer: Customer) -> list[dict[str, Any]]:
    """The 360 header's ownership actions the user may take (the views check everything again)."""
    user = request.user
    actions: list[dict[str, Any]] = []
    if customer.owner_id is None and customer.pool_id is not None:
        actions.append({"label": _("Claim"), "url": reverse("customers:claim", args=[customer.pk]), "hx": True})
    if user.has_perm(CHANGE_PERMISSION):
        if customer.owner_id is not None:
            actions.append(
                {"label": _("Release to pool"), "url": reverse("customers:release", args=[customer.pk]), "hx": True}
            )
        label = _("Transfer") if customer.owner_id is not None else _("Assign")
        actions.append({"label": label, "url": reverse("customers:assign", args=[customer.pk]), "hx": True})
    if user.has_perm(LOCK_PERMISSION) and (customer.owner_id is not None or customer.locked):
        label = _("Unlock") if customer.locked else _("Lock")
        actions.append({"label": label, "url": reverse("customers:lock", args=[customer.pk]), "hx": True})
    return actions
