"""Background work of the customer list: bulk actions too large to run while the user waits."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from guanxi.customers.lists.services import bulk_job_run


@db_task()
def customers_bulk_job(job_id: int) -> None:
    bulk_job_run(job_id)
