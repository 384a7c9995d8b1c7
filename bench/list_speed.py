"""How fast the customer list page answers on a PostgreSQL database with 1,000,000 customers.

    .venv/bin/python bench/list_data.py                    # once: builds guanxi_bench_lists (about 3 minutes)
    .venv/bin/python bench/list_speed.py                   # 20 repetitions per case
    .venv/bin/python bench/list_speed.py --database guanxi_bench_lists --repeat 50 --explain

Each case is a full GET of /customers/ through Django's test Client (middleware, session, scope, filters, keyset
page, capped count, template) for one persona: own, team, department and all scope, with the default view ("My
customers"; for the all-scope persona also "everything") and three typical filters. After one warm-up request per case
it prints every case's median, min and max in milliseconds, the number of SQL queries, and the median divided by the
100 ms target (below 1.00 meets it). With --explain it prints PostgreSQL's plan of each case's page and count queries.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 100.0


def _setup(database: str) -> None:
    os.environ["GUANXI_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
    os.environ.setdefault("GUANXI_DEBUG", "false")
    os.environ.setdefault("GUANXI_SECRET_KEY", "bench-secret-key-not-for-production-0123456789abcdef")
    os.environ.setdefault("GUANXI_ALLOWED_HOSTS", "testserver,localhost")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    django.setup()
    from django.conf import settings

    # Production serves hashed static names from collectstatic's manifest; the benchmark needs no collected files.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def cases(vip_tag: int) -> list[tuple[str, str, dict[str, str]]]:
    """(persona, case name, query): the default view and three typical filters per persona."""
    out: list[tuple[str, str, dict[str, str]]] = []
    for persona in ("own", "team", "dept", "all"):
        out.append((persona, "default view (mine)", {}))
        if persona != "own":
            out.append((persona, "everything in scope", {"owner": ""}))
        out.append(
            (
                persona,
                "stage active + source referral",
                {"owner": "", "lifecycle_stage": "active", "source": "referral"},
            )
        )
        out.append(
            (persona, "tag vip", {"owner": "", "tags": str(vip_tag), "cols": "name,kind,phone,owner,tags,created"})
        )
        out.append(
            (
                persona,
                "not followed up in 30 days, Shenzhen",
                {"owner": "", "not_followed_up_days": "30", "city": "Shenzhen"},
            )
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="guanxi_bench_lists")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--cap", type=int, default=0, help="count exactly up to this many rows (default: the app's)")
    args = parser.parse_args()
    _setup(args.database)
    from guanxi.customers.lists import paging

    if args.cap:
        paging.COUNT_CAP = args.cap

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from guanxi.accounts.models import User
    from guanxi.customers.models import Customer, Tag

    total = Customer.objects.count()
    vip = Tag.objects.get(name="vip").pk
    print(
        f"database {args.database}: {total:,} customers; {args.repeat} repetitions per case; "
        f"count cap {paging.COUNT_CAP:,}; target {TARGET_MS:.0f} ms"
    )
    print(f"{'persona':<6} {'case':<40} {'median':>8} {'min':>8} {'max':>8} {'queries':>8} {'ratio':>6}  shown")
    clients: dict[str, Client] = {}
    worst = 0.0
    for persona, name, query in cases(vip):
        client = clients.get(persona)
        if client is None:
            client = clients[persona] = Client()
            client.force_login(User.objects.get(username=f"bench_{persona}"))
            client.get("/", secure=True)  # the once-per-session second-factor check
        response = client.get("/customers/", query, secure=True)
        assert response.status_code == 200, response.status_code
        timings = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = client.get("/customers/", query, secure=True)
            timings.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/customers/", query, secure=True)
        shown = response.content.decode().split('id="result-count">', 1)[1].split("<", 1)[0].strip()
        median = statistics.median(timings)
        worst = max(worst, median)
        print(
            f"{persona:<6} {name:<40} {median:8.1f} {min(timings):8.1f} {max(timings):8.1f} "
            f"{len(ctx.captured_queries):8d} {median / TARGET_MS:6.2f}  {shown}"
        )
        if args.explain:
            for q in ctx.captured_queries:
                if "customers_customer" in q["sql"] and ("LIMIT" in q["sql"] or "COUNT" in q["sql"]):
                    with connection.cursor() as cursor:
                        cursor.execute("EXPLAIN ANALYZE " + q["sql"])
                        print("    " + "\n    ".join(r[0] for r in cursor.fetchall()))
    print(f"slowest median {worst:.1f} ms; ratio {worst / TARGET_MS:.2f}")


if __name__ == "__main__":
    main()
