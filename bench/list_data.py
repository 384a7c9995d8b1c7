"""A PostgreSQL database with N customers (default 1,000,000) for the customer list benchmark, loaded with COPY.

    .venv/bin/python bench/list_data.py                          # guanxi_bench_lists, 1,000,000 customers
    .venv/bin/python bench/list_data.py --database guanxi_bench_lists --customers 200000 --fresh

It creates the database if needed, migrates it, builds an organisation (5 departments, 20 teams of 5, 100 reps, and
the four benchmark personas bench_own / bench_team / bench_dept / bench_all) and COPYs the customers: 90 % owned,
10 % in the public pool, six lifecycle stages, 30 cities, about 30 % with one of five tags, follow-up times spread
over a year. Encrypted phones and emails come from a pool of 1,000 pre-encrypted values (the list decrypts 25 per
page; the benchmark measures the list, not Fernet). Ends with ANALYZE so the planner knows the table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup(database: str) -> None:
    os.environ["GUANXI_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
    os.environ.setdefault("GUANXI_DEBUG", "false")
    os.environ.setdefault("GUANXI_SECRET_KEY", "bench-secret-key-not-for-production-0123456789abcdef")
    os.environ.setdefault("GUANXI_ALLOWED_HOSTS", "testserver,localhost")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    django.setup()


def _createdb(database: str, fresh: bool) -> None:
    if fresh:
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", database], check=True)
    exists = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{database}'"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not exists:
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", database], check=True)


def build_org() -> dict[str, object]:
    from guanxi.accounts.models import DataScope, Role, Team, User
    from guanxi.accounts.services import department_create

    perms = ["customers.view", "customers.create", "customers.change", "customers.delete", "customers.export"]
    roles = {
        scope: Role.objects.create(name=f"bench {scope}", permissions=perms, data_scopes={"customers": scope})
        for scope in (DataScope.OWN, DataScope.TEAM, DataScope.DEPARTMENT, DataScope.ALL)
    }
    hq = department_create(actor=None, name="HQ")
    departments = [department_create(actor=None, name=f"Sales {i}", parent=hq) for i in range(5)]
    reps: list[User] = []
    password = "!"  # unusable; the benchmark signs in with force_login
    for i in range(100):
        department = departments[i % 5]
        user = User.objects.create(
            username=f"rep{i:03d}", display_name=f"Rep {i}", department=department, password=password
        )
        user.roles.set([roles[DataScope.OWN]])
        reps.append(user)
    for t in range(20):
        members = reps[t * 5 : t * 5 + 5]
        team = Team.objects.create(name=f"Team {t}", department=members[0].department, leader=members[0])
        team.members.set(members)
    personas = {
        "own": reps[1],
        "team": reps[0],  # leads Team 0
        "dept": User.objects.create(username="bench_dept", department=departments[0], password=password),
        "all": User.objects.create(username="bench_all", department=hq, password=password),
    }
    personas["team"].roles.set([roles[DataScope.TEAM]])
    personas["dept"].roles.set([roles[DataScope.DEPARTMENT]])  # type: ignore[attr-defined]
    personas["all"].roles.set([roles[DataScope.ALL]])  # type: ignore[attr-defined]
    for key, user in personas.items():
        User.objects.filter(pk=user.pk).update(username=f"bench_{key}")  # type: ignore[attr-defined]
    return {"reps": [u.pk for u in reps]}


def load_customers(n: int, rep_ids: list[int], seed: int = 42) -> None:
    from django.db import connection

    from guanxi.core import crypto
    from guanxi.customers.models import Customer, Pool, Tag

    rng = random.Random(seed)
    pool = Pool.objects.create(name="Bench pool", is_default=True)
    tags = [Tag.objects.create(name=name) for name in ("vip", "key account", "cold", "partner", "event 2025")]
    field = Customer._meta.get_field("phone")
    phones = [f"+86138{rng.randrange(10**8):08d}" for _ in range(1000)]
    enc_phones = [field.get_db_prep_save(p, connection) for p in phones]
    dig_phones = [crypto.digest(p) for p in phones]
    emails = [f"user{i}@example.com" for i in range(1000)]
    enc_emails = [field.get_db_prep_save(e, connection) for e in emails]
    dig_emails = [crypto.digest(e) for e in emails]
    stages = ["prospect", "new", "active", "loyal", "at_risk", "churned"]
    sources = ["web_form", "referral", "event", "ad", "phone", "social"]
    industries = ["", "manufacturing", "retail", "it", "finance", "education"]
    cities = [("Guangdong", "Shenzhen"), ("Shanghai", "Shanghai"), ("Zhejiang", "Hangzhou"), ("Beijing", "Beijing")]
    cities += [(f"Province {i}", f"City {i}") for i in range(26)]
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    given = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂"
    now = dt.datetime.now(dt.UTC)
    fields = list(Customer._meta.concrete_fields)
    columns = [f.column for f in fields]
    start = time.perf_counter()
    through_rows: list[tuple[int, int]] = []

    def iso(value: dt.datetime | None) -> str:
        return "\\N" if value is None else value.isoformat()

    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3 cursor
        batch = 100_000
        for base in range(0, n, batch):
            buffer = io.StringIO()
            for pk in range(base + 1, min(base + batch, n) + 1):
                pooled = rng.random() < 0.10
                owner = "\\N" if pooled else str(rep_ids[rng.randrange(len(rep_ids))])
                name = rng.choice(surnames) + rng.choice(given) + (rng.choice(given) if rng.random() < 0.6 else "")
                created = now - dt.timedelta(seconds=(n - pk) * 30 + rng.randrange(30))
                last_fu = None if rng.random() < 0.2 else created + dt.timedelta(days=rng.randrange(0, 365))
                next_contact = None if rng.random() < 0.5 else now + dt.timedelta(days=rng.randrange(-30, 60))
                province, city = rng.choice(cities)
                k = rng.randrange(1000)
                values = {
                    "id": str(pk),
                    "created_at": created.isoformat(),
                    "updated_at": created.isoformat(),
                    "kind": "company" if rng.random() < 0.3 else "person",
                    "name": name,
                    "phone": enc_phones[k],
                    "phone_digest": dig_phones[k],
                    "email": enc_emails[k],
                    "email_digest": dig_emails[k],
                    "owner_id": owner,
                    "created_by_id": "\\N",
                    "gender": rng.choice(["", "female", "male"]),
                    "birthday": "\\N",
                    "lunar_birth_month": "\\N",
                    "lunar_birth_day": "\\N",
                    "lunar_birth_leap": "f",
                    "industry": rng.choice(industries),
                    "company_size": "",
                    "source": rng.choice(sources),
                    "lifecycle_stage": rng.choice(stages),
                    "value_tier": rng.choice(["", "gold", "silver", "bronze"]),
                    "uscc": "",
                    "id_number": "",
                    "id_number_digest": "",
                    "notes": "",
                    "custom": "{}",
                    "province": province,
                    "city": city,
                    "last_follow_up_at": iso(last_fu),
                    "last_follow_up_summary": "",
                    "next_contact_at": iso(next_contact),
                    "pool_id": str(pool.pk) if pooled else "\\N",
                    "locked": "t" if rng.random() < 0.02 else "f",
                    "owner_since": "\\N",
                    "previous_owner_id": "\\N",
                    "released_at": "\\N",
                    "name_key": name,
                    "name_pinyin": "",
                    "name_initials": "",
                    "phone_grams": "",
                    "search_text": name,
                }
                buffer.write("\t".join(values.get(c, "") for c in columns) + "\n")
                if rng.random() < 0.3:
                    through_rows.append((pk, tags[rng.randrange(len(tags))].pk))
            buffer.seek(0)
            with raw.copy(f"COPY customers_customer ({', '.join(columns)}) FROM STDIN") as copy:
                copy.write(buffer.read())
            print(f"  {min(base + batch, n):,} customers ({time.perf_counter() - start:.0f} s)", flush=True)
        with raw.copy("COPY customers_customer_tags (customer_id, tag_id) FROM STDIN") as copy:
            copy.write("".join(f"{c}\t{t}\n" for c, t in through_rows))
        cursor.execute("SELECT setval(pg_get_serial_sequence('customers_customer', 'id'), %s)", [n])
    # VACUUM (outside a transaction) sets the visibility map, as autovacuum would on a live database, so counts can
    # be index-only scans; ANALYZE gives the planner the table's statistics.
    connection.ensure_connection()
    autocommit = connection.get_autocommit()
    connection.set_autocommit(True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE customers_customer")
        cursor.execute("VACUUM ANALYZE customers_customer_tags")
    connection.set_autocommit(autocommit)
    print(f"loaded {n:,} customers and {len(through_rows):,} tags in {time.perf_counter() - start:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="guanxi_bench_lists")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--fresh", action="store_true", help="drop the database first")
    args = parser.parse_args()
    _createdb(args.database, args.fresh)
    _setup(args.database)
    from django.core.management import call_command

    from guanxi.customers.models import Customer

    call_command("migrate", verbosity=0)
    if Customer.objects.exists():
        print(f"{args.database} already holds customers; use --fresh to rebuild it")
        return
    org = build_org()
    load_customers(args.customers, org["reps"])  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
