"""Background work of search: a full reindex as a job with progress."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from guanxi.core.models import Job


@db_task()
def search_reindex_task(job_id: int) -> None:
    from guanxi.customers.search.services import search_reindex

    job = Job.objects.filter(pk=job_id).first()
    if job is not None:
        search_reindex(batch=int(job.params.get("batch", 5000)), job=job)
