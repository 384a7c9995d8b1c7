"""Background jobs: a real task goes through each huey backend (queue → dequeue → execute), the periodic schedule, and
the `guanxi worker` command."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone
from huey import PriorityRedisHuey, SqliteHuey
from huey.api import Huey
from huey.contrib.djhuey import HUEY

from guanxi.accounts import tasks

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(params=["sqlite", "redis"])
def huey(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Huey]:
    """A fresh huey of each backend: SQLite in a temporary file always, Redis when GUANXI_REDIS_URL is set."""
    if request.param == "sqlite":
        instance: Huey = SqliteHuey("guanxi-test", filename=str(tmp_path / "huey.sqlite3"))
        yield instance
        return
    if not settings.REDIS_URL:
        pytest.skip("Redis backend not tested: set GUANXI_REDIS_URL (e.g. redis://127.0.0.1:6379/15) to run it")
    instance = PriorityRedisHuey(f"guanxi-test-{uuid.uuid4().hex}", url=settings.REDIS_URL)
    try:
        yield instance
    finally:
        instance.storage.flush_all()


def _session(expire_date: dt.datetime) -> str:
    store = SessionStore()
    store["user"] = "demo"
    store.create()
    Session.objects.filter(pk=store.session_key).update(expire_date=expire_date)
    assert store.session_key is not None
    return store.session_key


@pytest.mark.django_db(transaction=True)  # the task closes stale connections the way a worker does
def test_purge_expired_sessions_runs_through_the_queue(huey: Huey) -> None:
    now = timezone.now()
    expired = [_session(now - dt.timedelta(days=1)), _session(now - dt.timedelta(seconds=5))]
    live = _session(now + dt.timedelta(hours=1))

    task_wrapper = huey.task()(tasks.purge_expired_sessions)  # the same function, on this backend's queue
    result = task_wrapper()
    assert len(huey) == 1
    assert Session.objects.count() == 3  # enqueued, not run yet

    task = huey.dequeue()
    assert task is not None
    assert len(huey) == 0
    value = huey.execute(task)

    assert value == 2
    assert result.get() == 2  # the result travelled through the backend's result store
    assert list(Session.objects.values_list("session_key", flat=True)) == [live]
    assert not Session.objects.filter(session_key__in=expired).exists()


@pytest.mark.django_db(transaction=True)
def test_purge_with_nothing_expired_keeps_everything(huey: Huey) -> None:
    live = _session(timezone.now() + dt.timedelta(days=3))
    huey.task()(tasks.purge_expired_sessions)()
    task = huey.dequeue()
    assert task is not None
    assert huey.execute(task) == 0
    assert list(Session.objects.values_list("session_key", flat=True)) == [live]


def _huey_clock(local: dt.datetime) -> dt.datetime:
    """The naive timestamp huey's scheduler passes to periodic tasks for the site-local moment `local`."""
    if HUEY.utc:
        return local.astimezone(dt.UTC).replace(tzinfo=None)
    return local.replace(tzinfo=None)


def test_purge_is_a_periodic_task_of_the_configured_huey() -> None:
    periodic = {type(task).__name__: task for task in HUEY._registry.periodic_tasks}
    assert "purge_expired_sessions" in periodic
    assert type(periodic["purge_expired_sessions"]).__module__ == "guanxi.accounts.tasks"


@pytest.mark.parametrize(
    ("local", "fires"),
    [
        (dt.datetime(2025, 3, 14, 3, 30, tzinfo=SHANGHAI), True),
        (dt.datetime(2025, 12, 31, 3, 30, tzinfo=SHANGHAI), True),
        (dt.datetime(2025, 3, 14, 3, 31, tzinfo=SHANGHAI), False),
        (dt.datetime(2025, 3, 14, 4, 30, tzinfo=SHANGHAI), False),
        # 03:30 UTC is 11:30 in Shanghai: the schedule follows the site's time zone, not huey's UTC clock.
        (dt.datetime(2025, 3, 14, 3, 30, tzinfo=dt.UTC), False),
    ],
)
def test_purge_fires_daily_at_0330_site_time(local: dt.datetime, fires: bool) -> None:
    assert settings.TIME_ZONE == "Asia/Shanghai"
    timestamp = _huey_clock(local)
    assert tasks.purge_expired_sessions.s().validate_datetime(timestamp) is fires
    due = {type(task).__name__ for task in HUEY.read_periodic(timestamp)}
    assert ("purge_expired_sessions" in due) is fires


def test_worker_command_runs_the_huey_consumer(monkeypatch: pytest.MonkeyPatch) -> None:
    started: dict[str, Any] = {}

    class FakeConsumer:
        def run(self) -> None:
            started["ran"] = True

    def create_consumer(**options: Any) -> FakeConsumer:
        started["options"] = options
        return FakeConsumer()

    monkeypatch.setattr(HUEY, "create_consumer", create_consumer)
    huey_logger = logging.getLogger("huey")  # the command configures it; leave it as it was for other tests
    monkeypatch.setattr(huey_logger, "handlers", list(huey_logger.handlers))
    monkeypatch.setattr(huey_logger, "propagate", huey_logger.propagate)
    call_command("worker", workers=3)
    assert started["ran"] is True
    assert started["options"]["workers"] == 3  # the command line wins
    assert started["options"]["worker_type"] == settings.HUEY["consumer"]["worker_type"]  # the rest from settings
