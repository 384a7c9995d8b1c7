"""Export: scoped like the list (checked per persona against the access matrix's own table), filtered, masked unless
revealed, permission-checked, audited, streamed in chunks; large exports run as jobs."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.audit.models import AuditEntry
from guanxi.core.models import Job
from guanxi.customers.transfer import services
from tests.factories import CustomerFactory
from tests.test_access_matrix import VISIBLE

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _csv(response: Any) -> list[dict[str, str]]:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


@pytest.mark.parametrize("persona", sorted(VISIBLE))
@pytest.mark.parametrize("api", [False, True])
def test_export_holds_exactly_the_personas_scope(org, customers_by_owner, persona: str, api: bool) -> None:
    client = _client(org.personas()[persona])
    url = reverse("api-1:customer_export") if api else reverse("customers:export")
    response = client.get(url, {"format": "csv", "columns": "id" if api else ["id"]})
    assert response.status_code == 200
    ids = {int(row["ID"]) for row in _csv(response)}
    assert ids == {c.pk for key in VISIBLE[persona] for c in customers_by_owner[key]}


def test_export_keeps_the_list_filters(org) -> None:
    CustomerFactory(owner=org.rep_a, name="Acme Ltd", kind="company")
    CustomerFactory(owner=org.rep_a, name="Zhang", kind="person")
    client = _client(org.rep_a)
    rows = _csv(client.get(reverse("customers:export"), {"kind": "company", "format": "csv"}))
    assert [r["Name"] for r in rows] == ["Acme Ltd"]
    rows = _csv(client.get(reverse("api-1:customer_export"), {"kind": "person", "format": "csv"}))
    assert [r["Name"] for r in rows] == ["Zhang"]


def test_phone_and_email_are_masked_unless_revealed_and_asked_for(org) -> None:
    CustomerFactory(owner=org.rep_a, phone="+8613812345678", email="zhang@example.com")
    client = _client(org.rep_a)
    [masked] = _csv(client.get(reverse("customers:export"), {"format": "csv"}))
    assert (masked["Phone"], masked["Email"]) == ("138****5678", "z***@example.com")
    [clear] = _csv(client.get(reverse("customers:export"), {"format": "csv", "include_personal_data": "on"}))
    assert (clear["Phone"], clear["Email"]) == ("+8613812345678", "zhang@example.com")
    entry = AuditEntry.objects.filter(action="export").latest("id")
    assert entry.changes["personal_data"] is True and entry.changes["count"] == 1
    # Without customers.reveal the box does nothing.
    role = org.rep_a.roles.get()
    role.permissions = [p for p in role.permissions if p != "customers.reveal"]
    role.save()
    [still_masked] = _csv(
        _client(org.rep_a).get(reverse("customers:export"), {"format": "csv", "include_personal_data": "on"})
    )
    assert still_masked["Phone"] == "138****5678"
    assert AuditEntry.objects.filter(action="export").latest("id").changes["personal_data"] is False


def test_export_is_audited_with_count_filters_and_columns(org) -> None:
    CustomerFactory.create_batch(3, owner=org.rep_a, kind="company")
    _client(org.rep_a).get(reverse("customers:export"), {"kind": "company", "format": "csv", "columns": ["name"]})
    entry = AuditEntry.objects.get(action="export")
    assert entry.actor == org.rep_a
    assert entry.changes["count"] == 3
    assert ["kind", "company"] in entry.changes["filters"]
    assert entry.changes["columns"] == ["name"]


def test_export_needs_the_export_permission(org) -> None:
    role = org.rep_a.roles.get()
    role.permissions = [p for p in role.permissions if p != "customers.export"]
    role.save()
    client = _client(org.rep_a)
    assert client.get(reverse("customers:export"), {"format": "csv"}).status_code == 403
    assert client.get(reverse("api-1:customer_export"), {"format": "csv"}).status_code == 403
    assert _client(org.viewer).get(reverse("customers:export")).status_code == 403
    assert not AuditEntry.objects.filter(action="export").exists()


def test_xlsx_export_with_chosen_columns(org) -> None:
    from openpyxl import load_workbook

    CustomerFactory(owner=org.rep_a, name="李四")
    response = _client(org.rep_a).get(reverse("customers:export"), {"format": "xlsx", "columns": ["name", "owner"]})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [["Name", "Owner"], ["李四", "rep_a"]]


def test_large_exports_run_as_a_job_with_a_download_only_for_their_user(
    org, monkeypatch, huey_immediate, django_capture_on_commit_callbacks
) -> None:
    monkeypatch.setattr(services, "EXPORT_SYNC_LIMIT", 2)
    CustomerFactory.create_batch(3, owner=org.rep_a)
    CustomerFactory(owner=org.rep_b)
    client = _client(org.rep_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("customers:export"), {"format": "csv"})
    job = Job.objects.get(kind=services.EXPORT_KIND)
    assert response["Location"] == reverse("core:job_status", args=[job.pk])
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.total == 3
    download = client.get(reverse("customers:transfer_job_file", args=[job.pk]))
    assert len(_csv(download)) == 3
    assert _client(org.rep_b).get(reverse("customers:transfer_job_file", args=[job.pk])).status_code == 404
    api = client.get(reverse("api-1:customer_export_status", args=[job.pk])).json()
    assert api["status"] == "done" and api["file_url"]
    assert client.get(api["file_url"]).status_code == 200
    assert _client(org.rep_b).get(api["file_url"]).status_code == 404


def test_export_queries_do_not_grow_with_the_rows(org) -> None:
    client = _client(org.rep_a)
    client.get(reverse("customers:export"))  # warm-up (second-factor check on the first request)

    def queries(n: int) -> int:
        CustomerFactory.create_batch(n, owner=org.rep_a)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("customers:export"), {"format": "csv"})
            b"".join(response.streaming_content)
        return len(ctx.captured_queries)

    assert queries(2) == queries(20)


def test_the_export_page_previews_the_scoped_rows_and_keeps_the_filters(org) -> None:
    CustomerFactory(owner=org.rep_a, name="Mine", kind="company")
    CustomerFactory(owner=org.rep_b, name="Theirs", kind="company")
    html = _client(org.rep_a).get(reverse("customers:export"), {"kind": "company"}).content.decode()
    assert "Mine" in html and "Theirs" not in html
    assert '<input type="hidden" name="kind" value="company">' in html
