"""What interactions adds to shared screens: the 360 timeline, its filter chips, the "Open follow-ups" panel, the
360 header actions and the "Overdue follow-ups" dashboard card (registered in `apps.py`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.accounts import scoping
from guanxi.core.registry import TimelineEntry
from guanxi.interactions import selectors
from guanxi.interactions.models import FollowUp, Interaction

FOLLOW_UP_KIND = "follow_up"
TIMELINE_KINDS: dict[str, Any] = {
    Interaction.Kind.CALL.value: gettext_lazy("Calls"),
    Interaction.Kind.EMAIL.value: gettext_lazy("Emails"),
    Interaction.Kind.MEETING.value: gettext_lazy("Meetings"),
    Interaction.Kind.VISIT.value: gettext_lazy("Visits"),
    Interaction.Kind.CHAT.value: gettext_lazy("Chats"),
    Interaction.Kind.NOTE.value: gettext_lazy("Notes"),
    FOLLOW_UP_KIND: gettext_lazy("Follow-ups"),
}


def _interaction_entry(interaction: Interaction) -> TimelineEntry:
    parts = [interaction.get_kind_display()]
    if interaction.direction != Interaction.Direction.NONE:
        parts.append(interaction.get_direction_display())
    if interaction.channel:
        parts.append(interaction.get_channel_display())
    if interaction.contact is not None:
        parts.append(interaction.contact.name)
    return TimelineEntry(
        at=interaction.occurred_at,
        kind=interaction.kind,
        title=" · ".join(str(p) for p in parts),
        body=interaction.summary,
        actor=str(interaction.created_by) if interaction.created_by else "",
        url=interaction.get_absolute_url(),
        template="interactions/_timeline_interaction.html",
        context={"interaction": interaction},
        key=f"interaction:{interaction.pk}",
    )


def _follow_up_entry(follow_up: FollowUp) -> TimelineEntry:
    if follow_up.kind == FollowUp.Kind.REVISIT:
        title = _("Revisit planned: %(title)s") % {"title": follow_up.title}
    else:
        title = _("Follow-up planned: %(title)s") % {"title": follow_up.title}
    return TimelineEntry(
        at=follow_up.created_at,
        kind=FOLLOW_UP_KIND,
        title=title,
        body=follow_up.notes,
        actor=str(follow_up.created_by) if follow_up.created_by else "",
        url=follow_up.get_absolute_url(),
        template="interactions/_timeline_follow_up.html",
        context={"follow_up": follow_up},
        key=f"follow_up:{follow_up.pk}",
    )


def customer_timeline(
    actor: Any, customer: Any, kinds: set[str] | None, before: Any, limit: int
) -> list[TimelineEntry]:
    """Interactions and planned follow-ups of `customer`, newest first, older than `before`, at most `limit`.

    Two queries at most (one per source), whatever the number of entries.
    """
    entries: list[TimelineEntry] = []
    interaction_kinds = set(Interaction.Kind.values) if kinds is None else set(kinds) & set(Interaction.Kind.values)
    if interaction_kinds and limit > 0:
        qs = scoping.scope(actor, Interaction.objects.filter(customer=customer))
        if kinds is not None:
            qs = qs.filter(kind__in=sorted(interaction_kinds))
        if before is not None:
            qs = qs.filter(occurred_at__lt=before)
        qs = qs.select_related("created_by", "contact").annotate(attachment_count=Count("attachments"))
        entries += [_interaction_entry(i) for i in qs.order_by("-occurred_at", "-id")[:limit]]
    if (kinds is None or FOLLOW_UP_KIND in kinds) and limit > 0:
        tasks = scoping.scope(actor, FollowUp.objects.filter(customer=customer))
        if before is not None:
            tasks = tasks.filter(created_at__lt=before)
        tasks = tasks.select_related("assignee", "created_by")
        entries += [_follow_up_entry(f) for f in tasks.order_by("-created_at", "-id")[:limit]]
    entries.sort(key=lambda e: (e.at, e.key), reverse=True)
    return entries[:limit]


def open_follow_ups_panel(request: Any, customer: Any) -> dict[str, Any] | None:
    if not request.user.has_perm("customers.view"):
        return None
    return {
        "title": _("Open follow-ups"),
        "template": "interactions/_customer_follow_ups.html",
        "context": {
            "customer": customer,
            "follow_ups": selectors.customer_open_follow_ups(actor=request.user, customer=customer),
            "can_change": request.user.has_perm("customers.change"),
        },
        "order": 10,
        "column": "right",
    }


def customer_actions(request: Any, customer: Any) -> list[dict[str, Any]]:
    if not request.user.has_perm("customers.change"):
        return []
    return [
        {"label": _("Log interaction"), "url": reverse("interactions:customer_log", args=[customer.pk]), "hx": True},
        {
            "label": _("Plan follow-up"),
            "url": reverse("interactions:customer_follow_up_create", args=[customer.pk]),
            "hx": True,
        },
    ]


def overdue_card(request: Any) -> dict[str, Any] | None:
    if not request.user.has_perm("customers.view"):
        return None
    return {
        "title": _("Overdue follow-ups"),
        "value": selectors.my_overdue_count(actor=request.user),
        "url": reverse("interactions:my_day"),
    }
