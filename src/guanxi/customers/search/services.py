"""Keeping the search keys current: one customer after a change to it or its contacts, or all of them in bulk.

`search_refresh(customer_id)` is called by the customers services after a customer, its phone numbers or its contacts
change (inside their transaction). `search_reindex` recomputes every key (name_key, name_pinyin, name_initials,
phone_grams, search_text) batch by batch with one UPDATE per few hundred rows; it runs from `guanxi search_reindex`
or as a job with progress (`search_reindex_start`).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction

from guanxi.core import jobs
from guanxi.core.models import Job
from guanxi.customers.models import Contact, Customer, CustomerPhone
from guanxi.customers.search.keys import customer_keys

KEY_FIELDS = ("name_key", "name_pinyin", "name_initials", "phone_grams", "search_text")
JOB_KIND = "customers.search_reindex"
_UPDATE_ROWS = 500  # rows per UPDATE statement (6 values each: well under SQLite's limit of bound values)


def _keys_for(customers: list[tuple[int, str, str, str]]) -> list[tuple[Any, ...]]:
    """(id, *KEY_FIELDS) for (id, kind, name, phone) rows, reading their other numbers and their contacts."""
    ids = [row[0] for row in customers]
    numbers: dict[int, list[str]] = defaultdict(list)
    for customer_id, number in (
        CustomerPhone.objects.filter(customer_id__in=ids)
        .order_by("customer_id", "-is_primary", "id")
        .values_list("customer_id", "number")
    ):
        numbers[customer_id].append(number)
    contacts: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for customer_id, name, phone in (
        Contact.objects.filter(customer_id__in=ids)
        .order_by("customer_id", "id")
        .values_list("customer_id", "name", "phone")
    ):
        contacts[customer_id].append((name, phone))
    out = []
    for pk, kind, name, phone in customers:
        phones = [phone] if phone else []
        phones += [n for n in numbers.get(pk, []) if n and n != phone]
        keys = customer_keys(kind=kind, name=name, phones=phones, contacts=contacts.get(pk, []))
        out.append((pk, *(keys[f] for f in KEY_FIELDS)))
    return out


def _write(rows: list[tuple[Any, ...]]) -> None:
    """UPDATE customers_customer from a VALUES list (PostgreSQL and SQLite 3.33+ both take UPDATE … FROM)."""
    table = connection.ops.quote_name(Customer._meta.db_table)
    columns = ", ".join(KEY_FIELDS)
    assignments = ", ".join(f"{f} = v.{f}" for f in KEY_FIELDS)
    for start in range(0, len(rows), _UPDATE_ROWS):
        part = rows[start : start + _UPDATE_ROWS]
        values = ", ".join(["(" + ", ".join(["%s"] * (len(KEY_FIELDS) + 1)) + ")"] * len(part))
        sql = (
            f"WITH v(id, {columns}) AS (VALUES {values}) "  # noqa: S608  (fixed identifiers, values bound)
            f"UPDATE {table} SET {assignments} FROM v WHERE {table}.id = v.id"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, list(itertools.chain.from_iterable(part)))


@transaction.atomic
def search_refresh(customer_id: int) -> None:
    """Recompute one customer's search keys from its name, numbers and contacts (after any of them changed)."""
    row = Customer.objects.filter(pk=customer_id).values_list("pk", "kind", "name", "phone").first()
    if row is None:
        return
    (values,) = _keys_for([row])
    Customer.objects.filter(pk=customer_id).update(**dict(zip(KEY_FIELDS, values[1:], strict=True)))


def _batches(customer_ids: Iterable[int] | None, batch: int) -> Iterator[list[tuple[int, str, str, str]]]:
    rows = Customer.objects.order_by("pk").values_list("pk", "kind", "name", "phone")
    if customer_ids is not None:
        ids = sorted(set(customer_ids))
        for start in range(0, len(ids), batch):
            yield list(rows.filter(pk__in=ids[start : start + batch]))
        return
    last = 0
    while chunk := list(rows.filter(pk__gt=last)[:batch]):
        yield chunk
        last = chunk[-1][0]


def search_reindex(
    *,
    customer_ids: Iterable[int] | None = None,
    batch: int = 5000,
    job: Job | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Recompute the search keys of these customers (default: all), `batch` at a time, each batch in its own
    transaction (a stopped run leaves every row either old or new, and can simply be run again). Returns the count.

    With `job`, the job's progress advances after each batch; `progress(n)` is called likewise.
    """
    ids = list(customer_ids) if customer_ids is not None else None
    if job is not None:
        jobs.job_start(job, total=len(ids) if ids is not None else Customer.objects.count())
    done = 0
    try:
        for chunk in _batches(ids, max(batch, 1)):
            with transaction.atomic():
                _write(_keys_for(chunk))
            done += len(chunk)
            if job is not None:
                jobs.job_advance(job, len(chunk))
            if progress is not None:
                progress(len(chunk))
    except Exception as exc:
        if job is not None:
            jobs.job_fail(job, message=str(exc))
        raise
    if job is not None:
        jobs.job_finish(job, result={"customers": done})
    return done


def search_reindex_start(*, actor: Any, batch: int = 5000) -> Job:
    """Start a full reindex as a background job (administrators only); the job page shows its progress."""
    if not getattr(actor, "is_superuser", False) and not actor.has_perm("accounts.manage"):
        raise PermissionDenied
    job = jobs.job_create(kind=JOB_KIND, user=actor, params={"batch": batch})

    def enqueue() -> None:
        from guanxi.customers.search.tasks import search_reindex_task

        search_reindex_task(job.pk)

    transaction.on_commit(enqueue)
    return job
