"""Every read of interactions and follow-ups that a user sees, through the acting user's scope (via the customer).

`Interaction`, `Attachment` and `FollowUp` are registered with `accounts.scoping` with the customer's owner as their
owner and the customer's pool visibility as their extra visibility (see `apps.py`), so `scoping.scope(actor, qs)`
shows exactly the records of the customers the actor may see — owned ones by data scope, pool ones by pool membership.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from guanxi.accounts import scoping
from guanxi.customers.models import Customer
from guanxi.interactions.models import Attachment, FollowUp, Interaction, RevisitPlan


@dataclass
class InteractionFilter:
    """The filters of the interaction list; the page and the API build the same object from their query strings."""

    kind: str = ""
    customer: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    mine: bool = False


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_current_timezone())


def interaction_list(*, actor: Any, filters: InteractionFilter | None = None) -> QuerySet[Interaction]:
    filters = filters or InteractionFilter()
    qs = scoping.scope(actor, Interaction.objects.select_related("customer", "contact", "created_by"))
    if filters.kind in Interaction.Kind.values:
        qs = qs.filter(kind=filters.kind)
    if filters.customer:
        qs = qs.filter(customer_id=filters.customer)
    if filters.date_from:
        qs = qs.filter(occurred_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(occurred_at__lt=_day_start(filters.date_to + dt.timedelta(days=1)))
    if filters.mine:
        joined = Interaction.participants.through.objects.filter(user_id=actor.pk).values("interaction_id")
        qs = qs.filter(Q(created_by=actor) | Q(pk__in=joined))
    return qs.annotate(attachment_count=Count("attachments", distinct=True)).order_by("-occurred_at", "-id")


def interaction_get(*, actor: Any, pk: Any) -> Interaction:
    """One interaction inside the actor's scope, or Http404."""
    return scoping.get_scoped_or_404(
        actor, Interaction.objects.select_related("customer", "contact", "created_by"), pk=pk
    )


def attachment_get(*, actor: Any, pk: Any) -> Attachment:
    return scoping.get_scoped_or_404(actor, Attachment.objects.select_related("interaction"), pk=pk)


def customer_for_actor(*, actor: Any, pk: Any) -> Customer:
    """A customer the actor may see (for forms opened from the 360 page), or Http404."""
    return scoping.get_scoped_or_404(actor, Customer.objects.select_related("owner"), pk=pk)


@dataclass
class FollowUpFilter:
    status: str = FollowUp.Status.OPEN  # "" for every status
    kind: str = ""
    assignee: str = ""  # "", "me" or a user id
    customer: int | None = None
    due_from: dt.date | None = None
    due_to: dt.date | None = None


def follow_up_list(*, actor: Any, filters: FollowUpFilter | None = None) -> QuerySet[FollowUp]:
    filters = filters or FollowUpFilter()
    qs = scoping.scope(actor, FollowUp.objects.select_related("customer", "assignee", "plan"))
    if filters.status in FollowUp.Status.values:
        qs = qs.filter(status=filters.status)
    if filters.kind in FollowUp.Kind.values:
        qs = qs.filter(kind=filters.kind)
    if filters.assignee == "me":
        qs = qs.filter(assignee=actor)
    elif filters.assignee.isdigit():
        qs = qs.filter(assignee_id=int(filters.assignee))
    if filters.customer:
        qs = qs.filter(customer_id=filters.customer)
    if filters.due_from:
        qs = qs.filter(due_at__gte=_day_start(filters.due_from))
    if filters.due_to:
        qs = qs.filter(due_at__lt=_day_start(filters.due_to + dt.timedelta(days=1)))
    return qs.order_by("due_at", "id")


def follow_up_get(*, actor: Any, pk: Any) -> FollowUp:
    return scoping.get_scoped_or_404(actor, FollowUp.objects.select_related("customer", "assignee", "plan"), pk=pk)


def _open_mine(actor: Any) -> QuerySet[FollowUp]:
    return scoping.scope(
        actor, FollowUp.objects.filter(assignee=actor, status=FollowUp.Status.OPEN).select_related("customer")
    ).order_by("due_at", "id")


@dataclass
class MyDay:
    overdue: list[FollowUp]
    today: list[FollowUp]
    upcoming: list[FollowUp]


def my_day(*, actor: Any, now: dt.datetime | None = None, days_ahead: int = 7) -> MyDay:
    """The actor's open tasks: overdue, due later today (their time zone), and the next `days_ahead` days. One query."""
    now = now or timezone.now()
    local_now = timezone.localtime(now)
    end_of_today = dt.datetime.combine(local_now.date() + dt.timedelta(days=1), dt.time(), tzinfo=local_now.tzinfo)
    horizon = end_of_today + dt.timedelta(days=days_ahead)
    rows = list(_open_mine(actor).filter(due_at__lt=horizon))
    return MyDay(
        overdue=[f for f in rows if f.due_at < now],
        today=[f for f in rows if now <= f.due_at < end_of_today],
        upcoming=[f for f in rows if f.due_at >= end_of_today],
    )


def my_overdue_count(*, actor: Any, now: dt.datetime | None = None) -> int:
    return _open_mine(actor).filter(due_at__lt=now or timezone.now()).count()


def customer_open_follow_ups(*, actor: Any, customer: Customer, limit: int = 10) -> list[FollowUp]:
    qs = scoping.scope(
        actor, FollowUp.objects.filter(customer=customer, status=FollowUp.Status.OPEN).select_related("assignee")
    )
    return list(qs.order_by("due_at", "id")[:limit])


def revisit_plan_list(*, actor: Any) -> QuerySet[RevisitPlan]:
    """Plans for everyone who manages them; a plan for one customer only if that customer is in the actor's scope."""
    visible = scoping.scope(actor, Customer.objects.all()).values("pk")
    return (
        RevisitPlan.objects.filter(Q(customer__isnull=True) | Q(customer__in=visible))
        .select_related("customer", "tag")
        .annotate(open_count=Count("follow_ups", filter=Q(follow_ups__status=FollowUp.Status.OPEN)))
        .order_by("name", "id")
    )


def revisit_plan_get(*, actor: Any, pk: Any) -> RevisitPlan:
    plan = revisit_plan_list(actor=actor).filter(pk=pk).first()
    if plan is None:
        raise Http404
    return plan
