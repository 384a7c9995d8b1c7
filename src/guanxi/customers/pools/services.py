"""Ownership and the public pools (公海/私海): every write about who holds a customer, and the pools' configuration.

Each change of owner or pool is one OwnershipEvent (actor, reason) plus an audit entry, written in the same
transaction as the change. The UI, the API, the list page's bulk actions and the daily reclaim job all call these.

Races
-----
- Claim: the winner is decided by one conditional UPDATE (`… WHERE id = %s AND owner_id IS NULL AND pool_id = %s`),
  which PostgreSQL re-checks on the current row version after waiting for a concurrent writer, and which SQLite runs
  one writer at a time: exactly one of two simultaneous claims updates a row, the other gets 0 and a clear message.
- Per-user limits (customers held, claims per day) are counts, and a count cannot be re-checked by a conditional UPDATE
  under PostgreSQL's READ COMMITTED (two claims of two different customers would each count without the other's
  uncommitted row: write skew). So claims by one user are serialised on that user's row (`SELECT … FOR UPDATE`) before
  anything is counted; the counts then see every earlier claim of that user, committed. Claims by different users do
  not wait for each other. On SQLite every transaction starts with BEGIN IMMEDIATE (settings: transaction_mode), so
  writers are serialised anyway and the counts are equally exact.
- Assign, transfer, release and lock lock the customer rows (`SELECT … FOR UPDATE`, in id order for bulk) first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, F, QuerySet, When
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from guanxi.accounts import scoping
from guanxi.accounts.models import Department, Notification, User
from guanxi.accounts.services import notify
from guanxi.audit.context import current_ip
from guanxi.audit.models import AuditEntry
from guanxi.audit.services import audit_record, diff, snapshot
from guanxi.customers.models import Customer, OwnershipEvent, Pool, PoolRule
from guanxi.customers.pools.signals import NO_OPPORTUNITY, NOT_WON, reclaim_signals
from guanxi.customers.visibility import pools_of

CHANGE_PERMISSION = "customers.change"
CLAIM_PERMISSION = "customers.view"
LOCK_PERMISSION = "customers.lock"
MANAGE_PERMISSION = "customers.manage_pools"
WARNING_KIND = "pool_reclaim_warning"
BATCH = 500
REASON_MAX = 255


@dataclass
class BulkResult:
    """What a bulk action did: how many customers changed, and which ids it left alone and why."""

    changed: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)


# --- small helpers ----------------------------------------------------------------------------------------------------
def site_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def site_today() -> dt.date:
    """Today in the site's time zone (not the signed-in user's: limits and rules are the same for everyone)."""
    return timezone.now().astimezone(site_zone()).date()


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=site_zone())


def _require(actor: User, permission: str) -> None:
    if not actor.has_perm(permission):
        raise PermissionDenied


def _reason(value: str | None, *, required: bool) -> str:
    reason = " ".join((value or "").split())
    if required and not reason:
        raise ValidationError({"reason": _("Say why: the reason is kept with the customer's history.")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("The reason is too long (at most 255 characters).")})
    return reason


def default_pool() -> Pool | None:
    return Pool.objects.filter(is_default=True).first()


def _lock_in_scope(actor: User, pk: int) -> Customer:
    """The customer row, locked, if the actor may see it; otherwise Http404 (nothing outside the scope exists)."""
    return scoping.get_scoped_or_404(actor, Customer.objects.select_for_update(), pk=pk)


def _check_assignable(actor: User, owner: User | None) -> User:
    if owner is None:
        raise ValidationError({"owner": _("Choose the new owner.")})
    if not owner.is_active:
        raise ValidationError({"owner": _("%(user)s is deactivated and cannot own customers.") % {"user": owner}})
    if not scoping.assignable_owners(actor, "customers").filter(pk=owner.pk).exists():
        raise ValidationError({"owner": _("You can only assign customers to people within your data scope.")})
    return owner


def _audit_ownership(
    actor: User | None, rows: Sequence[tuple[Customer, dict[str, list[Any]]]], detail: str, actor_name: str = ""
) -> None:
    """One audit entry per customer, written in one INSERT (the same shape `audit_record` writes)."""
    if not rows:
        return
    if actor is not None and len(rows) == 1:
        customer, changes = rows[0]
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=customer, changes=changes, detail=detail)
        return
    user = actor if getattr(actor, "is_authenticated", False) else None
    name = (user.get_username() if user is not None else actor_name)[:150]
    ip = current_ip.get()
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor=user,
                actor_name=name,
                ip=ip,
                action=AuditEntry.Action.UPDATE,
                object_type=Customer._meta.label_lower,
                object_id=str(customer.pk),
                object_repr=str(customer)[:200],
                changes=changes,
                detail=detail[:255],
            )
            for customer, changes in rows
        ],
        batch_size=BATCH,
    )


def _detail(kind: str, reason: str) -> str:
    return f"ownership {kind}: {reason}" if reason else f"ownership {kind}"


# --- assign and transfer ----------------------------------------------------------------------------------------------
def _assign_rows(*, actor: User, rows: list[Customer], owner: User, reason: str) -> None:
    """Give `rows` (locked, none owned by `owner` yet) to `owner`: one UPDATE, one INSERT of events, one of audit."""
    now = timezone.now()
    ids = [c.pk for c in rows]
    # The right-hand sides of one UPDATE read the row as it was (SQL semantics on SQLite and PostgreSQL alike), so
    # previous_owner takes the old owner where there was one.
    Customer.objects.filter(pk__in=ids).update(
        previous_owner=Case(When(owner__isnull=False, then=F("owner")), default=F("previous_owner")),
        owner=owner,
        owner_since=now,
        pool=None,
        updated_at=now,
    )
    OwnershipEvent.objects.bulk_create(
        [
            OwnershipEvent(
                customer_id=c.pk,
                kind=OwnershipEvent.Kind.ASSIGN if c.owner_id is None else OwnershipEvent.Kind.TRANSFER,
                from_user_id=c.owner_id,
                to_user=owner,
                pool_id=c.pool_id,
                actor=actor,
                reason=reason,
            )
            for c in rows
        ],
        batch_size=BATCH,
    )
    audit_rows = []
    for c in rows:
        changes: dict[str, list[Any]] = {"owner": [c.owner_id, owner.pk]}
        if c.pool_id is not None:
            changes["pool"] = [c.pool_id, None]
        audit_rows.append((c, changes))
    _audit_ownership(actor, audit_rows, _detail("assign", reason))


@transaction.atomic
def customer_assign(*, actor: User, customer: Customer, owner: User | None, reason: str = "") -> Customer:
    """Give a customer to `owner` (ASSIGN when it had no owner, TRANSFER otherwise); `owner` must be in the scope."""
    _require(actor, CHANGE_PERMISSION)
    row = _lock_in_scope(actor, customer.pk)
    reason = _reason(reason, required=False)
    owner = _check_assignable(actor, owner)
    if row.owner_id == owner.pk:
        raise ValidationError({"owner": _("%(user)s already owns this customer.") % {"user": owner}})
    _assign_rows(actor=actor, rows=[row], owner=owner, reason=reason)
    row.refresh_from_db()
    return row


def _locked_rows(actor: User, ids: Iterable[int]) -> tuple[list[Customer], list[tuple[int, str]]]:
    """The customers among `ids` inside the actor's scope, locked in id order; the rest reported as skipped."""
    wanted = list(dict.fromkeys(int(i) for i in ids))
    found: dict[int, Customer] = {}
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        qs = scoping.scope(actor, Customer.objects.select_for_update()).filter(pk__in=chunk).order_by("pk")
        found.update({c.pk: c for c in qs.only("pk", "name", "owner_id", "pool_id", "previous_owner_id")})
    missing = _("Not found in your data scope.")
    skipped = [(pk, missing) for pk in wanted if pk not in found]
    return [found[pk] for pk in wanted if pk in found], skipped


@transaction.atomic
def customers_bulk_assign(*, actor: User, ids: list[int], owner: User | None, reason: str = "") -> BulkResult:
    """Assign or transfer many customers to one owner; ids outside the scope or already owned by them are skipped."""
    _require(actor, CHANGE_PERMISSION)
    reason = _reason(reason, required=False)
    owner = _check_assignable(actor, owner)
    rows, skipped = _locked_rows(actor, ids)
    already = _("Already owned by %(user)s.") % {"user": owner}
    skipped += [(c.pk, already) for c in rows if c.owner_id == owner.pk]
    todo = [c for c in rows if c.owner_id != owner.pk]
    for start in range(0, len(todo), BATCH):
        _assign_rows(actor=actor, rows=todo[start : start + BATCH], owner=owner, reason=reason)
    return BulkResult(changed=len(todo), skipped=sorted(skipped))


# --- release and reclaim ----------------------------------------------------------------------------------------------
def _release_rows(
    *, actor: User | None, rows: list[Customer], pool: Pool, reason: str, kind: str, actor_name: str = ""
) -> None:
    """Put owned `rows` (locked) into `pool`: one UPDATE, one INSERT of events, one of audit entries."""
    now = timezone.now()
    Customer.objects.filter(pk__in=[c.pk for c in rows]).update(
        previous_owner=F("owner"),  # the old owner: SET expressions read the row before the update
        owner=None,
        owner_since=None,
        pool=pool,
        released_at=now,
        locked=False,
        updated_at=now,
    )
    OwnershipEvent.objects.bulk_create(
        [
            OwnershipEvent(customer_id=c.pk, kind=kind, from_user_id=c.owner_id, pool=pool, actor=actor, reason=reason)
            for c in rows
        ],
        batch_size=BATCH,
    )
    _audit_ownership(
        actor,
        [(c, {"owner": [c.owner_id, None], "pool": [c.pool_id, pool.pk]}) for c in rows],
        _detail(kind, reason),
        actor_name=actor_name,
    )


def _target_pool(pool: Pool | None) -> Pool:
    target = pool or default_pool()
    if target is None:
        raise ValidationError({"pool": _("There is no default public pool yet; choose a pool.")})
    return target


@transaction.atomic
def customer_release(*, actor: User, customer: Customer, pool: Pool | None = None, reason: str) -> Customer:
    """Give a customer back to a pool (the default pool unless one is chosen), with the reason why."""
    _require(actor, CHANGE_PERMISSION)
    row = _lock_in_scope(actor, customer.pk)
    errors: dict[str, list[str]] = {}
    try:
        reason = _reason(reason, required=True)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        target = _target_pool(pool)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if row.owner_id is None:
        raise ValidationError(_("This customer has no owner: it is already in the public pool."))
    _release_rows(actor=actor, rows=[row], pool=target, reason=reason, kind=OwnershipEvent.Kind.RELEASE)
    row.refresh_from_db()
    return row


@transaction.atomic
def customers_bulk_release(*, actor: User, ids: list[int], pool: Pool | None = None, reason: str) -> BulkResult:
    """Release many customers to one pool; ids outside the scope or without an owner are skipped."""
    _require(actor, CHANGE_PERMISSION)
    reason = _reason(reason, required=True)
    target = _target_pool(pool)
    rows, skipped = _locked_rows(actor, ids)
    unowned = _("Has no owner: already in the public pool.")
    skipped += [(c.pk, unowned) for c in rows if c.owner_id is None]
    todo = [c for c in rows if c.owner_id is not None]
    for start in range(0, len(todo), BATCH):
        chunk = todo[start : start + BATCH]
        _release_rows(actor=actor, rows=chunk, pool=target, reason=reason, kind=OwnershipEvent.Kind.RELEASE)
    return BulkResult(changed=len(todo), skipped=sorted(skipped))


# --- claim ------------------------------------------------------------------------------------------------------------
def _serialise_claims_of(actor: User) -> None:
    """Take the per-user lock that orders this user's claims (see the module docstring)."""
    list(User.objects.select_for_update().filter(pk=actor.pk).values_list("pk", flat=True))


def claims_today(actor: User, pool: Pool) -> int:
    return OwnershipEvent.objects.filter(
        actor=actor, kind=OwnershipEvent.Kind.CLAIM, pool=pool, at__gte=day_start(site_today())
    ).count()


def _check_claim(actor: User, row: Customer) -> Pool:
    if row.owner_id is not None:
        if row.owner_id == actor.pk:
            raise ValidationError(_("You already own this customer."))
        raise ValidationError(_("This customer has an owner now; it is no longer in the public pool."))
    pool = row.pool
    if pool is None:
        raise ValidationError(_("This customer is not in a public pool, so it cannot be claimed."))
    if not pools_of(actor).filter(pk=pool.pk).exists():
        raise ValidationError(_("Only members of the pool “%(pool)s” may claim its customers.") % {"pool": pool})
    if row.previous_owner_id == actor.pk and row.released_at and pool.reclaim_cooldown_days:
        free_on = row.released_at.astimezone(site_zone()).date() + dt.timedelta(days=pool.reclaim_cooldown_days)
        if site_today() < free_on:
            raise ValidationError(
                _("You held this customer until %(released)s; you may claim it back from %(date)s.")
                % {
                    "released": formats.date_format(row.released_at.astimezone(site_zone()).date()),
                    "date": formats.date_format(free_on),
                }
            )
    if pool.max_customers_per_user:
        held = Customer.objects.filter(owner=actor).count()
        if held >= pool.max_customers_per_user:
            raise ValidationError(
                _(
                    "You already hold %(held)s customers, the most the pool “%(pool)s” allows (%(max)s). "
                    "Release a customer first."
                )
                % {"held": held, "pool": pool, "max": pool.max_customers_per_user}
            )
    if pool.max_claims_per_day and claims_today(actor, pool) >= pool.max_claims_per_day:
        raise ValidationError(
            _("You have claimed %(max)s customers from “%(pool)s” today, the daily limit. Try again tomorrow.")
            % {"max": pool.max_claims_per_day, "pool": pool}
        )
    return pool


@transaction.atomic
def customer_claim(*, actor: User, customer: Customer) -> Customer:
    """Take a customer from its public pool, within the pool's limits. Of simultaneous claims exactly one wins."""
    _require(actor, CLAIM_PERMISSION)
    _serialise_claims_of(actor)
    row = scoping.get_scoped_or_404(actor, Customer.objects.select_related("pool"), pk=customer.pk)
    now = timezone.now()
    pool = _check_claim(actor, row)
    won = Customer.objects.filter(
        pk=row.pk, owner__isnull=True, pool=pool, released_at=row.released_at, previous_owner=row.previous_owner_id
    ).update(owner=actor, owner_since=now, pool=None, locked=False, updated_at=now)
    if won != 1:
        raise ValidationError(_("Someone else has just claimed this customer."))
    OwnershipEvent.objects.create(
        customer=row, kind=OwnershipEvent.Kind.CLAIM, to_user=actor, pool=pool, actor=actor, reason=""
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=row,
        changes={"owner": [None, actor.pk], "pool": [pool.pk, None]},
        detail=_detail("claim", ""),
    )
    row.refresh_from_db()
    return row


# --- lock -------------------------------------------------------------------------------------------------------------
@transaction.atomic
def customer_lock(*, actor: User, customer: Customer, locked: bool) -> Customer:
    """Lock a customer against reclaim (or unlock it). Locking is for people with the lock permission."""
    row = _lock_in_scope(actor, customer.pk)
    _require(actor, LOCK_PERMISSION)
    if locked and row.owner_id is None:
        raise ValidationError(_("Only customers with an owner can be locked; this one is in the public pool."))
    if row.locked == locked:
        return row
    Customer.objects.filter(pk=row.pk).update(locked=locked, updated_at=timezone.now())
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=row,
        changes={"locked": [row.locked, locked]},
        detail="lock" if locked else "unlock",
    )
    row.refresh_from_db()
    return row


# --- reclaim (自动回收) ---------------------------------------------------------------------------------------------
# The start of the current "cycle" of a held customer: its last follow-up, or when its owner got it if that is later
# (a customer handed over yesterday has not been neglected by its new owner for 90 days). Customers created with an
# owner before owner_since was kept fall back to their creation time.
_HELD_SINCE = Coalesce("owner_since", "created_at")
_ACTIVITY = Greatest(Coalesce("last_follow_up_at", "owner_since", "created_at"), _HELD_SINCE)

Trigger = tuple[str, int, Callable[[QuerySet[Customer], int], QuerySet[Customer]]]


def _no_follow_up(today: dt.date) -> Callable[[QuerySet[Customer], int], QuerySet[Customer]]:
    def select(qs: QuerySet[Customer], days: int) -> QuerySet[Customer]:
        # Reclaimed on the day `days` after the last activity's (local) date.
        return qs.alias(activity=_ACTIVITY).filter(activity__lt=day_start(today - dt.timedelta(days=days - 1)))

    return select


def _triggers(rule: PoolRule, today: dt.date, missing: set[str]) -> list[Trigger]:
    triggers: list[Trigger] = []
    if rule.no_follow_up_days:
        triggers.append(("no_follow_up", rule.no_follow_up_days, _no_follow_up(today)))
    for key in (NO_OPPORTUNITY, NOT_WON):
        days = getattr(rule, f"{key}_days")
        if not days:
            continue
        provider = reclaim_signals.get(key)
        if provider is None:
            missing.add(key)
            continue
        triggers.append((key, days, provider))
    return triggers


def _trigger_reason(rule: PoolRule, key: str, days: int) -> str:
    texts = {
        "no_follow_up": _("no follow-up for %(days)s days"),
        NO_OPPORTUNITY: _("no opportunity for %(days)s days"),
        NOT_WON: _("no deal won for %(days)s days"),
    }
    return _("Reclaim rule “%(rule)s”: %(why)s.") % {"rule": rule, "why": texts[key] % {"days": days}}


def _held(rule: PoolRule, specific_tiers: set[str]) -> QuerySet[Customer]:
    """Customers the rule governs: owned, not locked, of its tier (the rule without a tier covers the other tiers)."""
    qs = Customer.objects.filter(owner__isnull=False, locked=False)
    if rule.value_tier:
        return qs.filter(value_tier=rule.value_tier)
    return qs.exclude(value_tier__in=specific_tiers)


def _reclaim(rule: PoolRule, due: QuerySet[Customer], reason: str) -> int:
    """Move every customer of `due` into the rule's pool, a batch per transaction. Safe to run again."""
    total = 0
    while True:
        with transaction.atomic():
            rows = list(due.select_for_update().order_by("pk").only("pk", "name", "owner_id", "pool_id")[:BATCH])
            if not rows:
                return total
            _release_rows(
                actor=None,
                rows=rows,
                pool=rule.pool,
                reason=reason,
                kind=OwnershipEvent.Kind.RECLAIM,
                actor_name="reclaim",
            )
            total += len(rows)


@dataclass
class _Warning:
    customer_id: int
    name: str
    owner_id: int
    date: dt.date
    since: dt.datetime
    reason: str


def _collect_warnings(
    rule: PoolRule, held: QuerySet[Customer], triggers: list[Trigger], today: dt.date, into: dict[int, _Warning]
) -> None:
    """Customers that `rule` will reclaim within its warning days, with the day; the earliest day wins."""
    for key, days, select in triggers:
        since = _ACTIVITY if key == "no_follow_up" else _HELD_SINCE
        for ahead in range(1, min(rule.warn_days_before, days - 1) + 1):
            # Due in `ahead` days: meets the threshold shortened by `ahead` days, but not by one day less.
            soon = select(held, days - ahead).exclude(pk__in=select(held, days - ahead + 1).values("pk"))
            for pk, name, owner_id, cycle in soon.annotate(cycle=since).values_list("pk", "name", "owner_id", "cycle"):
                date = today + dt.timedelta(days=ahead)
                known = into.get(pk)
                if known is None or date < known.date:
                    into[pk] = _Warning(pk, name, owner_id, date, cycle, _trigger_reason(rule, key, days))


def _send_warnings(warnings: dict[int, _Warning]) -> int:
    """One notification per customer per cycle: none if one was sent since the cycle began."""
    if not warnings:
        return 0
    urls = {pk: reverse("customers:detail", args=[pk]) for pk in warnings}
    sent: dict[tuple[str, int], dt.datetime] = {}
    earlier = Notification.objects.filter(
        kind=WARNING_KIND, url__in=list(urls.values()), user_id__in={w.owner_id for w in warnings.values()}
    ).values_list("url", "user_id", "created_at")
    for url, user_id, at in earlier:
        key = (url, user_id)
        sent[key] = max(at, sent.get(key, at))
    owners = User.objects.in_bulk({w.owner_id for w in warnings.values()})
    count = 0
    for pk, warning in sorted(warnings.items()):
        last = sent.get((urls[pk], warning.owner_id))
        if last is not None and last >= warning.since:
            continue
        owner = owners[warning.owner_id]
        with translation.override(owner.language or settings.LANGUAGE_CODE):
            notify(
                user=owner,
                title=_("“%(name)s” goes back to the public pool on %(date)s")
                % {"name": warning.name, "date": formats.date_format(warning.date)},
                body=_("%(reason)s Log a follow-up before %(date)s to keep this customer.")
                % {"reason": warning.reason, "date": formats.date_format(warning.date)},
                url=urls[pk],
                kind=WARNING_KIND,
            )
        count += 1
    return count


def pools_reclaim_run(*, today: dt.date | None = None) -> dict[str, Any]:
    """Apply every active reclaim rule: customers due go back to the rule's pool; owners of those due within the
    rule's warning days get one notification each. Idempotent: a second run on the same day changes nothing."""
    today = today or site_today()
    rules = sorted(
        PoolRule.objects.filter(active=True).select_related("pool"), key=lambda r: (r.value_tier == "", r.pk)
    )
    specific_tiers = {r.value_tier for r in rules if r.value_tier}
    missing: set[str] = set()
    summary: dict[str, Any] = {"date": today.isoformat(), "reclaimed": 0, "warned": 0, "rules": {}}
    plans = []
    with translation.override(settings.LANGUAGE_CODE):  # reasons are stored in the site's language
        for rule in rules:
            held = _held(rule, specific_tiers)
            triggers = _triggers(rule, today, missing)
            reclaimed = 0
            for key, days, select in triggers:
                reclaimed += _reclaim(rule, select(held, days), _trigger_reason(rule, key, days))
            summary["rules"][rule.pk] = reclaimed
            summary["reclaimed"] += reclaimed
            plans.append((rule, held, triggers))
        warnings: dict[int, _Warning] = {}
        for rule, held, triggers in plans:
            if rule.warn_days_before:
                _collect_warnings(rule, held, triggers, today, warnings)
    summary["warned"] = _send_warnings(warnings)
    summary["signals_not_provided"] = sorted(missing)
    return summary


# --- pools and rules (administration) ---------------------------------------------------------------------------------
POOL_AUDIT_FIELDS = [
    "name",
    "description",
    "is_default",
    "members",
    "member_departments",
    "admins",
    "max_claims_per_day",
    "max_customers_per_user",
    "reclaim_cooldown_days",
]
RULE_AUDIT_FIELDS = [
    "pool",
    "value_tier",
    "no_follow_up_days",
    "no_opportunity_days",
    "not_won_days",
    "warn_days_before",
    "active",
]


@dataclass
class PoolInput:
    name: str
    description: str = ""
    is_default: bool = False
    members: list[User] = field(default_factory=list)
    member_departments: list[Department] = field(default_factory=list)
    admins: list[User] = field(default_factory=list)
    max_claims_per_day: int = 20
    max_customers_per_user: int = 0
    reclaim_cooldown_days: int = 30


@dataclass
class PoolRuleInput:
    pool: Pool
    value_tier: str = ""
    no_follow_up_days: int | None = None
    no_opportunity_days: int | None = None
    not_won_days: int | None = None
    warn_days_before: int = 3
    active: bool = True


def _non_negative(errors: dict[str, list[str]], name: str, value: int | None) -> None:
    if value is not None and value < 0:
        errors.setdefault(name, []).append(_("Enter 0 or a positive number."))


@transaction.atomic
def pool_save(*, actor: User, data: PoolInput, pool: Pool | None = None) -> Pool:
    """Create a pool, or change one; making it the default takes that mark from the previous default."""
    _require(actor, MANAGE_PERMISSION)
    errors: dict[str, list[str]] = {}
    name = " ".join((data.name or "").split())
    if not name:
        errors.setdefault("name", []).append(_("Enter the pool's name."))
    elif (Pool.objects.exclude(pk=pool.pk) if pool else Pool.objects.all()).filter(name__iexact=name).exists():
        errors.setdefault("name", []).append(_("There is already a pool called “%(name)s”.") % {"name": name})
    for attr in ("max_claims_per_day", "max_customers_per_user", "reclaim_cooldown_days"):
        _non_negative(errors, attr, getattr(data, attr))
    if errors:
        raise ValidationError(errors)
    created = pool is None
    if pool is None:
        pool = Pool()
        before: dict[str, Any] = {}
    else:
        pool = Pool.objects.select_for_update().get(pk=pool.pk)
        before = snapshot(pool, POOL_AUDIT_FIELDS)
    pool.name = name
    pool.description = (data.description or "").strip()
    pool.max_claims_per_day = data.max_claims_per_day
    pool.max_customers_per_user = data.max_customers_per_user
    pool.reclaim_cooldown_days = data.reclaim_cooldown_days
    if data.is_default and not pool.is_default:
        Pool.objects.filter(is_default=True).exclude(pk=pool.pk).update(is_default=False)
    pool.is_default = data.is_default
    pool.full_clean()
    pool.save()
    pool.members.set(data.members)
    pool.member_departments.set(data.member_departments)
    pool.admins.set(data.admins)
    changes = diff(before, snapshot(pool, POOL_AUDIT_FIELDS))
    if changes:
        action = AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE
        audit_record(actor=actor, action=action, obj=pool, changes=changes)
    return pool


@transaction.atomic
def pool_delete(*, actor: User, pool: Pool) -> None:
    _require(actor, MANAGE_PERMISSION)
    pool = Pool.objects.select_for_update().get(pk=pool.pk)
    held = Customer.objects.filter(pool=pool).count()
    if held:
        raise ValidationError(
            _("The pool “%(pool)s” still holds %(count)s customers; move them to another pool first.")
            % {"pool": pool, "count": held}
        )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        obj=pool,
        changes=diff(snapshot(pool, ["name", "is_default"]), {}),
    )
    pool.delete()


@transaction.atomic
def pool_rule_save(*, actor: User, data: PoolRuleInput, rule: PoolRule | None = None) -> PoolRule:
    """Create or change a reclaim rule. A rule needs at least one threshold, and warns before its shortest one."""
    _require(actor, MANAGE_PERMISSION)
    errors: dict[str, list[str]] = {}
    thresholds = {name: getattr(data, name) for name in ("no_follow_up_days", "no_opportunity_days", "not_won_days")}
    for name, value in thresholds.items():
        if value is not None and value < 1:
            errors.setdefault(name, []).append(_("Enter a number of days (1 or more), or leave it empty."))
    given = [v for v in thresholds.values() if v]
    if not given and not errors:
        errors.setdefault("no_follow_up_days", []).append(
            _("Set at least one threshold: no follow-up, no opportunity or no deal won.")
        )
    if data.warn_days_before < 0:
        errors.setdefault("warn_days_before", []).append(_("Enter 0 or a positive number."))
    elif given and data.warn_days_before >= min(given):
        errors.setdefault("warn_days_before", []).append(
            _("Warn fewer days ahead than the shortest threshold (%(days)s days).") % {"days": min(given)}
        )
    tier = (data.value_tier or "").strip()
    clash = (PoolRule.objects.exclude(pk=rule.pk) if rule else PoolRule.objects.all()).filter(
        value_tier=tier, active=True
    )
    if data.active and clash.exists():
        errors.setdefault("value_tier", []).append(
            _("Another active rule already covers this value tier; change that rule instead.")
            if tier
            else _("Another active rule already covers every tier; change that rule instead.")
        )
    if errors:
        raise ValidationError(errors)
    created = rule is None
    if rule is None:
        rule = PoolRule()
        before: dict[str, Any] = {}
    else:
        rule = PoolRule.objects.select_for_update().get(pk=rule.pk)
        before = snapshot(rule, RULE_AUDIT_FIELDS)
    rule.pool = data.pool
    rule.value_tier = tier
    rule.no_follow_up_days = data.no_follow_up_days
    rule.no_opportunity_days = data.no_opportunity_days
    rule.not_won_days = data.not_won_days
    rule.warn_days_before = data.warn_days_before
    rule.active = data.active
    rule.full_clean()
    rule.save()
    changes = diff(before, snapshot(rule, RULE_AUDIT_FIELDS))
    if changes:
        action = AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE
        audit_record(actor=actor, action=action, obj=rule, changes=changes)
    return rule


@transaction.atomic
def pool_rule_delete(*, actor: User, rule: PoolRule) -> None:
    _require(actor, MANAGE_PERMISSION)
    audit_record(
        actor=actor, action=AuditEntry.Action.DELETE, obj=rule, changes=diff(snapshot(rule, RULE_AUDIT_FIELDS), {})
    )
    rule.delete()


__all__ = [
    "BulkResult",
    "PoolInput",
    "PoolRuleInput",
    "customer_assign",
    "customer_claim",
    "customer_lock",
    "customer_release",
    "customers_bulk_assign",
    "customers_bulk_release",
    "pool_delete",
    "pool_rule_delete",
    "pool_rule_save",
    "pool_save",
    "pools_reclaim_run",
]
