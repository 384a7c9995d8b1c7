"""Fill a separate PostgreSQL database with 1,000,000 customers for the search and list benchmarks.

    .venv/bin/python bench/data_1m.py                                  # 1,000,000 customers into guanxi_bench
    .venv/bin/python bench/data_1m.py --customers 200000 --database guanxi_bench_small
    .venv/bin/python bench/data_1m.py --server postgres://postgres@127.0.0.1:5432 --workers 2

The database is dropped and created again (it must be a scratch database: the name must start with "guanxi_bench"),
migrated, and given an organisation of 50 users in a department tree (HQ → Sales → 5 regions → 2 groups each): one
director (scope all), 5 regional managers (department), 10 team leads (team), 34 sales reps (own). Customers come from
the demo generators (realistic Chinese and English people and companies, mobile numbers, emails, ~5% in the public
pool) with 1–2 contacts for most companies, and are owned by the reps, leads and managers.

Every key is computed by the application's own code (`customers.search.keys.customer_keys`, the keyed digests and the
field encryption), in worker processes; rows go in with COPY (psycopg `cursor.copy`) with the tables' secondary indexes
dropped during the load and built again afterwards, then ANALYZE. The run prints each phase's time.
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import os
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

REGIONS = ("华东区", "华南区", "华北区", "西南区", "华中区")
GROUPS = ("一部", "二部")
CHUNK = 5000
CONTACT_SHARE = 0.8  # of companies
TABLES = ("customers_customer", "customers_contact", "customers_customerphone", "customers_customeremail")


def _log(started: float, message: str) -> None:
    print(f"[{time.monotonic() - started:7.1f} s] {message}", flush=True)


def recreate_database(server: str, name: str) -> None:
    import psycopg

    if not name.startswith("guanxi_bench"):
        raise SystemExit("the benchmark database's name must start with guanxi_bench (it is dropped first)")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["GUANXI_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    import django

    django.setup()


def make_organisation() -> dict[str, Any]:
    """50 users with roles of every scope; returns owner weights and the persona usernames."""
    from guanxi.accounts.models import DataScope, Role, Team, User
    from guanxi.accounts.services import department_create
    from guanxi.customers.models import Pool

    perms = ["customers.view", "customers.create", "customers.change", "customers.export", "customers.reveal"]
    roles = {
        scope: Role.objects.create(name=f"bench {scope}", permissions=perms, data_scopes={"customers": scope})
        for scope in (DataScope.ALL, DataScope.DEPARTMENT, DataScope.TEAM, DataScope.OWN)
    }
    hq = department_create(actor=None, name="总部")
    sales = department_create(actor=None, name="销售部", parent=hq)

    def user(username: str, department: Any, scope: str) -> Any:
        u = User.objects.create(username=username, display_name=username, department=department)
        u.set_unusable_password()
        u.save(update_fields=["password"])
        u.roles.set([roles[scope]])
        return u

    user("bench_director", sales, DataScope.ALL)
    weights: list[tuple[str, float]] = []
    rep_no = 0
    for r, region_name in enumerate(REGIONS, start=1):
        region = department_create(actor=None, name=region_name, parent=sales)
        user(f"bench_manager{r}", region, DataScope.DEPARTMENT)
        weights.append((f"bench_manager{r}", 2))
        for g, group_name in enumerate(GROUPS, start=1):
            group = department_create(actor=None, name=region_name + group_name, parent=region)
            lead = user(f"bench_lead{r}{g}", group, DataScope.TEAM)
            weights.append((lead.username, 4))
            reps_here = 4 if (r + g) % 3 else 3  # 34 reps in all
            members = [lead]
            for _ in range(reps_here):
                rep_no += 1
                rep = user(f"bench_rep{rep_no}", group, DataScope.OWN)
                members.append(rep)
                weights.append((rep.username, 10))
            team = Team.objects.create(name=region_name + group_name + "组", department=group, leader=lead)
            team.members.set(members)
    Pool.objects.get_or_create(name="公海", defaults={"is_default": True})
    return {"weights": weights, "users": User.objects.count()}


# --- rows ------------------------------------------------------------------------------------------------------------
def _defaults(model: Any) -> tuple[list[str], dict[str, Any]]:
    import json

    columns, defaults = [], {}
    for field in model._meta.concrete_fields:
        columns.append(field.column)
        value = field.get_default()
        if isinstance(value, dict | list):
            value = json.dumps(value)
        elif hasattr(value, "value"):
            value = value.value  # TextChoices member
        defaults[field.column] = value
    return columns, defaults


def _worker_init() -> None:
    # Each worker computes keys and ciphertexts; the Django settings come with the fork.
    pass


def build_chunk(task: tuple[int, int, list[Any], list[list[tuple[str, str, str]]], dict[str, Any]]) -> dict[str, Any]:
    """COPY rows for one chunk of generated customers: (first customer id, first contact id, rows, contacts, ctx)."""
    from guanxi.core import crypto
    from guanxi.customers.models import Contact, Customer, CustomerEmail, CustomerPhone
    from guanxi.customers.search.keys import customer_keys, phone_grams, pinyin_keys

    first_id, first_contact_id, rows, contacts_per_row, ctx = task
    c_cols, c_def = _defaults(Customer)
    k_cols, k_def = _defaults(Contact)
    p_cols, p_def = _defaults(CustomerPhone)
    e_cols, e_def = _defaults(CustomerEmail)
    customers, contacts, phones, emails = [], [], [], []
    contact_id = first_contact_id
    for offset, (row, row_contacts) in enumerate(zip(rows, contacts_per_row, strict=True)):
        pk = first_id + offset
        owner_id = ctx["owner_ids"].get(row.owner) if row.owner else None
        enc_phone, enc_email = crypto.encrypt(row.phone), crypto.encrypt(row.email)
        phone_digest, email_digest = crypto.digest(row.phone), crypto.digest(row.email.lower())
        keys = customer_keys(
            kind=row.kind, name=row.name, phones=[row.phone] if row.phone else [], contacts=row_contacts
        )
        values = dict(c_def)
        values.update(
            id=pk,
            created_at=row.created_at,
            updated_at=row.created_at,
            kind=row.kind,
            name=row.name,
            phone=enc_phone,
            phone_digest=phone_digest,
            email=enc_email,
            email_digest=email_digest,
            owner_id=owner_id,
            created_by_id=owner_id,
            owner_since=row.created_at if owner_id else None,
            pool_id=None if owner_id else ctx["pool_id"],
            released_at=None if owner_id else row.created_at,
            **keys,
        )
        customers.append(tuple(values[c] for c in c_cols))
        if row.phone:
            p = dict(p_def)
            p.update(
                id=pk,
                created_at=row.created_at,
                updated_at=row.created_at,
                customer_id=pk,
                number=enc_phone,
                digest=phone_digest,
                label="mobile",
                is_primary=True,
            )
            phones.append(tuple(p[c] for c in p_cols))
        if row.email:
            e = dict(e_def)
            e.update(
                id=pk,
                created_at=row.created_at,
                updated_at=row.created_at,
                customer_id=pk,
                address=enc_email,
                digest=email_digest,
                is_primary=True,
            )
            emails.append(tuple(e[c] for c in e_cols))
        for n, (name, phone, email) in enumerate(row_contacts):
            full, initials = pinyin_keys(name)
            k = dict(k_def)
            k.update(
                id=contact_id,
                created_at=row.created_at,
                updated_at=row.created_at,
                customer_id=pk,
                name=name,
                title="采购经理" if n == 0 else "财务",
                role="purchaser" if n == 0 else "finance",
                phone=crypto.encrypt(phone),
                phone_digest=crypto.digest(phone),
                email=crypto.encrypt(email),
                email_digest=crypto.digest(email.lower()),
                is_primary=n == 0,
                name_pinyin=full,
                name_initials=initials,
                phone_grams=phone_grams(phone),
            )
            contacts.append(tuple(k[c] for c in k_cols))
            contact_id += 1
    return {
        "customers_customer": (c_cols, customers),
        "customers_contact": (k_cols, contacts),
        "customers_customerphone": (p_cols, phones),
        "customers_customeremail": (e_cols, emails),
    }


def tasks(count: int, seed: int, weights: list[tuple[str, float]], ctx: dict[str, Any]) -> Iterator[Any]:
    """Chunks of generated customers (with their contacts), ids assigned in order."""
    from guanxi.demo.generators import CustomerGenerator

    generator = CustomerGenerator(seed=seed, owners=weights, now=ctx["now"])
    rng = random.Random(seed + 1)
    rows = generator.rows(count)
    next_id, next_contact = 1, 1
    while chunk := list(itertools.islice(rows, CHUNK)):
        contacts: list[list[tuple[str, str, str]]] = []
        for row in chunk:
            people: list[tuple[str, str, str]] = []
            if row.kind == "company" and rng.random() < CONTACT_SHARE:
                for _ in range(1 if rng.random() < 0.6 else 2):
                    name, email = generator.chinese_person()
                    people.append((name, generator.phone(), email))
            contacts.append(people)
        yield (next_id, next_contact, chunk, contacts, ctx)
        next_id += len(chunk)
        next_contact += sum(len(p) for p in contacts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--database", default="guanxi_bench")
    parser.add_argument("--server", default=os.environ.get("GUANXI_BENCH_SERVER", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument(
        "--max-minutes",
        type=float,
        default=0,
        help="stop loading after this long and finish (indexes, ANALYZE) with the customers loaded so far",
    )
    args = parser.parse_args()

    started = time.monotonic()
    recreate_database(args.server, args.database)
    setup_django(f"{args.server}/{args.database}")
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from guanxi.accounts.models import User
    from guanxi.customers.models import Pool

    call_command("migrate", verbosity=0)
    _log(started, f"database {args.database} created and migrated")
    org = make_organisation()
    ctx = {
        "owner_ids": dict(User.objects.values_list("username", "id")),
        "pool_id": Pool.objects.get(name="公海").pk,
        "now": timezone.localtime(timezone.now()),
    }
    _log(started, f"organisation: {org['users']} users")

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))",
            [list(TABLES)],
        )
        index_defs = cursor.fetchall()
        for _table, name, _sql in index_defs:
            cursor.execute(f'DROP INDEX "{name}"')
    _log(started, f"dropped {len(index_defs)} secondary indexes for the load")

    raw = connection.connection  # the psycopg connection under Django's wrapper
    raw.autocommit = False
    with raw.cursor() as cur:
        cur.execute("SET session_replication_role = replica")  # no foreign-key triggers during the load
    loaded = dict.fromkeys(TABLES, 0)
    load_started = time.monotonic()
    ctx_pool = multiprocessing.get_context("fork").Pool(args.workers, initializer=_worker_init)
    try:
        for n, result in enumerate(ctx_pool.imap(build_chunk, tasks(args.customers, args.seed, org["weights"], ctx))):
            with raw.cursor() as cur:
                for table, (columns, rows) in result.items():
                    if not rows:
                        continue
                    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                    loaded[table] += len(rows)
            raw.commit()
            if n % 20 == 19:
                _log(started, f"{loaded['customers_customer']:,} customers loaded")
            if args.max_minutes and time.monotonic() - load_started > args.max_minutes * 60:
                _log(started, f"stopping after {args.max_minutes} minutes of loading")
                ctx_pool.terminate()
                break
    finally:
        ctx_pool.close()
        ctx_pool.join()
    with raw.cursor() as cur:
        cur.execute("SET session_replication_role = DEFAULT")
        for table in TABLES:
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))"
            )
    raw.commit()
    raw.autocommit = True
    _log(started, "loaded: " + ", ".join(f"{t} {c:,}" for t, c in loaded.items()))

    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET max_parallel_maintenance_workers = 2")
        for _table, name, sql in index_defs:
            t = time.monotonic()
            cursor.execute(sql)
            print(f"    index {name}: {time.monotonic() - t:.1f} s", flush=True)
        _log(started, f"{len(index_defs)} indexes built")
        for table in TABLES:
            cursor.execute(f"VACUUM ANALYZE {table}")
        for table in ("accounts_user", "accounts_department", "accounts_team", "accounts_team_members"):
            cursor.execute(f"ANALYZE {table}")
    _log(started, f"done: {loaded['customers_customer']:,} customers in {args.database}")


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    main()
