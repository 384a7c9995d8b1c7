"""Writes of the demo data: the organisation (through the accounts services) and customers (in bulk)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import models, transaction
from django.utils import timezone

from guanxi.accounts.models import Department, Role, Team, User
from guanxi.accounts.permissions import DOMAINS, PERMISSIONS
from guanxi.accounts.services import (
    RoleInput,
    TeamInput,
    UserInput,
    department_create,
    role_save,
    team_save,
    user_save,
)
from guanxi.audit.models import AuditEntry
from guanxi.audit.services import audit_record
from guanxi.core import crypto
from guanxi.core.bulk import insert_rows, reserve_ids, sync_sequence
from guanxi.customers.models import Contact, Customer, CustomerEmail, CustomerPhone, Pool, PoolRule, Tag
from guanxi.customers.search.keys import customer_keys, phone_grams, pinyin_keys
from guanxi.demo import organisation as spec
from guanxi.demo.generators import CustomerRow, generate_customers
from guanxi.demo.profile import TAGS, ProfileGenerator, ProfileRow

DEFAULT_POOL = "公海"


@dataclass
class DemoOrganisation:
    departments: dict[str, Department] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    created: Counter[str] = field(default_factory=Counter)  # {"departments": 7, "users": 19, …} made by this run


def _role_permissions(role: spec.RoleSpec) -> list[str]:
    codes: set[str] = set()
    for code in role.permissions:
        if code == "*":
            codes.update(PERMISSIONS)
        elif code.endswith(".*"):
            codes.update(c for c in PERMISSIONS if c.startswith(code[:-1]))
        else:
            codes.add(code)
    return sorted(codes)


def _role_scopes(role: spec.RoleSpec) -> dict[str, str]:
    domains = list(DOMAINS) if "*" in role.domains else list(role.domains)
    return dict.fromkeys(domains, role.scope)


@transaction.atomic
def demo_organisation_ensure(*, password: str = spec.DEMO_PASSWORD) -> DemoOrganisation:
    """Make sure the demo departments, roles, users and teams exist; existing ones (same name) are left as they are."""
    org = DemoOrganisation()
    for name, parent_name in spec.DEPARTMENTS:
        parent = org.departments[parent_name] if parent_name else None
        department = Department.objects.filter(name=name, parent=parent).first()
        if department is None:
            department = department_create(actor=None, name=name, parent=parent)
            org.created["departments"] += 1
        org.departments[name] = department

    for role_spec in spec.ROLES:
        role = Role.objects.filter(name=role_spec.name).first()
        if role is None:
            role = role_save(
                actor=None,
                data=RoleInput(
                    name=role_spec.name,
                    description=role_spec.description,
                    permissions=_role_permissions(role_spec),
                    data_scopes=_role_scopes(role_spec),
                ),
            )
            org.created["roles"] += 1
        org.roles[role_spec.name] = role

    # Argon2 is slow on purpose (~0.2 s a hash): the first new user's password is hashed through user_save and the
    # other new demo users get the same hash. Acceptable for demo accounts whose shared password is printed anyway.
    shared_hash = ""
    for user_spec in spec.USERS:
        user = User.objects.filter(username__iexact=user_spec.username).first()
        if user is None:
            user = user_save(
                actor=None,
                data=UserInput(
                    username=user_spec.username,
                    display_name=user_spec.display_name,
                    email=f"{user_spec.username}@example.com",
                    department=org.departments[user_spec.department],
                    roles=[org.roles[user_spec.role]],
                    is_superuser=user_spec.superuser,
                    password=None if shared_hash else password,
                ),
            )
            if shared_hash:
                user.password = shared_hash
                user.save(update_fields=["password"])
            else:
                shared_hash = user.password
            org.created["users"] += 1
        org.users[user_spec.username] = user

    for team_spec in spec.TEAMS:
        team = Team.objects.filter(name=team_spec.name).first()
        if team is None:
            team = team_save(
                actor=None,
                data=TeamInput(
                    name=team_spec.name,
                    department=org.departments[team_spec.department],
                    leader=org.users[team_spec.leader],
                    members=[org.users[username] for username in team_spec.members],
                ),
            )
            org.created["teams"] += 1
        org.teams[team_spec.name] = team
    return org


@contextmanager
def _explicit_timestamps(model: type[models.Model]) -> Iterator[None]:
    """Let bulk_create write the given created_at/updated_at instead of "now" (auto_now_add/auto_now would win)."""
    fields = [cast(models.DateTimeField, model._meta.get_field(name)) for name in ("created_at", "updated_at")]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    try:
        for f in fields:
            f.auto_now = f.auto_now_add = False
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


@transaction.atomic
def demo_pools_ensure(*, org: DemoOrganisation | None = None) -> Pool:
    """The default public pool: the whole sales department may claim from it; the sales director administers it."""
    pool = Pool.objects.filter(name=DEFAULT_POOL).first()
    if pool is None:
        pool = Pool.objects.create(
            name=DEFAULT_POOL,
            description="销售部公共客户池",
            is_default=not Pool.objects.filter(is_default=True).exists(),
            max_claims_per_day=20,
            max_customers_per_user=800,
            reclaim_cooldown_days=30,
        )
        sales = Department.objects.filter(name=spec.SALES).first()
        if sales is not None:
            pool.member_departments.add(sales)
        director = User.objects.filter(username="director").first()
        if director is not None:
            pool.admins.add(director)
        PoolRule.objects.create(pool=pool, no_follow_up_days=90, warn_days_before=7)
    return pool


def _customer(row: CustomerRow, profile: ProfileRow, owner_ids: dict[str, int], pool_id: int) -> Customer:
    owner_id = owner_ids.get(row.owner) if row.owner else None
    # Digests and search keys exactly as customers.services computes them, so lookups and duplicate checks find them.
    keys = customer_keys(
        kind=row.kind,
        name=row.name,
        phones=[row.phone] if row.phone else [],
        contacts=[(c.name, c.phone) for c in profile.contacts],
    )
    return Customer(
        kind=row.kind,
        name=row.name,
        phone=row.phone,
        phone_digest=crypto.digest(row.phone),
        email=row.email,
        email_digest=crypto.digest(row.email.lower()),
        owner_id=owner_id,
        created_by_id=owner_id,
        owner_since=row.created_at if owner_id else None,
        pool_id=None if owner_id else pool_id,
        released_at=None if owner_id else row.created_at,
        city=profile.city,
        province=profile.province,
        industry=profile.industry,
        company_size=profile.company_size,
        source=profile.source,
        lifecycle_stage=profile.lifecycle_stage,
        gender=profile.gender,
        birthday=profile.birthday,
        created_at=row.created_at,
        updated_at=row.created_at,
        **keys,
    )


def _related(customers: list[Customer], profiles: list[ProfileRow], tag_ids: dict[str, int]) -> None:
    """Phones, emails, contacts and tags of a batch of just-inserted customers, in bulk."""
    phones: list[CustomerPhone] = []
    emails: list[CustomerEmail] = []
    contacts: list[Contact] = []
    tags: list[Any] = []
    through = Customer.tags.through
    for customer, profile in zip(customers, profiles, strict=True):
        if customer.phone:
            phones.append(
                CustomerPhone(
                    customer=customer,
                    number=customer.phone,
                    digest=customer.phone_digest,
                    label="mobile",
                    is_primary=True,
                )
            )
        if customer.email:
            emails.append(
                CustomerEmail(customer=customer, address=customer.email, digest=customer.email_digest, is_primary=True)
            )
        for c in profile.contacts:
            full, initials = pinyin_keys(c.name)
            contacts.append(
                Contact(
                    customer=customer,
                    name=c.name,
                    title=c.title,
                    role=c.role,
                    phone=c.phone,
                    phone_digest=crypto.digest(c.phone),
                    email=c.email,
                    email_digest=crypto.digest(c.email.lower()),
                    is_primary=c.is_primary,
                    name_pinyin=full,
                    name_initials=initials,
                    phone_grams=phone_grams(c.phone) if c.phone else "",
                )
            )
        tags.extend(through(customer_id=customer.pk, tag_id=tag_ids[t]) for t in profile.tags)
    for model, objs in ((CustomerPhone, phones), (CustomerEmail, emails), (Contact, contacts), (through, tags)):
        for obj, pk in zip(objs, reserve_ids(model, len(objs)), strict=True):
            obj.pk = pk
        insert_rows(model, objs)


@transaction.atomic
def demo_customers_create(
    *,
    count: int,
    seed: int,
    batch_size: int = 5000,
    now: dt.datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Create `count` generated customers owned by the demo users (~5% in the public pool), in one transaction.

    Rows go in with bulk_create, `batch_size` at a time; `progress(n)` is called after each batch. Run
    `demo_organisation_ensure` first: owners missing from the database leave their customers in the pool.
    """
    owners = spec.customer_owners()
    owner_ids = dict(User.objects.filter(username__in=[name for name, _w in owners]).values_list("username", "id"))
    moment = timezone.localtime(now or timezone.now())
    rows = generate_customers(count, seed=seed, owners=owners, now=moment)
    profiles = ProfileGenerator(seed=seed, now=moment)
    pool = demo_pools_ensure()
    tag_ids = {name: Tag.objects.get_or_create(name=name)[0].pk for name in TAGS}
    created = 0
    with _explicit_timestamps(Customer):
        while chunk := list(itertools.islice(rows, batch_size)):
            batch_profiles = [profiles.profile(row) for row in chunk]
            batch = [_customer(row, p, owner_ids, pool.pk) for row, p in zip(chunk, batch_profiles, strict=True)]
            for customer, pk in zip(batch, reserve_ids(Customer, len(batch)), strict=True):
                customer.pk = pk
            insert_rows(Customer, batch)
            _related(batch, batch_profiles, tag_ids)
            created += len(batch)
            if progress is not None:
                progress(len(batch))
    for model in (Customer, CustomerPhone, CustomerEmail, Contact, Customer.tags.through):
        sync_sequence(model)
    audit_record(
        actor=spec.SEED_ACTOR,
        action=AuditEntry.Action.CREATE,
        object_type="customers.customer",
        object_repr=f"{created} demo customers",
        detail="demo seed",
        changes={"count": created, "seed": seed},
    )
    return created
