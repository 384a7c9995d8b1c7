"""How fast is the search box on a big PostgreSQL database? Target: median under 150 ms with 1,000,000 customers.

    .venv/bin/python bench/data_1m.py                         # once: fills guanxi_bench (see that script)
    .venv/bin/python bench/search_speed.py                    # 20 repeats of every query for every persona
    .venv/bin/python bench/search_speed.py --database guanxi_bench_small --repeat 5

Typical queries are taken from the data (customers owned by one sales rep, so every persona may see them): a full
Chinese name, part of a company name, a full pinyin, initials, 4 and 7 digits of a phone number, a whole number as
typed (138 1234 5678), an email address, and an English surname prefix. Each runs through the real selectors
(`customer_search`, and `contact_search` as the header's dropdown does) as three personas: a rep (own scope), a
regional manager (department and below) and the sales director (all). A fresh user object per run, as per request.
Prints per query the median of `customer_search` alone and of both sections, the results found, and the overall
medians with their ratio to the target.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
TARGET_MS = 150.0
PERSONAS = {"own": "bench_rep1", "department": "bench_manager1", "all": "bench_director"}


def sample_queries() -> list[tuple[str, str]]:
    """(label, query) pairs from real rows owned by the first rep."""
    from guanxi.customers.models import Contact, Customer
    from guanxi.customers.search.keys import company_key, pinyin_keys

    own = Customer.objects.filter(owner__username=PERSONAS["own"]).order_by("id")
    person = own.filter(kind="person", name_pinyin__gt="").exclude(phone="").exclude(email="").first()
    company = own.filter(kind="company", name_pinyin__gt="").first()
    english = own.filter(kind="person", name_pinyin="").exclude(name="").first()
    contact = Contact.objects.filter(customer__owner__username=PERSONAS["own"]).order_by("id").first()
    assert person and company, "run bench/data_1m.py first"
    digits = person.phone[3:]  # +86 13812345678 → 13812345678
    key = company_key(company.name)
    queries = [
        ("full name", person.name),
        ("partial company name", key[:2]),
        ("company name", key),
        ("pinyin", pinyin_keys(person.name)[0]),
        ("initials", person.name_initials),
        ("phone, 4 digits", digits[-4:]),
        ("phone, 7 digits", digits[2:9]),
        ("phone as typed", f"{digits[:3]} {digits[3:7]} {digits[7:]}"),
        ("email", person.email.upper()),
    ]
    if english:
        queries.append(("English surname prefix", english.name.split()[-1][:4]))
    if contact:
        queries.append(("contact name", contact.name))
    return queries


def timed(fn: Any, repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="guanxi_bench")
    parser.add_argument("--server", default=os.environ.get("GUANXI_BENCH_SERVER", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--limit", type=int, default=8, help="results per section (the dropdown shows 8)")
    args = parser.parse_args()

    os.environ["GUANXI_DATABASE_URL"] = f"{args.server}/{args.database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    import django

    django.setup()
    from guanxi.accounts.models import User
    from guanxi.customers.models import Customer
    from guanxi.customers.search.selectors import contact_search, customer_search

    total = Customer.objects.count()
    queries = sample_queries()
    print(f"{total:,} customers in {args.database}; {args.repeat} runs per query and persona; limit {args.limit}")
    print(f"{'persona':<11} {'query':<24} {'q':<26} {'customers':>9} {'+contacts':>9}  found")
    customer_medians: list[float] = []
    both_medians: list[float] = []
    per_persona: dict[str, list[float]] = {}
    for persona, username in PERSONAS.items():
        for label, q in queries:

            def customers(q: str = q, username: str = username) -> list[Any]:
                actor = User.objects.get(username=username)
                return customer_search(actor=actor, q=q, limit=args.limit)

            def both(q: str = q, username: str = username) -> tuple[list[Any], list[Any]]:
                actor = User.objects.get(username=username)
                return (
                    customer_search(actor=actor, q=q, limit=args.limit),
                    contact_search(actor=actor, q=q, limit=args.limit),
                )

            customers()  # warm the connection and caches once
            median_c, _found = timed(customers, args.repeat)
            median_b, (found_c, found_k) = timed(both, args.repeat)
            customer_medians.append(median_c)
            both_medians.append(median_b)
            per_persona.setdefault(persona, []).append(median_b)
            print(
                f"{persona:<11} {label:<24} {q[:26]:<26} {median_c:7.1f}ms {median_b:7.1f}ms  "
                f"{len(found_c)} customers, {len(found_k)} contacts"
            )
    overall_c = statistics.median(customer_medians)
    overall_b = statistics.median(both_medians)
    print()
    for persona, medians in per_persona.items():
        print(f"{persona:<11} median (both sections) {statistics.median(medians):.1f} ms, worst {max(medians):.1f} ms")
    print(f"overall median, customer_search:          {overall_c:.1f} ms (ratio {overall_c / TARGET_MS:.2f})")
    print(f"overall median, customers + contacts:     {overall_b:.1f} ms (ratio {overall_b / TARGET_MS:.2f})")


if __name__ == "__main__":
    main()
