"""Two people merge the same pair at once, in opposite directions: one merge wins, the other finds nothing (404).

Both rows are locked lower id first, so the two transactions queue on the same row instead of deadlocking, and the
second one re-reads after the first committed. SELECT … FOR UPDATE is real on PostgreSQL only (SQLite serialises every
writer anyway), so this runs there.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection, connections
from django.http import Http404

from guanxi.customers.dedupe import services as dedupe_services
from guanxi.customers.models import Customer, MergeRecord
from tests.customers.dedupe.conftest import grant_merge
from tests.factories_dedupe import ContactFactory, KeyedCustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")
def test_opposite_merges_at_once_one_wins(org, monkeypatch):
    grant_merge(org.rep_a, org.lead)
    a = KeyedCustomerFactory(owner=org.rep_a, name="甲")
    b = KeyedCustomerFactory(owner=org.rep_a, name="乙")
    ContactFactory.create_batch(2, customer=a)
    ContactFactory.create_batch(3, customer=b)
    lock = dedupe_services._lock

    def slow_lock(*args: Any) -> Any:
        rows = lock(*args)
        time.sleep(0.3)  # hold both locks while the other merge tries to take them
        return rows

    monkeypatch.setattr(dedupe_services, "_lock", slow_lock)
    barrier = threading.Barrier(2)
    results: list[Any] = [None, None]

    def run(index: int, actor: Any, survivor: Customer, merged: Customer) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = dedupe_services.customers_merge(actor=actor, survivor=survivor, merged=merged, choices={})
        except BaseException as exc:  # the test inspects what each thread got
            results[index] = exc
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(0, org.rep_a, a, b)),
        threading.Thread(target=run, args=(1, org.lead, b, a)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    won = [r for r in results if isinstance(r, MergeRecord)]
    lost = [r for r in results if isinstance(r, Http404)]
    assert len(won) == 1 and len(lost) == 1, results
    assert Customer.objects.filter(pk__in=[a.pk, b.pk]).count() == 1
    assert MergeRecord.objects.count() == 1
    kept = Customer.objects.get(pk__in=[a.pk, b.pk])
    assert kept.contacts.count() == 5
    assert connection.vendor == "postgresql"
