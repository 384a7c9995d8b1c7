"""Customers: the people and companies we sell to, with their contacts, addresses, channels, tags, custom fields,
consent, ownership and the public pools. Contact data is encrypted at rest and found through keyed digests."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.core.fields import EncryptedTextField
from guanxi.core.models import TimeStampedModel


class LifecycleStage(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    NEW = "new", _("New")
    ACTIVE = "active", pgettext_lazy("lifecycle stage", "Active")
    LOYAL = "loyal", _("Loyal")
    AT_RISK = "at_risk", _("At risk")
    CHURNED = "churned", _("Churned")


class Source(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    REFERRAL = "referral", _("Referral")
    EVENT = "event", _("Event")
    AD = "ad", _("Advertising")
    PHONE = "phone", _("Phone")
    SOCIAL = "social", _("Social media")
    WALK_IN = "walk_in", _("Walk-in")
    PARTNER = "partner", _("Partner")
    IMPORT = "import", _("Import")
    OTHER = "other", _("Other")


class Gender(models.TextChoices):
    UNKNOWN = "", _("Not given")
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class CompanySize(models.TextChoices):
    UNKNOWN = "", _("Not given")
    MICRO = "1-9", _("1–9 employees")
    SMALL = "10-49", _("10–49 employees")
    MEDIUM = "50-199", _("50–199 employees")
    LARGE = "200-999", _("200–999 employees")
    ENTERPRISE = "1000+", _("1,000 or more employees")


class Industry(models.TextChoices):
    UNKNOWN = "", _("Not given")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    RETAIL = "retail", _("Retail and e-commerce")
    IT = "it", _("Software and IT services")
    FINANCE = "finance", _("Finance and insurance")
    EDUCATION = "education", _("Education")
    HEALTHCARE = "healthcare", _("Healthcare")
    REAL_ESTATE = "real_estate", _("Real estate and construction")
    LOGISTICS = "logistics", _("Logistics and transport")
    ENERGY = "energy", _("Energy and utilities")
    MEDIA = "media", _("Media and advertising")
    HOSPITALITY = "hospitality", _("Hospitality and food")
    AGRICULTURE = "agriculture", _("Agriculture")
    GOVERNMENT = "government", _("Government and public sector")
    OTHER = "other", _("Other")


class Tag(TimeStampedModel):
    name = models.CharField(_("name"), max_length=50, unique=True)
    color = models.CharField(_("colour"), max_length=20, default="blue")

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class CustomFieldDefinition(TimeStampedModel):
    """An admin-defined field. Values live in `Customer.custom[key]`, validated by the services against this type."""

    class Type(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        DATE = "date", _("Date")
        CHOICE = "choice", _("Choice")
        MULTI_CHOICE = "multi_choice", _("Multiple choice")
        BOOLEAN = "boolean", _("Yes / no")

    key = models.SlugField(_("key"), max_length=50, unique=True)
    label = models.CharField(_("label"), max_length=100)
    type = models.CharField(_("type"), max_length=20, choices=Type.choices, default=Type.TEXT)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    help_text = models.CharField(_("help text"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    show_in_list = models.BooleanField(_("show in lists"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "key"]
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")

    def __str__(self) -> str:
        return self.label


class Pool(TimeStampedModel):
    """A public pool (公海): customers without an owner that its members may claim."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    is_default = models.BooleanField(_("default pool"), default=False)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True, related_name="pools"
    )
    member_departments = models.ManyToManyField(
        "accounts.Department",
        verbose_name=_("member departments"),
        blank=True,
        related_name="pools",
        help_text=_("Everyone in these departments and their sub-departments is a member."),
    )
    admins = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("pool admins"), blank=True, related_name="administered_pools"
    )
    max_claims_per_day = models.PositiveIntegerField(_("claims per user per day"), default=20)
    max_customers_per_user = models.PositiveIntegerField(
        _("customers a user may hold"), default=0, help_text=_("0 means no limit.")
    )
    reclaim_cooldown_days = models.PositiveIntegerField(_("days before the previous owner may claim back"), default=30)

    class Meta:
        ordering = ["name"]
        verbose_name = _("public pool")
        verbose_name_plural = _("public pools")
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="pool_one_default"),
        ]

    def __str__(self) -> str:
        return self.name


class PoolRule(TimeStampedModel):
    """When customers go back to a pool by themselves (自动回收). Empty thresholds are not checked."""

    pool = models.ForeignKey(Pool, verbose_name=_("pool"), on_delete=models.CASCADE, related_name="rules")
    value_tier = models.CharField(_("value tier"), max_length=20, blank=True, help_text=_("Empty: every tier."))
    no_follow_up_days = models.PositiveIntegerField(_("no follow-up for (days)"), null=True, blank=True)
    no_opportunity_days = models.PositiveIntegerField(_("no opportunity for (days)"), null=True, blank=True)
    not_won_days = models.PositiveIntegerField(_("no deal won for (days)"), null=True, blank=True)
    warn_days_before = models.PositiveIntegerField(_("warn the owner (days before)"), default=3)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["pool", "value_tier"]
        verbose_name = _("reclaim rule")
        verbose_name_plural = _("reclaim rules")

    def __str__(self) -> str:
        return f"{self.pool} · {self.value_tier or '*'}"


class Customer(TimeStampedModel):
    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        COMPANY = "company", _("Company")

    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(_("name"), max_length=200)
    # Primary phone and email (copies of the primary CustomerPhone / CustomerEmail, kept by the services for lists).
    phone = EncryptedTextField(_("phone"), blank=True, default="")
    phone_digest = models.CharField(max_length=40, blank=True, default="", db_index=True, editable=False)
    email = EncryptedTextField(_("email"), blank=True, default="")
    email_digest = models.CharField(max_length=40, blank=True, default="", db_index=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_customers",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # Profile
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True, default="")
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    lunar_birth_month = models.PositiveSmallIntegerField(_("lunar birthday month"), null=True, blank=True)
    lunar_birth_day = models.PositiveSmallIntegerField(_("lunar birthday day"), null=True, blank=True)
    lunar_birth_leap = models.BooleanField(_("leap month"), default=False)
    industry = models.CharField(_("industry"), max_length=30, choices=Industry.choices, blank=True, default="")
    company_size = models.CharField(
        _("company size"), max_length=10, choices=CompanySize.choices, blank=True, default=""
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, blank=True, default="")
    lifecycle_stage = models.CharField(
        _("lifecycle stage"), max_length=20, choices=LifecycleStage.choices, default=LifecycleStage.PROSPECT
    )
    value_tier = models.CharField(_("value tier"), max_length=20, blank=True, default="")
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True, default="")
    id_number = EncryptedTextField(_("ID number"), blank=True, default="")
    id_number_digest = models.CharField(max_length=40, blank=True, default="", db_index=True, editable=False)
    notes = models.TextField(_("notes"), blank=True, default="")
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="customers")
    # Primary address, copied for filters and the duplicate check ("similar name in the same city").
    province = models.CharField(_("province"), max_length=50, blank=True, default="")
    city = models.CharField(_("city"), max_length=50, blank=True, default="")

    # Follow-up summary, kept by the interactions services.
    last_follow_up_at = models.DateTimeField(_("last follow-up"), null=True, blank=True)
    last_follow_up_summary = models.CharField(_("last follow-up summary"), max_length=255, blank=True, default="")
    next_contact_at = models.DateTimeField(_("next planned contact"), null=True, blank=True)

    # Ownership and pools
    pool = models.ForeignKey(
        Pool, verbose_name=_("public pool"), null=True, blank=True, on_delete=models.PROTECT, related_name="customers"
    )
    locked = models.BooleanField(_("locked"), default=False, help_text=_("Locked customers are never reclaimed."))
    owner_since = models.DateTimeField(_("owner since"), null=True, blank=True)
    previous_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("previous owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    released_at = models.DateTimeField(_("released to the pool"), null=True, blank=True)

    # Search and duplicate keys, kept by the services (never edited by hand).
    name_key = models.CharField(max_length=200, blank=True, default="", editable=False)
    name_pinyin = models.CharField(max_length=400, blank=True, default="", editable=False)
    name_initials = models.CharField(max_length=100, blank=True, default="", editable=False)
    phone_grams = models.TextField(blank=True, default="", editable=False)
    search_text = models.TextField(blank=True, default="", editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            models.Index(fields=["owner", "-created_at", "-id"], name="customer_owner_created_idx"),
            models.Index(fields=["owner", "name"], name="customer_owner_name_idx"),
            models.Index(fields=["-created_at", "-id"], name="customer_created_idx"),
            models.Index(fields=["name"], name="customer_name_idx"),
            models.Index(fields=["owner", "next_contact_at"], name="customer_owner_next_idx"),
            models.Index(fields=["owner", "last_follow_up_at"], name="customer_owner_lastfu_idx"),
            models.Index(fields=["pool", "-created_at", "-id"], name="customer_pool_created_idx"),
            models.Index(fields=["lifecycle_stage"], name="customer_stage_idx"),
            models.Index(fields=["city"], name="customer_city_idx"),
            models.Index(fields=["name_key"], name="customer_name_key_idx"),
            models.Index(fields=["name_pinyin"], name="customer_pinyin_idx"),
            models.Index(fields=["name_initials"], name="customer_initials_idx"),
            models.Index(fields=["uscc"], name="customer_uscc_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["uscc"], condition=~Q(uscc=""), name="customer_unique_uscc"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("customers:detail", args=[self.pk])


class Contact(TimeStampedModel):
    """A person at a customer company (联系人)."""

    class Role(models.TextChoices):
        DECISION_MAKER = "decision_maker", _("Decision maker")
        INFLUENCER = "influencer", _("Influencer")
        PURCHASER = "purchaser", _("Purchaser")
        USER = "user", _("User")
        FINANCE = "finance", _("Finance")
        TECHNICAL = "technical", _("Technical contact")
        OTHER = "other", _("Other")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("job title"), max_length=100, blank=True, default="")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True, default="")
    phone = EncryptedTextField(_("phone"), blank=True, default="")
    phone_digest = models.CharField(max_length=40, blank=True, default="", db_index=True, editable=False)
    email = EncryptedTextField(_("email"), blank=True, default="")
    email_digest = models.CharField(max_length=40, blank=True, default="", db_index=True, editable=False)
    wechat = models.CharField(_("WeChat ID"), max_length=50, blank=True, default="")
    is_primary = models.BooleanField(_("primary contact"), default=False)
    notes = models.TextField(_("notes"), blank=True, default="")
    name_pinyin = models.CharField(max_length=200, blank=True, default="", editable=False)
    name_initials = models.CharField(max_length=50, blank=True, default="", editable=False)
    phone_grams = models.TextField(blank=True, default="", editable=False)

    class Meta:
        ordering = ["-is_primary", "name", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["name"], name="contact_name_idx"),
            models.Index(fields=["name_pinyin"], name="contact_pinyin_idx"),
            models.Index(fields=["name_initials"], name="contact_initials_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class CustomerPhone(TimeStampedModel):
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="phones")
    number = EncryptedTextField(_("phone"))
    digest = models.CharField(max_length=40, db_index=True, editable=False)
    label = models.CharField(_("label"), max_length=30, blank=True, default="")
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        ordering = ["-is_primary", "id"]
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")
        constraints = [
            models.UniqueConstraint(fields=["customer", "digest"], name="customer_phone_unique"),
        ]

    def __str__(self) -> str:
        return self.label or str(self.pk)


class CustomerEmail(TimeStampedModel):
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="emails")
    address = EncryptedTextField(_("email"))
    digest = models.CharField(max_length=40, db_index=True, editable=False)
    label = models.CharField(_("label"), max_length=30, blank=True, default="")
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        ordering = ["-is_primary", "id"]
        verbose_name = _("email address")
        verbose_name_plural = _("email addresses")
        constraints = [
            models.UniqueConstraint(fields=["customer", "digest"], name="customer_email_unique"),
        ]

    def __str__(self) -> str:
        return self.label or str(self.pk)


class Address(TimeStampedModel):
    class Kind(models.TextChoices):
        OFFICE = "office", _("Office")
        BILLING = "billing", _("Billing")
        SHIPPING = "shipping", _("Shipping")
        HOME = "home", _("Home")
        OTHER = "other", _("Other")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="addresses"
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.OFFICE)
    country = models.CharField(_("country"), max_length=2, default="CN")
    province = models.CharField(_("province"), max_length=50, blank=True, default="")
    city = models.CharField(_("city"), max_length=50, blank=True, default="")
    district = models.CharField(_("district"), max_length=50, blank=True, default="")
    line = EncryptedTextField(_("street address"), blank=True, default="")
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True, default="")
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        ordering = ["-is_primary", "id"]
        verbose_name = _("address")
        verbose_name_plural = _("addresses")

    def __str__(self) -> str:
        return " ".join(p for p in (self.province, self.city, self.district) if p) or self.get_kind_display()


class Consent(TimeStampedModel):
    """A consent record (授权同意): what the customer agreed to or withdrew, when, how, and the evidence."""

    class Purpose(models.TextChoices):
        MARKETING = "marketing", _("Marketing messages")
        SERVICE = "service", _("Service messages")
        ANALYTICS = "analytics", _("Analytics and profiling")
        SHARING = "sharing", _("Sharing with partners")
        CROSS_BORDER = "cross_border", _("Cross-border transfer")

    class Channel(models.TextChoices):
        ANY = "any", _("Any channel")
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")
        PHONE = "phone", _("Phone")
        WECHAT = "wechat", _("WeChat")
        POST = "post", _("Post")

    class Status(models.TextChoices):
        GRANTED = "granted", _("Granted")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="consents"
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.ANY)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    recorded_at = models.DateTimeField(_("when"))
    evidence = models.TextField(_("evidence"), blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["customer", "purpose", "-recorded_at"], name="consent_latest_idx")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()}: {self.get_status_display()}"


class OwnershipEvent(models.Model):
    """Every change of a customer's owner or pool, with who did it and why; shown on the timeline."""

    class Kind(models.TextChoices):
        CREATE = "create", _("Created")
        ASSIGN = "assign", _("Assigned")
        TRANSFER = "transfer", _("Transferred")
        RELEASE = "release", _("Released to the pool")
        CLAIM = "claim", _("Claimed")
        RECLAIM = "reclaim", _("Reclaimed to the pool")
        MERGE = "merge", _("Merged")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="ownership_events"
    )
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    pool = models.ForeignKey(
        Pool, verbose_name=_("public pool"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True, default="")
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("ownership event")
        verbose_name_plural = _("ownership events")
        indexes = [
            models.Index(fields=["customer", "-at"], name="ownership_customer_idx"),
            models.Index(fields=["actor", "kind", "at"], name="ownership_actor_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.customer_id}"


class SavedView(TimeStampedModel):
    """A named list view: its filters and sort (as query parameters) and its columns; personal or shared."""

    name = models.CharField(_("name"), max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="saved_customer_views"
    )
    shared = models.BooleanField(_("shared with everyone"), default=False)
    params = models.JSONField(_("filters"), default=dict, blank=True)
    columns = models.JSONField(_("columns"), default=list, blank=True)
    is_default = models.BooleanField(_("my default view"), default=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")

    def __str__(self) -> str:
        return self.name


class ImportTemplate(TimeStampedModel):
    """A remembered column mapping for files with the same header row."""

    name = models.CharField(_("name"), max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="customer_import_templates",
    )
    signature = models.CharField(max_length=64, db_index=True, editable=False)
    mapping = models.JSONField(_("column mapping"), default=dict)

    class Meta:
        ordering = ["name"]
        verbose_name = _("import template")
        verbose_name_plural = _("import templates")

    def __str__(self) -> str:
        return self.name


class MergeRecord(models.Model):
    """What a merge did, so it can be read back (and undone by hand) from the log."""

    survivor = models.ForeignKey(
        Customer, verbose_name=_("kept customer"), null=True, on_delete=models.SET_NULL, related_name="merges"
    )
    merged_id = models.BigIntegerField(_("merged customer id"))
    merged_snapshot = models.JSONField(_("merged customer"), default=dict)
    survivor_before = models.JSONField(_("kept customer before"), default=dict)
    moved = models.JSONField(_("moved records"), default=dict)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("merge")
        verbose_name_plural = _("merges")

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.survivor_id}"
