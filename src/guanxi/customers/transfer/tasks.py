"""Background jobs of import and export: thin wrappers around the services (the services queue them on commit)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from guanxi.customers.transfer import services


@db_task(retries=2, retry_delay=10)
def customer_import_task(job_id: int) -> None:
    """Commit an import; a retry resumes after the last committed batch."""
    services.customer_import_run(job_id=job_id)


@db_task()
def customer_export_task(job_id: int) -> None:
    services.customer_export_run(job_id=job_id)
