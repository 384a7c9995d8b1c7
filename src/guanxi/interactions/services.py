"""Every write to interactions, follow-ups and revisit plans: validated, atomic, scope-checked and audited.

The customer's follow-up summary (last follow-up time and summary, next planned contact) is kept here:
- logging an interaction calls `customers.services.customer_record_follow_up`, which never lets an older interaction
  logged late overwrite a newer one;
- the next planned contact is the due time of the customer's earliest open follow-up, recomputed in the same
  transaction whenever a task is created, moved, completed or cancelled. The customer row is locked first
  (SELECT … FOR UPDATE), so two people working on one customer at once cannot leave a stale value behind.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from guanxi.accounts import scoping
from guanxi.accounts.models import User
from guanxi.accounts.services import notify
from guanxi.audit.models import AuditEntry
from guanxi.audit.services import audit_record, diff, snapshot
from guanxi.customers.models import Contact, Customer, LifecycleStage, Tag
from guanxi.customers.services import customer_record_follow_up
from guanxi.interactions.files import MAX_FILES, CheckedFile, check_upload
from guanxi.interactions.models import Attachment, FollowUp, Interaction, RevisitPlan

logger = logging.getLogger("guanxi.interactions")

WRITE_PERMISSION = "customers.change"
PLAN_PERMISSION = "interactions.manage_plans"
INTERACTION_FIELDS = [
    "customer",
    "contact",
    "kind",
    "channel",
    "direction",
    "occurred_at",
    "duration_minutes",
    "summary",
    "outcome",
    "next_step",
]
FOLLOW_UP_FIELDS = ["customer", "assignee", "due_at", "title", "notes", "kind", "status", "outcome", "satisfaction"]
PLAN_FIELDS = [
    "name",
    "active",
    "trigger",
    "interval_days",
    "customer",
    "value_tier",
    "lifecycle_stage",
    "tag",
    "title",
]
# Logging something that has not happened yet is a follow-up, not an interaction; allow for clocks a little off.
FUTURE_TOLERANCE = dt.timedelta(minutes=10)
MAX_DURATION = 24 * 60
# A revisit created by a plan is due at this hour (site time) on its day.
REVISIT_DUE_HOUR = 18
REMIND_WITHIN = dt.timedelta(hours=1)
# Only tasks that became overdue recently get the overdue reminder (older ones are on "my day" already).
OVERDUE_REMINDER_WINDOW = dt.timedelta(days=1)


# --- inputs -----------------------------------------------------------------------------------------------------------
@dataclass
class InteractionInput:
    customer: Customer | None = None  # only read on create
    kind: str = Interaction.Kind.CALL
    channel: str = ""
    direction: str = Interaction.Direction.NONE
    occurred_at: dt.datetime | None = None  # now when left out
    duration_minutes: int | None = None
    summary: str = ""
    outcome: str = ""
    next_step: str = ""
    contact: Contact | None = None
    participants: Sequence[User] = field(default_factory=list)
    # "Next follow-up" offered at once on the logging form: a task for the actor, created in the same transaction.
    next_follow_up_at: dt.datetime | None = None
    next_follow_up_title: str = ""


@dataclass
class FollowUpInput:
    customer: Customer | None = None  # only read on create
    due_at: dt.datetime | None = None
    title: str = ""
    notes: str = ""
    kind: str = FollowUp.Kind.FOLLOW_UP
    assignee: User | None = None  # the customer's owner (or the actor for a pool customer) when left out


@dataclass
class CompletionInput:
    outcome: str = ""
    satisfaction: int | None = None
    satisfaction_note: str = ""
    occurred_at: dt.datetime | None = None


@dataclass
class RevisitPlanInput:
    name: str = ""
    interval_days: int | None = None
    trigger: str = RevisitPlan.Trigger.INTERVAL
    customer: Customer | None = None
    value_tier: str = ""
    lifecycle_stage: str = ""
    tag: Tag | None = None
    title: str = ""
    active: bool = True


# --- helpers ----------------------------------------------------------------------------------------------------------
class _Errors:
    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.by_field.setdefault(name, []).append(message)

    def merge(self, exc: ValidationError) -> None:
        for name, messages in exc.message_dict.items():
            for message in messages:
                self.add(name, message)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def _require(actor: Any, permission: str) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm(permission):
        raise PermissionDenied


def _lock_customer(actor: Any, customer: Customer | None) -> Customer:
    """The customer, locked, if the actor may see it (else Http404 — an id outside the scope does not exist)."""
    if customer is None:
        raise ValidationError({"customer": _("Choose a customer.")})
    return scoping.get_scoped_or_404(actor, Customer.objects.select_for_update(), pk=customer.pk)


def _text(value: str | None) -> str:
    return (value or "").strip()


def _one_line(value: str, limit: int = 255) -> str:
    line = " ".join((value or "").split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def next_open_due(customer_id: int) -> dt.datetime | None:
    return (
        FollowUp.objects.filter(customer_id=customer_id, status=FollowUp.Status.OPEN)
        .order_by("due_at")
        .values_list("due_at", flat=True)
        .first()
    )


def _sync_customer(customer: Customer, interaction: Interaction | None = None) -> None:
    """Keep the customer's follow-up summary current (the customer row is locked by the caller)."""
    next_due = next_open_due(customer.pk)
    if interaction is not None:
        customer_record_follow_up(
            customer=customer,
            at=interaction.occurred_at,
            summary=_one_line(interaction.summary),
            next_contact_at=next_due,
            clear_next=next_due is None,
        )
    elif customer.next_contact_at != next_due:
        # The next planned contact is kept by these services (see the Customer model); one UPDATE of that field.
        Customer.objects.filter(pk=customer.pk).update(next_contact_at=next_due)


def _refresh_next_contacts(customer_ids: Iterable[int]) -> None:
    """The bulk form of the above, for the revisit job: one UPDATE per batch of customers."""
    ids = list(customer_ids)
    if not ids:
        return
    earliest = (
        FollowUp.objects.filter(customer=OuterRef("pk"), status=FollowUp.Status.OPEN)
        .order_by("due_at")
        .values("due_at")[:1]
    )
    Customer.objects.filter(pk__in=ids).update(next_contact_at=Subquery(earliest))


# --- interactions -----------------------------------------------------------------------------------------------------
def _clean_interaction(data: InteractionInput, customer: Customer, errors: _Errors) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if data.kind not in Interaction.Kind.values:
        errors.add("kind", _("Choose the type: call, email, meeting, visit, chat or note."))
    cleaned["kind"] = data.kind
    if data.channel and data.channel not in Interaction.Channel.values:
        errors.add("channel", _("Choose a channel from the list."))
    cleaned["channel"] = data.channel or ""
    if data.direction not in Interaction.Direction.values:
        errors.add("direction", _("Choose inbound, outbound or not applicable."))
    cleaned["direction"] = data.direction
    occurred_at = data.occurred_at or timezone.now()
    if timezone.is_naive(occurred_at):
        occurred_at = timezone.make_aware(occurred_at)
    if occurred_at > timezone.now() + FUTURE_TOLERANCE:
        errors.add("occurred_at", _("This time is in the future. To plan a contact, add a follow-up instead."))
    cleaned["occurred_at"] = occurred_at
    if data.duration_minutes is not None and not 0 <= data.duration_minutes <= MAX_DURATION:
        errors.add("duration_minutes", _("Enter a duration between 0 and 1,440 minutes (one day)."))
    cleaned["duration_minutes"] = data.duration_minutes
    summary = _text(data.summary)
    if not summary:
        errors.add("summary", _("Write what was discussed."))
    elif len(summary) > 10000:
        errors.add("summary", _("The summary is too long (at most 10,000 characters)."))
    cleaned["summary"] = summary
    for name in ("outcome", "next_step"):
        value = _text(getattr(data, name))
        if len(value) > 255:
            errors.add(name, _("Keep this under 255 characters."))
        cleaned[name] = value
    if data.contact is not None and data.contact.customer_id != customer.pk:
        errors.add("contact", _("This contact belongs to another customer."))
    cleaned["contact"] = data.contact
    inactive = [str(u) for u in data.participants if not u.is_active]
    if inactive:
        errors.add("participants", _("Deactivated users cannot take part: %(names)s.") % {"names": ", ".join(inactive)})
    if data.next_follow_up_at is not None and data.next_follow_up_at < timezone.now() - FUTURE_TOLERANCE:
        errors.add("next_follow_up_at", _("The next follow-up should be in the future."))
    if len(_text(data.next_follow_up_title)) > 200:
        errors.add("next_follow_up_title", _("Keep the title under 200 characters."))
    return cleaned


def _check_files(files: Sequence[Any], errors: _Errors, existing: int = 0) -> list[CheckedFile]:
    checked: list[CheckedFile] = []
    if len(files) + existing > MAX_FILES:
        errors.add("attachments", _("Attach at most %(n)d files to one interaction.") % {"n": MAX_FILES})
        return checked
    for upload in files:
        try:
            checked.append(check_upload(upload))
        except ValidationError as exc:
            errors.merge(exc)
    return checked


def _save_files(actor: Any, interaction: Interaction, files: list[CheckedFile]) -> list[Attachment]:
    saved = []
    for checked in files:
        attachment = Attachment(
            interaction=interaction,
            original_name=checked.name,
            size=checked.size,
            content_type=checked.content_type,
            uploaded_by=actor,
        )
        attachment.file.save(checked.name, checked.file, save=False)
        stored = attachment.file.name or ""
        try:
            attachment.save()
        except Exception:
            attachment.file.storage.delete(stored)
            raise
        saved.append(attachment)
    return saved


@transaction.atomic
def interaction_create(*, actor: User, data: InteractionInput, files: Sequence[Any] = ()) -> Interaction:
    _require(actor, WRITE_PERMISSION)
    errors = _Errors()
    customer = _lock_customer(actor, data.customer)
    cleaned = _clean_interaction(data, customer, errors)
    checked = _check_files(files, errors)
    errors.raise_if_any()
    interaction = Interaction(customer=customer, created_by=actor, **cleaned)
    interaction.full_clean()
    interaction.save()
    interaction.participants.set(data.participants)
    _save_files(actor, interaction, checked)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=interaction,
        changes=diff({}, snapshot(interaction, INTERACTION_FIELDS)),
        detail=_("%(n)d attachments") % {"n": len(checked)} if checked else "",
    )
    if data.next_follow_up_at is not None:
        _follow_up_insert(
            actor=actor,
            customer=customer,
            data=FollowUpInput(
                due_at=data.next_follow_up_at,
                title=_text(data.next_follow_up_title) or cleaned["next_step"] or _("Follow up"),
                assignee=actor,
            ),
        )
    _sync_customer(customer, interaction)
    return interaction


@transaction.atomic
def interaction_update(
    *, actor: User, interaction: Interaction, data: InteractionInput, files: Sequence[Any] = ()
) -> Interaction:
    _require(actor, WRITE_PERMISSION)
    interaction = scoping.get_scoped_or_404(actor, Interaction.objects.select_for_update(), pk=interaction.pk)
    customer = _lock_customer(actor, interaction.customer)
    before = snapshot(interaction, INTERACTION_FIELDS)
    errors = _Errors()
    cleaned = _clean_interaction(data, customer, errors)
    checked = _check_files(files, errors, existing=interaction.attachments.count())
    errors.raise_if_any()
    for name, value in cleaned.items():
        setattr(interaction, name, value)
    interaction.full_clean()
    interaction.save()
    interaction.participants.set(data.participants)
    _save_files(actor, interaction, checked)
    changes = diff(before, snapshot(interaction, INTERACTION_FIELDS))
    if changes or checked:
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=interaction, changes=changes)
    _sync_customer(customer, interaction)
    return interaction


# --- follow-ups -------------------------------------------------------------------------------------------------------
def _clean_follow_up(actor: Any, data: FollowUpInput, customer: Customer, errors: _Errors) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    title = _one_line(data.title, 1000)
    if not title:
        errors.add("title", _("Say what should be done, e.g. “Call about the quote”."))
    elif len(title) > 200:
        errors.add("title", _("Keep the title under 200 characters."))
    cleaned["title"] = title
    cleaned["notes"] = _text(data.notes)
    if data.due_at is None:
        errors.add("due_at", _("Choose when this is due."))
    cleaned["due_at"] = data.due_at
    if data.kind not in FollowUp.Kind.values:
        errors.add("kind", _("Choose follow-up or revisit."))
    cleaned["kind"] = data.kind
    assignee = data.assignee or customer.owner or actor
    if not assignee.is_active:
        errors.add("assignee", _("%(user)s is deactivated.") % {"user": assignee})
    elif assignee.pk != actor.pk and not scoping.is_in_scope(assignee, customer):
        errors.add(
            "assignee",
            _("%(user)s cannot see this customer; choose someone whose data scope includes it.") % {"user": assignee},
        )
    cleaned["assignee"] = assignee
    return cleaned


def _follow_up_insert(
    *, actor: Any, customer: Customer, data: FollowUpInput, plan: RevisitPlan | None = None
) -> FollowUp:
    errors = _Errors()
    cleaned = _clean_follow_up(actor, data, customer, errors)
    errors.raise_if_any()
    follow_up = FollowUp(customer=customer, created_by=actor, plan=plan, **cleaned)
    follow_up.full_clean()
    follow_up.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=follow_up,
        changes=diff({}, snapshot(follow_up, FOLLOW_UP_FIELDS)),
    )
    return follow_up


@transaction.atomic
def follow_up_create(*, actor: User, data: FollowUpInput) -> FollowUp:
    _require(actor, WRITE_PERMISSION)
    customer = _lock_customer(actor, data.customer)
    follow_up = _follow_up_insert(actor=actor, customer=customer, data=data)
    _sync_customer(customer)
    return follow_up


def _lock_follow_up(actor: Any, follow_up: FollowUp) -> tuple[FollowUp, Customer]:
    follow_up = scoping.get_scoped_or_404(actor, FollowUp.objects.select_for_update(), pk=follow_up.pk)
    # Always the task, then its customer: the same order in every service that locks both (no deadlock).
    customer = _lock_customer(actor, follow_up.customer)
    return follow_up, customer


def _not_open(follow_up: FollowUp) -> ValidationError:
    return ValidationError(
        {"status": _("This task is already %(status)s.") % {"status": follow_up.get_status_display().lower()}}
    )


@transaction.atomic
def follow_up_update(*, actor: User, follow_up: FollowUp, data: FollowUpInput) -> FollowUp:
    _require(actor, WRITE_PERMISSION)
    follow_up, customer = _lock_follow_up(actor, follow_up)
    if follow_up.status != FollowUp.Status.OPEN:
        raise _not_open(follow_up)
    before = snapshot(follow_up, FOLLOW_UP_FIELDS)
    errors = _Errors()
    cleaned = _clean_follow_up(actor, data, customer, errors)
    errors.raise_if_any()
    for name, value in cleaned.items():
        setattr(follow_up, name, value)
    if follow_up.due_at != before["due_at"]:
        follow_up.reminded_due_at = follow_up.reminded_overdue_at = None  # a moved task is reminded again
    follow_up.full_clean()
    follow_up.save()
    changes = diff(before, snapshot(follow_up, FOLLOW_UP_FIELDS))
    if changes:
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=follow_up, changes=changes)
    _sync_customer(customer)
    return follow_up


@transaction.atomic
def follow_up_complete(*, actor: User, follow_up: FollowUp, data: CompletionInput | None = None) -> FollowUp:
    """Mark a task done; the completion is logged as a note on the customer's timeline and updates its summary."""
    _require(actor, WRITE_PERMISSION)
    data = data or CompletionInput()
    follow_up, customer = _lock_follow_up(actor, follow_up)
    if follow_up.status != FollowUp.Status.OPEN:
        raise _not_open(follow_up)
    errors = _Errors()
    outcome = _text(data.outcome)
    if len(outcome) > 255:
        errors.add("outcome", _("Keep the outcome under 255 characters."))
    if data.satisfaction is not None:
        if follow_up.kind != FollowUp.Kind.REVISIT:
            errors.add("satisfaction", _("Satisfaction is recorded for revisits only."))
        elif not 1 <= data.satisfaction <= 5:
            errors.add("satisfaction", _("Rate satisfaction from 1 (very unhappy) to 5 (very happy)."))
    note = _text(data.satisfaction_note)
    if len(note) > 255:
        errors.add("satisfaction_note", _("Keep the note under 255 characters."))
    at = data.occurred_at or timezone.now()
    if at > timezone.now() + FUTURE_TOLERANCE:
        errors.add("occurred_at", _("This time is in the future."))
    errors.raise_if_any()
    before = snapshot(follow_up, FOLLOW_UP_FIELDS)
    # The conditional UPDATE is the guard: of two people completing one task at once, exactly one succeeds.
    done = FollowUp.objects.filter(pk=follow_up.pk, status=FollowUp.Status.OPEN).update(
        status=FollowUp.Status.DONE,
        completed_at=at,
        completed_by=actor,
        outcome=outcome,
        satisfaction=data.satisfaction,
        satisfaction_note=note,
        updated_at=timezone.now(),
    )
    if not done:
        follow_up.refresh_from_db()
        raise _not_open(follow_up)
    follow_up.refresh_from_db()
    lines = [follow_up.title]
    if outcome:
        lines.append(outcome)
    if data.satisfaction is not None:
        lines.append(_("Satisfaction: %(n)d/5") % {"n": data.satisfaction} + (f" — {note}" if note else ""))
    interaction = Interaction(
        customer=customer,
        kind=Interaction.Kind.NOTE,
        occurred_at=at,
        summary="\n".join(lines),
        outcome=outcome,
        created_by=actor,
    )
    interaction.full_clean()
    interaction.save()
    FollowUp.objects.filter(pk=follow_up.pk).update(interaction=interaction)
    follow_up.interaction = interaction
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=follow_up,
        changes=diff(before, snapshot(follow_up, FOLLOW_UP_FIELDS)),
        detail="complete",
    )
    _sync_customer(customer, interaction)
    return follow_up


@transaction.atomic
def follow_up_cancel(*, actor: User, follow_up: FollowUp) -> FollowUp:
    _require(actor, WRITE_PERMISSION)
    follow_up, customer = _lock_follow_up(actor, follow_up)
    updated = FollowUp.objects.filter(pk=follow_up.pk, status=FollowUp.Status.OPEN).update(
        status=FollowUp.Status.CANCELLED, completed_at=timezone.now(), completed_by=actor, updated_at=timezone.now()
    )
    if not updated:
        raise _not_open(follow_up)
    follow_up.refresh_from_db()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=follow_up,
        changes={"status": [FollowUp.Status.OPEN, FollowUp.Status.CANCELLED]},
        detail="cancel",
    )
    _sync_customer(customer)
    return follow_up


# --- revisit plans ----------------------------------------------------------------------------------------------------
def _clean_plan(actor: Any, data: RevisitPlanInput, errors: _Errors) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    name = _one_line(data.name, 1000)
    if not name:
        errors.add("name", _("Give the plan a name, e.g. “Key customers every 30 days”."))
    elif len(name) > 100:
        errors.add("name", _("Keep the name under 100 characters."))
    cleaned["name"] = name
    if data.interval_days is None or not 1 <= data.interval_days <= 3650:
        errors.add("interval_days", _("Enter a number of days between 1 and 3,650."))
    cleaned["interval_days"] = data.interval_days
    if data.trigger not in RevisitPlan.Trigger.values:
        errors.add("trigger", _("Choose when revisits fall due."))
    cleaned["trigger"] = data.trigger
    if data.lifecycle_stage and data.lifecycle_stage not in LifecycleStage.values:
        errors.add("lifecycle_stage", _("Choose a lifecycle stage from the list."))
    cleaned["lifecycle_stage"] = data.lifecycle_stage or ""
    cleaned["value_tier"] = _text(data.value_tier)[:20]
    cleaned["tag"] = data.tag
    if data.customer is not None and not scoping.is_in_scope(actor, data.customer):
        errors.add("customer", _("Choose a customer you can see."))
    cleaned["customer"] = data.customer
    if data.customer is None and not (cleaned["value_tier"] or cleaned["lifecycle_stage"] or data.tag):
        errors.add(
            "__all__",
            _(
                "Choose a customer, or at least one of value tier, lifecycle stage and tag, "
                "so the plan does not cover everyone."
            ),
        )
    title = _one_line(data.title, 1000)
    if len(title) > 200:
        errors.add("title", _("Keep the title under 200 characters."))
    cleaned["title"] = title
    cleaned["active"] = bool(data.active)
    return cleaned


@transaction.atomic
def revisit_plan_create(*, actor: User, data: RevisitPlanInput) -> RevisitPlan:
    _require(actor, PLAN_PERMISSION)
    errors = _Errors()
    cleaned = _clean_plan(actor, data, errors)
    errors.raise_if_any()
    plan = RevisitPlan(created_by=actor, **cleaned)
    plan.full_clean()
    plan.save()
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=plan, changes=diff({}, snapshot(plan, PLAN_FIELDS)))
    return plan


@transaction.atomic
def revisit_plan_update(*, actor: User, plan: RevisitPlan, data: RevisitPlanInput) -> RevisitPlan:
    _require(actor, PLAN_PERMISSION)
    plan = RevisitPlan.objects.select_for_update().get(pk=plan.pk)
    before = snapshot(plan, PLAN_FIELDS)
    errors = _Errors()
    cleaned = _clean_plan(actor, data, errors)
    errors.raise_if_any()
    for name, value in cleaned.items():
        setattr(plan, name, value)
    plan.full_clean()
    plan.save()
    changes = diff(before, snapshot(plan, PLAN_FIELDS))
    if changes:
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=plan, changes=changes)
    return plan


def plan_customers(plan: RevisitPlan) -> QuerySet[Customer]:
    """The customers a plan covers: owned (the owner gets the task) by an active user, matching its criteria."""
    qs = Customer.objects.filter(owner__isnull=False, owner__is_active=True)
    if plan.customer_id:
        return qs.filter(pk=plan.customer_id)
    if plan.value_tier:
        qs = qs.filter(value_tier=plan.value_tier)
    if plan.lifecycle_stage:
        qs = qs.filter(lifecycle_stage=plan.lifecycle_stage)
    if plan.tag_id:
        qs = qs.filter(tags=plan.tag_id)
    return qs


def _revisit_due(anchor: dt.datetime, days: int, now: dt.datetime) -> dt.datetime:
    """`days` after `anchor`, at REVISIT_DUE_HOUR site time on that day (today at the earliest)."""
    tz = timezone.get_default_timezone()
    day = max(timezone.localtime(anchor + dt.timedelta(days=days), tz).date(), timezone.localtime(now, tz).date())
    return dt.datetime.combine(day, dt.time(REVISIT_DUE_HOUR), tzinfo=tz)


def _insert_revisits(rows: list[FollowUp]) -> int:
    """Insert revisit tasks; a row whose (plan, customer) already has an open task is skipped by the database.

    The partial unique index `followup_one_open_per_plan` makes this safe when the job runs twice at once:
    INSERT … ON CONFLICT DO NOTHING (PostgreSQL) / INSERT OR IGNORE (SQLite).
    """
    if not rows:
        return 0
    keys = [(row.plan_id, row.customer_id) for row in rows]
    before = FollowUp.objects.filter(
        status=FollowUp.Status.OPEN, plan_id__in={k[0] for k in keys}, customer_id__in={k[1] for k in keys}
    ).count()
    FollowUp.objects.bulk_create(rows, ignore_conflicts=True)
    after = FollowUp.objects.filter(
        status=FollowUp.Status.OPEN, plan_id__in={k[0] for k in keys}, customer_id__in={k[1] for k in keys}
    ).count()
    return after - before


@transaction.atomic
def revisit_plan_run(*, plan: RevisitPlan, now: dt.datetime | None = None, batch_size: int = 1000) -> int:
    """Create the plan's next revisit for every covered customer whose revisit falls due by the end of today.

    Never twice: customers with an open task of this plan are skipped, and the unique index stops a concurrent run.
    """
    now = now or timezone.now()
    if not plan.active or plan.trigger != RevisitPlan.Trigger.INTERVAL:
        return 0
    tz = timezone.get_default_timezone()
    end_of_today = dt.datetime.combine(timezone.localtime(now, tz).date() + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    mine = FollowUp.objects.filter(plan=plan, customer=OuterRef("pk"))
    candidates = (
        plan_customers(plan)
        .annotate(
            has_open=Exists(mine.filter(status=FollowUp.Status.OPEN)),
            last_done=Subquery(
                mine.filter(status=FollowUp.Status.DONE)
                .values("customer")
                .annotate(m=Max("completed_at"))
                .values("m")[:1]
            ),
            last_cancelled=Subquery(
                mine.filter(status=FollowUp.Status.CANCELLED)
                .values("customer")
                .annotate(m=Max("due_at"))
                .values("m")[:1]
            ),
        )
        .filter(has_open=False)
        .values_list("pk", "owner_id", "last_done", "last_cancelled")
        .order_by("pk")
    )
    title = plan.title or plan.name
    created = 0
    batch: list[FollowUp] = []
    touched: list[int] = []
    for customer_id, owner_id, last_done, last_cancelled in candidates.iterator(chunk_size=batch_size):
        anchor = max(a for a in (plan.starts_at, last_done, last_cancelled) if a is not None)
        due = anchor + dt.timedelta(days=plan.interval_days)
        if due >= end_of_today:
            continue
        batch.append(
            FollowUp(
                customer_id=customer_id,
                assignee_id=owner_id,
                due_at=_revisit_due(anchor, plan.interval_days, now),
                title=title,
                kind=FollowUp.Kind.REVISIT,
                plan=plan,
            )
        )
        touched.append(customer_id)
        if len(batch) >= batch_size:
            created += _insert_revisits(batch)
            _refresh_next_contacts(touched)
            batch, touched = [], []
    created += _insert_revisits(batch)
    _refresh_next_contacts(touched)
    if created:
        audit_record(
            actor=None,
            action=AuditEntry.Action.UPDATE,
            obj=plan,
            detail=f"revisits created: {created}",
        )
    return created


def revisit_plans_run(*, now: dt.datetime | None = None) -> int:
    """The daily job: every active interval plan, each in its own transaction."""
    return sum(
        revisit_plan_run(plan=plan, now=now)
        for plan in RevisitPlan.objects.filter(active=True, trigger=RevisitPlan.Trigger.INTERVAL)
    )


@transaction.atomic
def revisit_schedule_after(*, plan: RevisitPlan, customer: Customer, after: dt.datetime) -> FollowUp | None:
    """The hook for "N days after an order": the sales app calls this when an order completes, for each active plan
    with the `after_order` trigger that covers the customer. Creates the revisit due `interval_days` after `after`,
    unless the plan already has an open task for the customer (then returns None)."""
    if not plan.active or customer.owner_id is None:
        return None
    if not plan_customers(plan).filter(pk=customer.pk).exists():
        return None
    row = FollowUp(
        customer=customer,
        assignee_id=customer.owner_id,
        due_at=_revisit_due(after, plan.interval_days, after),
        title=plan.title or plan.name,
        kind=FollowUp.Kind.REVISIT,
        plan=plan,
    )
    if not _insert_revisits([row]):
        return None
    _refresh_next_contacts([customer.pk])
    return FollowUp.objects.get(plan=plan, customer=customer, status=FollowUp.Status.OPEN)


# --- reminders --------------------------------------------------------------------------------------------------------
def _claim(follow_up_id: int, field_name: str, now: dt.datetime) -> bool:
    """Mark one reminder as sent, if nobody did yet: a conditional UPDATE, so each goes out once."""
    return bool(
        FollowUp.objects.filter(pk=follow_up_id, status=FollowUp.Status.OPEN, **{f"{field_name}__isnull": True}).update(
            **{field_name: now}
        )
    )


def _remind(follow_up: FollowUp, *, overdue: bool) -> None:
    user = follow_up.assignee
    url = reverse("interactions:my_day")
    try:
        zone = ZoneInfo(user.timezone or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo(settings.TIME_ZONE)
    with translation.override(user.language or settings.LANGUAGE_CODE), timezone.override(zone):
        due = timezone.localtime(follow_up.due_at).strftime("%Y-%m-%d %H:%M")
        if overdue:
            title = _("Overdue: %(title)s") % {"title": follow_up.title}
        else:
            title = _("Due within the hour: %(title)s") % {"title": follow_up.title}
        body = _("%(kind)s for %(customer)s, due %(due)s.") % {
            "kind": follow_up.get_kind_display(),
            "customer": follow_up.customer.name,
            "due": due,
        }
    notify(user=user, title=title, body=body, url=url, kind="follow_up_overdue" if overdue else "follow_up_due")
    if user.email:
        site = getattr(settings, "SITE_URL", "").rstrip("/")

        def send() -> None:
            try:
                send_mail(title, f"{body}\n\n{site}{url}", None, [user.email])
            except Exception:  # a mail server that is down must not stop the other reminders
                logger.exception("Reminder email to %s failed", user.pk)

        transaction.on_commit(send)


def follow_ups_send_reminders(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Remind assignees of tasks due within the next hour and of tasks that have just become overdue; once each."""
    now = now or timezone.now()
    sent = {"due": 0, "overdue": 0}
    open_tasks = FollowUp.objects.filter(status=FollowUp.Status.OPEN).select_related("assignee", "customer")
    due_soon = open_tasks.filter(due_at__gt=now, due_at__lte=now + REMIND_WITHIN, reminded_due_at__isnull=True)
    overdue = open_tasks.filter(
        due_at__lte=now, due_at__gt=now - OVERDUE_REMINDER_WINDOW, reminded_overdue_at__isnull=True
    )
    for key, tasks, field_name in (
        ("due", due_soon, "reminded_due_at"),
        ("overdue", overdue, "reminded_overdue_at"),
    ):
        for follow_up in tasks.order_by("due_at", "id"):
            if not follow_up.assignee.is_active:
                continue
            with transaction.atomic():
                if _claim(follow_up.pk, field_name, now):
                    _remind(follow_up, overdue=key == "overdue")
                    sent[key] += 1
    return sent
