"""Claims race for real: threads, each with its own database connection, claim at the same moment.

The services' checks are slowed down (a short sleep after every check passed and before the UPDATE) so that every
thread has read "nobody owns it" / "below the limit" before any of them writes: without the conditional UPDATE and the
per-user serialisation these tests fail. Run them on PostgreSQL as well as SQLite (see tests/README or the report).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.http import Http404

from guanxi.accounts.models import User
from guanxi.customers.models import Customer, OwnershipEvent
from guanxi.customers.pools import services
from tests.factories import RoleFactory, UserFactory
from tests.factories_pools import PoolFactory, pool_customer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("pool-races")]

THREADS = 8


@pytest.fixture
def race_db(org, tmp_path: Path) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """On SQLite, run the race in a database file, as in production (WAL, writers queue up to the busy timeout).

    The test database is in memory with a shared cache, where a second writer fails at once ("database table is
    locked") instead of waiting: that is the test runner's shortcut, not how Guanxi runs. The in-memory database is
    copied to a file for the test and put back afterwards. PostgreSQL needs nothing of this.
    """
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    connection.ensure_connection()
    target = tmp_path / "race.sqlite3"
    copy = sqlite3.connect(target)
    connection.connection.backup(copy)
    copy.close()
    memory, name = connection.connection, connection.settings_dict["NAME"]
    connection.connection = None  # the next query opens the file (threads read the same settings)
    connection.settings_dict["NAME"] = str(target)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name
        connection.connection = memory


def _slow_checks(monkeypatch: pytest.MonkeyPatch, delay: float = 0.15) -> None:
    check = services._check_claim

    def slow(actor: Any, row: Any) -> Any:
        pool = check(actor, row)
        time.sleep(delay)  # everyone has passed the checks before anyone writes
        return pool

    monkeypatch.setattr(services, "_check_claim", slow)


def _run_at_once(jobs: list[Callable[[], Any]]) -> list[Any]:
    """Run `jobs` in threads that start together; each thread closes its own connection when done."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(index: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = job()
        except BaseException as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a claim never finished"
    return results


def _claim(user_id: int, customer_id: int) -> Callable[[], Any]:
    def job() -> Any:
        actor = User.objects.select_related("department").get(pk=user_id)
        customer = Customer.objects.get(pk=customer_id)
        return services.customer_claim(actor=actor, customer=customer).owner_id

    return job


@pytest.fixture
def reps(org) -> list[User]:  # type: ignore[no-untyped-def]
    role = RoleFactory(name="Pool rep", data_scopes={"customers": "own"})
    return [UserFactory(username=f"racer{i}", department=org.sales, roles=[role]) for i in range(THREADS)]


@pytest.fixture
def world(org, reps, race_db):  # type: ignore[no-untyped-def]
    """The organisation and the racing reps, in the database the threads will use."""
    return org, reps


def test_simultaneous_claims_of_one_customer_have_exactly_one_winner(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    org, reps = world
    pool = PoolFactory(name="Race pool", member_departments=[org.sales])
    customer = pool_customer(pool)
    _slow_checks(monkeypatch)

    results = _run_at_once([_claim(rep.pk, customer.pk) for rep in reps])

    winners = [r for r in results if isinstance(r, int)]
    assert len(winners) == 1, results
    # A loser that read the customer before the winner wrote is told someone else was quicker; one that started
    # after the winner committed no longer sees the customer at all (it left the pool): 404.
    losers = [r for r in results if not isinstance(r, int)]
    assert len(losers) == THREADS - 1
    for loser in losers:
        assert isinstance(loser, ValidationError | Http404), results
        if isinstance(loser, ValidationError):
            assert "Someone else has just claimed" in loser.messages[0] or "has an owner" in loser.messages[0]
    customer.refresh_from_db()
    assert customer.owner_id == winners[0] and customer.pool is None
    events = OwnershipEvent.objects.filter(customer=customer, kind=OwnershipEvent.Kind.CLAIM)
    assert list(events.values_list("actor_id", flat=True)) == winners


def test_one_user_racing_claims_never_exceeds_the_holding_limit(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    org, _reps = world
    pool = PoolFactory(name="Limited pool", member_departments=[org.sales], max_customers_per_user=3)
    customers = [pool_customer(pool) for _ in range(THREADS)]
    _slow_checks(monkeypatch)

    results = _run_at_once([_claim(org.rep_b.pk, c.pk) for c in customers])

    won = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(won) == 3 and len(refused) == THREADS - 3, results
    assert all("You already hold 3 customers" in e.messages[0] for e in refused)
    assert Customer.objects.filter(owner=org.rep_b).count() == 3
    assert OwnershipEvent.objects.filter(actor=org.rep_b, kind=OwnershipEvent.Kind.CLAIM).count() == 3


def test_one_user_racing_claims_never_exceeds_the_daily_limit(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    org, _reps = world
    pool = PoolFactory(name="Daily pool", member_departments=[org.sales], max_claims_per_day=2)
    customers = [pool_customer(pool) for _ in range(THREADS)]
    _slow_checks(monkeypatch, delay=0.1)

    results = _run_at_once([_claim(org.rep_a.pk, c.pk) for c in customers])

    assert sum(isinstance(r, int) for r in results) == 2, results
    assert Customer.objects.filter(owner=org.rep_a).count() == 2
    assert OwnershipEvent.objects.filter(actor=org.rep_a, kind=OwnershipEvent.Kind.CLAIM).count() == 2
