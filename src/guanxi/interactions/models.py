"""Interactions (跟进记录), their attachments, follow-up tasks (跟进任务 / 回访) and recurring revisit plans.

Every record hangs off a customer and is scoped through the customer's owner (see `apps.py`): whoever may see the
customer sees its interactions and tasks; nobody else does.
"""

from __future__ import annotations

import secrets
from pathlib import PurePath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.core.models import TimeStampedModel


class InteractionKind(models.TextChoices):
    CALL = "call", _("Call")
    EMAIL = "email", _("Email")
    MEETING = "meeting", _("Meeting")
    VISIT = "visit", _("Visit")
    CHAT = "chat", _("Chat")
    NOTE = "note", _("Note")


class InteractionChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    WECHAT = "wechat", _("WeChat")
    EMAIL = "email", _("Email")
    IN_PERSON = "in_person", _("In person")
    VIDEO = "video", _("Video call")
    SMS = "sms", _("SMS")
    OTHER = "other", _("Other")


class InteractionDirection(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")
    NONE = "none", _("Not applicable")


class Interaction(TimeStampedModel):
    """A logged contact with a customer: a call, an email, a meeting, a visit, a chat or a note."""

    Kind = InteractionKind
    Channel = InteractionChannel
    Direction = InteractionDirection

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="interactions"
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interactions",
    )
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.CALL)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, blank=True, default="")
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, default=Direction.NONE)
    occurred_at = models.DateTimeField(_("when"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("participants"), blank=True, related_name="interactions_joined"
    )
    summary = models.TextField(_("summary"))
    outcome = models.CharField(_("outcome"), max_length=255, blank=True, default="")
    next_step = models.CharField(_("next step"), max_length=255, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interactions_logged",
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        indexes = [
            models.Index(fields=["customer", "-occurred_at", "-id"], name="interaction_customer_idx"),
            models.Index(fields=["created_by", "-occurred_at", "-id"], name="interaction_author_idx"),
            models.Index(fields=["-occurred_at", "-id"], name="interaction_occurred_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.occurred_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("interactions:detail", args=[self.pk])


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    """MEDIA_ROOT/interactions/<year>/<month>/<random>.<ext>: the stored name never comes from the uploader."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"interactions/{timezone.now():%Y/%m}/{secrets.token_urlsafe(18)}{suffix}"


class Attachment(TimeStampedModel):
    interaction = models.ForeignKey(
        Interaction, verbose_name=_("interaction"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("interactions:attachment_download", args=[self.pk])


class RevisitPlan(TimeStampedModel):
    """Recurring revisits (回访): every `interval_days` days for the customers it matches, assigned to their owner.

    A plan matches one customer, or every customer with the given value tier, lifecycle stage and tag (empty = any).
    The first revisit falls `interval_days` after the plan starts; each next one `interval_days` after the previous
    one was done (or, if it was cancelled, after its due time).
    """

    class Trigger(models.TextChoices):
        INTERVAL = "interval", _("Every N days")
        # Created by the sales app through `services.revisit_schedule_after` once orders exist; the daily job skips it.
        AFTER_ORDER = "after_order", _("N days after an order")

    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)
    trigger = models.CharField(_("when"), max_length=20, choices=Trigger.choices, default=Trigger.INTERVAL)
    interval_days = models.PositiveIntegerField(
        _("every (days)"), validators=[MinValueValidator(1), MaxValueValidator(3650)]
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="revisit_plans",
        help_text=_("Only this customer; leave empty to match customers by tier, stage and tag."),
    )
    value_tier = models.CharField(_("value tier"), max_length=20, blank=True, default="")
    lifecycle_stage = models.CharField(_("lifecycle stage"), max_length=20, blank=True, default="")
    tag = models.ForeignKey(
        "customers.Tag", verbose_name=_("tag"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("task title"), max_length=200, default="", blank=True)
    starts_at = models.DateTimeField(_("starts"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("revisit plan")
        verbose_name_plural = _("revisit plans")

    def __str__(self) -> str:
        return self.name


class FollowUpKind(models.TextChoices):
    FOLLOW_UP = "follow_up", _("Follow-up")
    REVISIT = "revisit", _("Revisit")


class FollowUpStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("task status", "Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class FollowUp(TimeStampedModel):
    """A planned contact: a pre-sale follow-up (跟进任务) or a post-sale revisit (回访)."""

    Kind = FollowUpKind
    Status = FollowUpStatus

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assignee"), on_delete=models.PROTECT, related_name="follow_ups"
    )
    due_at = models.DateTimeField(_("due"))
    title = models.CharField(_("title"), max_length=200)
    notes = models.TextField(_("notes"), blank=True, default="")
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.FOLLOW_UP)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("completed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    outcome = models.CharField(_("outcome"), max_length=255, blank=True, default="")
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (1–5)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    satisfaction_note = models.CharField(_("satisfaction note"), max_length=255, blank=True, default="")
    plan = models.ForeignKey(
        RevisitPlan,
        verbose_name=_("revisit plan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
    )
    interaction = models.OneToOneField(
        Interaction,
        verbose_name=_("interaction"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="completed_follow_up",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # When each reminder went out (each goes out once per task; set by a conditional UPDATE, so never twice).
    reminded_due_at = models.DateTimeField(_("due-soon reminder sent"), null=True, blank=True, editable=False)
    reminded_overdue_at = models.DateTimeField(_("overdue reminder sent"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [
            models.Index(fields=["assignee", "status", "due_at"], name="followup_assignee_idx"),
            models.Index(fields=["customer", "status", "due_at"], name="followup_customer_idx"),
            models.Index(fields=["status", "due_at"], name="followup_status_due_idx"),
            models.Index(fields=["plan", "customer", "-due_at"], name="followup_plan_idx"),
        ]
        constraints = [
            # A revisit plan never has two open tasks for one customer: the daily job may run twice, or on two workers.
            models.UniqueConstraint(
                fields=["plan", "customer"],
                condition=Q(status="open", plan__isnull=False),
                name="followup_one_open_per_plan",
            ),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True) | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="followup_satisfaction_1_5",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("interactions:follow_up_edit", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_at < timezone.now()
