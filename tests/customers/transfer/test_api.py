"""Import and export through /api/v1/customers/: the same services as the pages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from guanxi.core.models import Job
from guanxi.customers.models import Customer
from tests.factories_transfer import csv_upload

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_import_through_the_api(org, huey_immediate, django_capture_on_commit_callbacks) -> None:
    client = _client(org.rep_a)
    upload = csv_upload([["Full name", "Tel"], ["Alice", "13812345678"], ["Bob", "bad"]], encoding="utf-8-sig")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("api-1:customer_import_create"),
            {"file": upload, "mapping": json.dumps({"0": "name", "1": "phone"}), "duplicates": "skip"},
        )
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    status = client.get(reverse("api-1:customer_import_status", args=[job_id])).json()
    assert status["status"] == "done"
    assert status["counts"] == {"created": 1, "updated": 0, "skipped": 0, "rejected": 1}
    assert status["problems"][0]["row"] == 3 and status["problems"][0]["reasons"][0].startswith("Phone:")
    assert client.get(status["report_url"]).status_code == 200
    assert Customer.objects.get().owner == org.rep_a
    # Someone else's job does not exist for them.
    assert _client(org.rep_b).get(reverse("api-1:customer_import_status", args=[job_id])).status_code == 404
    assert _client(org.rep_b).get(status["report_url"]).status_code == 404


def test_api_import_errors_are_422_with_field_names(org) -> None:
    client = _client(org.rep_a)
    response = client.post(
        reverse("api-1:customer_import_create"), {"file": csv_upload([["A"], ["x"]]), "mapping": "{}"}
    )
    assert response.status_code == 422
    assert "mapping" in response.json()["error"]["fields"]
    response = client.post(
        reverse("api-1:customer_import_create"), {"file": csv_upload([["Name"], ["x"]]), "duplicates": "merge"}
    )
    assert response.status_code == 422
    assert "duplicates" in response.json()["error"]["fields"]
    assert not Job.objects.exists()


def test_api_import_uses_the_guessed_mapping_when_none_is_sent(
    org, huey_immediate, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(org.rep_a).post(
            reverse("api-1:customer_import_create"),
            {"file": csv_upload([["客户名称", "邮箱"], ["王五", "w@example.com"]])},
        )
    assert response.status_code == 202
    assert response.json()["mapping"] == {"0": "name", "1": "email"}
    assert Customer.objects.get().email == "w@example.com"


def test_api_import_needs_the_create_permission(org) -> None:
    response = _client(org.viewer).post(
        reverse("api-1:customer_import_create"), {"file": csv_upload([["Name"], ["x"]])}
    )
    assert response.status_code == 403


def test_api_export_rejects_a_bad_filter_with_422(org) -> None:
    response = _client(org.rep_a).get(reverse("api-1:customer_export"), {"kind": "robot"})
    assert response.status_code == 422
    assert "kind" in response.json()["error"]["fields"]
