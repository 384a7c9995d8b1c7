"""Organisation: users, departments (a tree), teams and roles with permissions and data scopes."""

from __future__ import annotations

import hashlib
import secrets
from zoneinfo import available_timezones

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import TimeStampedModel


class DataScope(models.TextChoices):
    OWN = "own", _("Own records")
    TEAM = "team", _("Team's records")
    DEPARTMENT = "department", _("Department and below")
    ALL = "all", _("All records")


SCOPE_RANK = {DataScope.OWN: 1, DataScope.TEAM: 2, DataScope.DEPARTMENT: 3, DataScope.ALL: 4}

TIMEZONE_CHOICES = sorted((tz, tz) for tz in available_timezones() if "/" in tz and not tz.startswith("Etc/"))


class Department(TimeStampedModel):
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path of primary keys ("/1/4/9/"): "department and below" is one indexed prefix match.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["path"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="department_unique_name_per_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:department_edit", args=[self.pk])


class Team(TimeStampedModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True, on_delete=models.PROTECT, related_name="teams"
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True, related_name="teams"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:team_edit", args=[self.pk])


class Role(TimeStampedModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    permissions = models.JSONField(_("permissions"), default=list, blank=True)
    # {domain: scope}; a domain not listed falls back to "own".
    data_scopes = models.JSONField(_("data scopes"), default=dict, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:role_edit", args=[self.pk])

    def clean(self) -> None:
        from guanxi.accounts.permissions import DOMAINS, PERMISSIONS

        unknown = [p for p in self.permissions if p not in PERMISSIONS]
        if unknown:
            raise ValidationError({"permissions": _("Unknown permissions: %(codes)s") % {"codes": ", ".join(unknown)}})
        errors = []
        for domain, scope in self.data_scopes.items():
            if domain not in DOMAINS:
                errors.append(_("Unknown domain: %(domain)s") % {"domain": domain})
            elif scope not in DataScope.values:
                errors.append(_("Unknown data scope: %(scope)s") % {"scope": scope})
        if errors:
            raise ValidationError({"data_scopes": errors})

    def scope_for(self, domain: str) -> str:
        return str(self.data_scopes.get(domain, DataScope.OWN))


class User(AbstractUser):
    """A Guanxi employee account. Created from day one as our own model so that fields can be added freely."""

    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    roles = models.ManyToManyField(Role, verbose_name=_("roles"), blank=True, related_name="users")
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    timezone = models.CharField(_("time zone"), max_length=64, choices=TIMEZONE_CHOICES, default="Asia/Shanghai")

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    def get_absolute_url(self) -> str:
        return reverse("accounts:user_edit", args=[self.pk])


class ApiToken(TimeStampedModel):
    """A personal API token. Only a SHA-256 digest is stored; the token is shown once, at creation."""

    class Scope(models.TextChoices):
        READ = "read", _("Read")
        WRITE = "write", _("Read and write")

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def generate() -> str:
        return "gx_" + secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()

    def allows(self, scope: str) -> bool:
        if scope == ApiToken.Scope.READ:
            return bool(self.scopes)
        return scope in self.scopes


class Notification(models.Model):
    """An in-app notification (reminders, reclaim warnings, finished jobs). Apps create them through services."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=40, blank=True, default="")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True, default="")
    url = models.CharField(_("link"), max_length=500, blank=True, default="")
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at", "-created_at"], name="notification_inbox_idx")]

    def __str__(self) -> str:
        return self.title
