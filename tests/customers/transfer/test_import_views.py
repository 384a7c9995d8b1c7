"""The import pages: upload → mapping → preview → commit as a job, and the error report download."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from guanxi.core.models import Job
from guanxi.customers.models import Customer
from guanxi.customers.transfer import services
from tests.factories_transfer import csv_upload

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_upload_map_preview_and_commit(org, huey_immediate, django_capture_on_commit_callbacks) -> None:
    client = _client(org.rep_a)
    rows = [["客户名称", "手机", "Unknown"], ["张三", "13812345678", "x"], ["李四", "12", "y"]]
    response = client.post(reverse("customers:import"), {"file": csv_upload(rows, encoding="gbk")})
    assert response.status_code == 302
    job = Job.objects.get(user=org.rep_a, kind=services.IMPORT_KIND)
    assert response["Location"] == reverse("customers:import_mapping", args=[job.pk])

    page = client.get(response["Location"])
    assert page.status_code == 200
    content = page.content.decode()
    assert 'name="col_0"' in content and "张三" in content  # headers and sample values, decoded from GBK
    response = client.post(
        reverse("customers:import_mapping", args=[job.pk]), {"col_0": "name", "col_1": "phone", "remember": "on"}
    )
    assert response.status_code == 302

    preview = client.get(reverse("customers:import_preview", args=[job.pk]))
    html = preview.content.decode()
    assert 'data-row="2" data-action="create"' in html
    assert 'data-row="3" data-action="reject"' in html and "“12”" in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("customers:import_preview", args=[job.pk]), {"duplicates": "skip"})
    assert response["Location"] == reverse("core:job_status", args=[job.pk])
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.result["counts"]["created"] == 1
    assert Customer.objects.get().name == "张三"

    download = client.get(reverse("customers:transfer_job_file", args=[job.pk]))
    assert download.status_code == 200
    body = b"".join(download.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    assert "李四" in body and "Rejected" in body
    assert "attachment" in download["Content-Disposition"]
    # The job page shows the summary and links to the report.
    status = client.get(reverse("core:job_status", args=[job.pk])).content.decode()
    assert "1 created" in status and reverse("customers:transfer_job_file", args=[job.pk]) in status


def test_the_preview_follows_the_chosen_duplicate_mode(org) -> None:
    from tests.factories import CustomerFactory

    CustomerFactory(owner=org.rep_a, phone="+8613812345678")
    Customer.objects.update(phone_digest=__import__("guanxi.core.crypto", fromlist=["digest"]).digest("+8613812345678"))
    client = _client(org.rep_a)
    client.post(reverse("customers:import"), {"file": csv_upload([["Name", "Phone"], ["Dup", "13812345678"]])})
    job = Job.objects.get(user=org.rep_a)
    client.post(reverse("customers:import_mapping", args=[job.pk]), {"col_0": "name", "col_1": "phone"})
    url = reverse("customers:import_preview", args=[job.pk])
    assert 'data-action="skip"' in client.get(url, {"duplicates": "skip"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-action="update"' in client.get(url, {"duplicates": "update"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-action="create"' in client.get(url, {"duplicates": "create"}, HTTP_HX_REQUEST="true").content.decode()


def test_bad_uploads_answer_422_with_the_message(org) -> None:
    client = _client(org.rep_a)
    response = client.post(
        reverse("customers:import"), {"file": csv_upload([["a"]], name="x.pdf")}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert "CSV or Excel" in response.content.decode()
    mapping = _client(org.rep_a)
    mapping.post(reverse("customers:import"), {"file": csv_upload([["A", "B"], ["x", "y"]])})
    job = Job.objects.get(user=org.rep_a)
    response = mapping.post(
        reverse("customers:import_mapping", args=[job.pk]), {"col_1": "phone"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert "name" in response.content.decode()
    assert 'value="phone" selected' in response.content.decode()  # the choice made is kept


def test_jobs_and_files_are_the_uploaders_own(org) -> None:
    owner = _client(org.rep_a)
    owner.post(reverse("customers:import"), {"file": csv_upload([["Name"], ["A"]])})
    job = Job.objects.get(user=org.rep_a)
    Job.objects.filter(pk=job.pk).update(output_file="jobs/out/x.csv")
    for user in (org.director, org.rep_b):
        other = _client(user)
        assert other.get(reverse("customers:import_mapping", args=[job.pk])).status_code == 404
        assert other.get(reverse("customers:import_preview", args=[job.pk])).status_code == 404
        assert other.get(reverse("customers:transfer_job_file", args=[job.pk])).status_code == 404


def test_import_needs_the_create_permission(org) -> None:
    assert _client(org.viewer).get(reverse("customers:import")).status_code == 403
