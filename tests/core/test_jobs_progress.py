from __future__ import annotations

import pytest
from django.urls import reverse

from guanxi.core.jobs import job_advance, job_create, job_fail, job_finish, job_start
from guanxi.core.models import Job
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_progress_counts_up_and_finishes(org):
    job = job_create(kind="import", user=org.rep_a, total=10)
    job_start(job)
    job_advance(job, 4)
    job_advance(job, 4, message="row 8")
    job.refresh_from_db()
    assert (job.status, job.done, job.percent, job.message) == (Job.Status.RUNNING, 8, 80, "row 8")
    job_advance(job, 5)  # never past the total
    job.refresh_from_db()
    assert job.done == 10
    job_finish(job, result={"summary": "10 rows"})
    job.refresh_from_db()
    assert job.finished and job.percent == 100 and job.result == {"summary": "10 rows"}


def test_failed_job_keeps_its_message(org):
    job = job_create(kind="export", user=org.rep_a)
    job_fail(job, message="disk full")
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.finished and job.message == "disk full"


def test_status_page_polls_until_done_and_is_private(client, org):
    job = job_create(kind="import", user=org.rep_a, total=4)
    login(client, org.rep_a)
    body = client.get(reverse("core:job_status", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in body
    job_finish(job, result={"summary": "all good"})
    body = client.get(reverse("core:job_status", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "every 1s" not in body and "all good" in body
    login(client, org.rep_b)
    assert client.get(reverse("core:job_status", args=[job.pk])).status_code == 404
