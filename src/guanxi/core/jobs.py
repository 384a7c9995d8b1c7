"""Jobs with progress, and helpers for periodic jobs shared by every app's `tasks.py`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F
from django.db.models.functions import Least
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY

from guanxi.core.models import Job


def local_crontab(**fields: str) -> Callable[[dt.datetime], bool]:
    """A huey crontab read in the site's time zone (settings.TIME_ZONE), whatever clock huey runs on.

    huey hands periodic tasks naive UTC times when `utc` is on (its default); "03:30" should mean 03:30 in Shanghai,
    not in Greenwich.
    """
    matches = crontab(**fields)

    def validate(moment: dt.datetime) -> bool:
        if HUEY.utc:
            moment = moment.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(settings.TIME_ZONE)).replace(tzinfo=None)
        return bool(matches(moment))

    return validate


def job_create(*, kind: str, user: Any, total: int = 0, params: dict[str, Any] | None = None) -> Job:
    return Job.objects.create(kind=kind, user=user, total=total, params=params or {})


def job_start(job: Job, *, total: int | None = None) -> None:
    fields: dict[str, Any] = {"status": Job.Status.RUNNING, "started_at": timezone.now()}
    if total is not None:
        fields["total"] = total
    Job.objects.filter(pk=job.pk).update(**fields)


def job_advance(job: Job, step: int = 1, *, message: str = "") -> None:
    """Add `step` to the job's progress in one UPDATE (safe when several workers report at once)."""
    fields: dict[str, Any] = {"done": F("done") + step}
    if job.total:
        fields["done"] = Least(F("done") + step, F("total"))
    if message:
        fields["message"] = message[:255]
    Job.objects.filter(pk=job.pk).update(**fields)


def job_finish(job: Job, *, result: dict[str, Any] | None = None, message: str = "") -> None:
    job.status = Job.Status.DONE
    job.result = result or {}
    job.message = message[:255]
    job.finished_at = timezone.now()
    job.done = job.total or job.done
    Job.objects.filter(pk=job.pk).update(
        status=job.status,
        result=job.result,
        message=job.message,
        finished_at=job.finished_at,
        done=F("total") if job.total else F("done"),
    )


def job_fail(job: Job, *, message: str) -> None:
    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, message=message[:255], finished_at=timezone.now())
