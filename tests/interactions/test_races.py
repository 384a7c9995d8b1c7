"""Real concurrency on PostgreSQL: two revisit runs at once create each task once; two completions of one task, one
wins. (SQLite serialises writers, so the race cannot happen there.)"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection

from guanxi.interactions import services
from guanxi.interactions.models import FollowUp, Interaction
from tests.conftest import make_org
from tests.factories import CustomerFactory
from tests.factories_interactions import FollowUpFactory, RevisitPlanFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="needs PostgreSQL (set GUANXI_DATABASE_URL) for real races"),
]


def _at_once(*calls: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_revisit_runs_at_once_create_each_task_once() -> None:
    org = make_org()
    CustomerFactory.create_batch(20, owner=org.rep_a, lifecycle_stage="loyal")
    plan = RevisitPlanFactory()
    created = []
    for _attempt in range(3):
        results = _at_once(lambda: services.revisit_plan_run(plan=plan), lambda: services.revisit_plan_run(plan=plan))
        assert all(isinstance(r, int) for r in results), results  # the loser skips quietly, it does not fail
        created += results
    assert FollowUp.objects.filter(plan=plan).count() == 20


def test_two_completions_at_once_one_wins() -> None:
    org = make_org()
    task = FollowUpFactory(customer=CustomerFactory(owner=org.rep_a), assignee=org.rep_a)
    results = _at_once(
        lambda: services.follow_up_complete(actor=org.rep_a, follow_up=task),
        lambda: services.follow_up_complete(actor=org.lead, follow_up=task),
    )
    assert sum(isinstance(r, FollowUp) for r in results) == 1
    assert sum(isinstance(r, ValidationError) for r in results) == 1
    assert Interaction.objects.filter(customer=task.customer).count() == 1
