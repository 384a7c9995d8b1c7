"""Import services: mapping, preview, duplicate modes, batches that never leave half a row, and the error report."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.audit.models import AuditEntry
from guanxi.core import crypto
from guanxi.core.models import Job
from guanxi.customers.models import Customer, CustomerEmail, CustomerPhone, CustomFieldDefinition, ImportTemplate
from guanxi.customers.transfer import columns, selectors, services
from guanxi.customers.transfer.services import customer_import_run
from tests.factories import CustomerFactory
from tests.factories_transfer import csv_upload, xlsx_upload

pytestmark = pytest.mark.django_db

HEADER = ["Name", "Phone", "Email"]


def start(
    actor: Any, rows: list[list[Any]], *, mode: str = "skip", mapping: dict[str, str] | None = None, upload: Any = None
) -> Job:
    job = services.customer_import_upload(actor=actor, file=upload or csv_upload(rows))
    job = services.customer_import_set_mapping(actor=actor, job=job, mapping=mapping or job.params["mapping"])
    return services.customer_import_start(actor=actor, job=job, duplicates=mode)


def run(actor: Any, rows: list[list[Any]], *, batch_size: int = 2000, **kwargs: Any) -> Job:
    job = start(actor, rows, **kwargs)
    return customer_import_run(job_id=job.pk, batch_size=batch_size)


def report(job: Job) -> list[list[str]]:
    with job.output_file.open("rb") as handle:
        raw = handle.read()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel opens Chinese text correctly
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


# --- mapping ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "headers",
    [
        ["Name", "Phone", "Email", "Owner", "Type"],
        ["客户名称", "手机", "邮箱", "负责人", "客户类型"],
        ["客戶名稱", "電話", "電子郵件", "負責人", "類型"],
        ["  customer NAME ", "Mobile", "E-mail", "owner", "kind"],
    ],
)
def test_columns_are_guessed_from_headers_in_every_language(headers: list[str]) -> None:
    assert columns.guess_mapping(headers, []) == {"0": "name", "1": "phone", "2": "email", "3": "owner", "4": "kind"}


def test_custom_fields_are_guessed_by_label_and_unknown_columns_are_left_out() -> None:
    size = CustomFieldDefinition(key="shoe_size", label="鞋码", type="number")
    assert columns.guess_mapping(["姓名", "鞋码", "whatever"], [size]) == {"0": "name", "1": "custom:shoe_size"}


def test_the_mapping_is_remembered_per_user_for_the_same_header_row(org) -> None:
    rows = [["Full", "Tel", "Misc"], ["Alice", "13812345678", "x"]]
    first = services.customer_import_upload(actor=org.rep_a, file=csv_upload(rows))
    assert first.params["mapping"] == {"1": "phone"}  # "Full" is not a heading we know
    services.customer_import_set_mapping(actor=org.rep_a, job=first, mapping={"0": "name", "1": "phone", "2": "notes"})
    template = ImportTemplate.objects.get(user=org.rep_a)
    assert template.signature == columns.header_signature(["Full", "Tel", "Misc"])

    # Same headers (different case and spacing) → remembered; another user → guessed afresh.
    again = services.customer_import_upload(actor=org.rep_a, file=csv_upload([["full", " TEL", "misc"], ["B", "", ""]]))
    assert again.params["mapping"] == {"0": "name", "1": "phone", "2": "notes"}
    assert again.params["template"] == template.pk
    other = services.customer_import_upload(actor=org.rep_b, file=csv_upload(rows))
    assert other.params["mapping"] == {"1": "phone"}
    different = services.customer_import_upload(actor=org.rep_a, file=csv_upload([["Full", "Tel"], ["B", ""]]))
    assert different.params["mapping"] == {"1": "phone"}


def test_a_mapping_must_name_the_name_column_and_use_each_field_once(org) -> None:
    job = services.customer_import_upload(actor=org.rep_a, file=csv_upload([["A", "B"], ["x", "y"]]))
    with pytest.raises(ValidationError) as missing:
        services.customer_import_set_mapping(actor=org.rep_a, job=job, mapping={"1": "phone"})
    assert "mapping" in missing.value.message_dict
    with pytest.raises(ValidationError) as twice:
        services.customer_import_set_mapping(actor=org.rep_a, job=job, mapping={"0": "name", "1": "name"})
    assert "“A”" in twice.value.message_dict["mapping"][0] and "“B”" in twice.value.message_dict["mapping"][0]


def test_only_the_uploader_can_use_the_job(org) -> None:
    job = services.customer_import_upload(actor=org.rep_a, file=csv_upload([HEADER, ["A", "", ""]]))
    from django.http import Http404

    with pytest.raises(Http404):
        services.customer_import_set_mapping(actor=org.admin, job=job, mapping={"0": "name"})


# --- preview ----------------------------------------------------------------------------------------------------------
def test_preview_names_row_field_and_reason_and_the_duplicate(org) -> None:
    existing = CustomerFactory(owner=org.rep_a, phone="+8613900000001", phone_digest=crypto.digest("+8613900000001"))
    rows = [HEADER, ["Good", "138 1234 5678", "good@example.com"], ["", "12", "nope"], ["Dup", "13900000001", ""]]
    job = services.customer_import_upload(actor=org.rep_a, file=csv_upload(rows))
    job = services.customer_import_set_mapping(actor=org.rep_a, job=job, mapping=job.params["mapping"])
    preview = selectors.import_preview(actor=org.rep_a, job=job)
    good, bad, dup = preview.results
    assert (good.number, good.action) == (2, "create")
    assert bad.number == 3 and bad.action == "reject"
    assert set(bad.errors) == {"name", "phone", "email"}
    assert any(line.startswith("Phone: “12”") for line in bad.reasons)
    assert (dup.number, dup.action, dup.match_id) == (4, "skip", existing.pk)
    assert f"#{existing.pk}" in dup.reasons[0]
    assert Customer.objects.count() == 1  # the preview writes nothing


def test_a_duplicate_outside_the_scope_tells_only_its_owner(org) -> None:
    CustomerFactory(owner=org.agent, email="x@example.com", email_digest=crypto.digest("x@example.com"))
    job = start(org.rep_a, [HEADER, ["Same", "", "x@example.com"]], mode="update")
    [row] = selectors.import_preview(actor=org.rep_a, job=job, mode="update").results
    assert row.action == "reject"
    assert "Agent" in row.reasons[0] and "outside your data scope" in row.reasons[0]
    assert "#" not in row.reasons[0]


# --- commit -----------------------------------------------------------------------------------------------------------
def test_rows_are_written_like_the_customer_services_write_them(org) -> None:
    job = run(
        org.rep_a,
        [
            ["姓名", "手机", "邮箱", "性别", "生日", "来源", "城市"],
            ["张三", "138-1234-5678", "ZS@Example.COM", "男", "1990/5/17", "", "上海"],
        ],
    )
    assert job.status == Job.Status.DONE
    assert job.result["counts"] == {"created": 1, "updated": 0, "skipped": 0, "rejected": 0}
    c = Customer.objects.get()
    assert (c.phone, c.email, c.owner, c.created_by) == ("+8613812345678", "ZS@example.com", org.rep_a, org.rep_a)
    assert c.phone_digest == crypto.digest("+8613812345678")
    assert c.email_digest == crypto.digest("zs@example.com")
    assert (c.name_pinyin, c.name_initials) == ("zhangsan", "zs") and c.phone_grams
    assert (c.gender, str(c.birthday), c.source, c.city) == ("male", "1990-05-17", "import", "上海")
    assert list(CustomerPhone.objects.values_list("customer_id", "number", "is_primary")) == [
        (c.pk, "+8613812345678", True)
    ]
    assert list(CustomerEmail.objects.values_list("customer_id", "digest")) == [(c.pk, c.email_digest)]


def test_skip_mode_leaves_duplicates_alone(org) -> None:
    existing = CustomerFactory(
        owner=org.rep_a, name="Old", email="a@example.com", email_digest=crypto.digest("a@example.com")
    )
    job = run(org.rep_a, [HEADER, ["New name", "", "a@example.com"], ["Other", "", "b@example.com"]])
    existing.refresh_from_db()
    assert existing.name == "Old"
    assert job.result["counts"] == {"created": 1, "updated": 0, "skipped": 1, "rejected": 0}
    assert report(job)[1][:2] == ["2", "Skipped"]


def test_update_mode_fills_the_existing_customer_with_the_given_cells(org) -> None:
    existing = CustomerFactory(
        owner=org.rep_a,
        name="Old",
        phone="+8613800000000",
        email="a@example.com",
        phone_digest=crypto.digest("+8613800000000"),
        email_digest=crypto.digest("a@example.com"),
    )
    CustomerPhone.objects.create(
        customer=existing, number="+8613800000000", digest=existing.phone_digest, is_primary=True
    )
    job = run(
        org.rep_a,
        [["Name", "Phone", "Email", "Notes"], ["New name", "13911112222", "a@example.com", ""]],
        mode="update",
    )
    assert job.result["counts"]["updated"] == 1
    existing.refresh_from_db()
    assert (existing.name, existing.phone, existing.email) == ("New name", "+8613911112222", "a@example.com")
    assert existing.phone_digest == crypto.digest("+8613911112222")
    assert existing.name_key == "newname"
    # The primary phone row was rewritten, as the customer services do.
    assert list(CustomerPhone.objects.filter(customer=existing).values_list("number", "is_primary")) == [
        ("+8613911112222", True)
    ]
    assert Customer.objects.count() == 1
    entry = AuditEntry.objects.get(action="update")
    assert entry.changes["ids"] == [existing.pk] and entry.changes["count"] == 1


def test_update_mode_cannot_reach_customers_outside_the_scope(org) -> None:
    theirs = CustomerFactory(
        owner=org.rep_b, name="Theirs", email="t@example.com", email_digest=crypto.digest("t@example.com")
    )
    job = run(org.rep_a, [HEADER, ["Mine now", "", "t@example.com"]], mode="update")
    theirs.refresh_from_db()
    assert theirs.name == "Theirs"
    assert job.result["counts"]["rejected"] == 1


def test_create_mode_creates_duplicates_anyway_but_never_a_second_credit_code(org) -> None:
    CustomerFactory(
        owner=org.rep_a,
        email="a@example.com",
        email_digest=crypto.digest("a@example.com"),
        kind="company",
        uscc="91350100M000100Y43",
    )
    job = run(
        org.rep_a,
        [["Name", "Email", "USCC"], ["Again", "a@example.com", ""], ["Same code", "", "91350100M000100Y43"]],
        mode="create",
    )
    assert job.result["counts"] == {"created": 1, "updated": 0, "skipped": 0, "rejected": 1}
    assert Customer.objects.filter(email_digest=crypto.digest("a@example.com")).count() == 2
    assert "unified social credit code" in report(job)[1][2]


def test_duplicates_within_the_file_are_found_in_the_same_batch_and_across_batches(org) -> None:
    rows = [
        HEADER,
        ["A", "13812345678", ""],
        ["B", "", "b@example.com"],
        ["A again", "+86 138 1234 5678", ""],
        ["B again", "", "B@EXAMPLE.com"],
    ]
    job = run(org.rep_a, rows, batch_size=2)
    assert job.result["counts"] == {"created": 2, "updated": 0, "skipped": 2, "rejected": 0}
    reasons = {int(r[0]): r[2] for r in report(job)[1:]}
    assert reasons == {4: "Same phone as row 2 of this file.", 5: "Same email as row 3 of this file."}
    # In "create" mode the repeats are created too.
    job = run(org.rep_b, [HEADER, ["C", "13700000000", ""], ["C again", "13700000000", ""]], mode="create")
    assert job.result["counts"]["created"] == 2


def test_owner_column_takes_usernames_and_display_names_within_the_scope(org) -> None:
    rows = [["Name", "Owner"], ["One", "rep_a"], ["Two", "Lead"], ["Three", ""], ["Four", "rep_b"]]
    job = run(org.lead, rows)
    owners = dict(Customer.objects.values_list("name", "owner__username"))
    assert owners == {"One": "rep_a", "Two": "lead", "Three": "lead"}
    assert job.result["counts"]["rejected"] == 1
    assert "Owner: “rep_b”" in report(job)[1][2]


def test_custom_fields_are_validated_by_their_definitions(org) -> None:
    CustomFieldDefinition.objects.create(key="budget", label="Budget", type="number")
    job = run(org.rep_a, [["Name", "Budget"], ["Ok", "1,200"], ["Bad", "lots"]])
    assert Customer.objects.get(name="Ok").custom == {"budget": 1200}
    assert "Budget: enter a number" in report(job)[1][2]


def test_xlsx_import(org) -> None:
    job = start(org.rep_a, [], upload=xlsx_upload([["客户名称", "手机"], ["李四", 13912345678]]))
    job = customer_import_run(job_id=job.pk)
    assert Customer.objects.get().phone == "+8613912345678"


def test_one_audit_entry_per_batch(org) -> None:
    rows = [HEADER, *[[f"C{i}", "", f"c{i}@example.com"] for i in range(5)]]
    job = run(org.rep_a, rows, batch_size=2)
    entries = AuditEntry.objects.filter(action="create", object_type="customers.customer").order_by("id")
    assert [e.changes["count"] for e in entries] == [2, 2, 1]
    assert sorted(i for e in entries for i in e.changes["ids"]) == sorted(Customer.objects.values_list("pk", flat=True))
    assert all(e.changes["job"] == job.pk for e in entries)


def test_queries_per_batch_do_not_grow_with_the_rows(org) -> None:
    def queries(n: int) -> int:
        rows = [HEADER, *[[f"N{n}-{i}", f"1380000{n:02d}{i:02d}", f"n{n}-{i}@example.com"] for i in range(n)]]
        job = start(org.rep_a, rows)
        with CaptureQueriesContext(connection) as ctx:
            customer_import_run(job_id=job.pk)
        return len(ctx.captured_queries)

    # (SQLite allows 999 parameters per statement, so more than ~20 customers per INSERT would be split in two.)
    assert queries(3) == queries(15)


# --- nothing half-written ---------------------------------------------------------------------------------------------
def test_a_failing_batch_writes_nothing_of_itself_and_the_job_resumes_after_the_last_good_batch(
    org, monkeypatch
) -> None:
    rows = [HEADER, *[[f"C{i}", f"138000000{i:02d}", ""] for i in range(5)]]
    job = start(org.rep_a, rows)
    real = CustomerPhone.objects.bulk_create
    calls = {"n": 0}

    def failing(objs: Any, *args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:  # the second batch: its customers are already inserted when this fails
            raise RuntimeError("disk full")
        return real(objs, *args, **kwargs)

    monkeypatch.setattr(CustomerPhone.objects, "bulk_create", failing)
    with pytest.raises(RuntimeError):
        customer_import_run(job_id=job.pk, batch_size=2)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.params["next_index"] == 2 and job.done == 2
    # Exactly the first batch is there: every customer with its phone row, nothing of the failed batch.
    assert sorted(Customer.objects.values_list("name", flat=True)) == ["C0", "C1"]
    assert CustomerPhone.objects.count() == 2

    monkeypatch.setattr(CustomerPhone.objects, "bulk_create", real)
    job = customer_import_run(job_id=job.pk, batch_size=2)
    assert job.status == Job.Status.DONE
    assert sorted(Customer.objects.values_list("name", flat=True)) == [f"C{i}" for i in range(5)]
    assert CustomerPhone.objects.count() == 5
    assert job.result["counts"]["created"] == 5


def test_a_row_that_conflicts_at_write_time_is_rejected_alone(org, monkeypatch) -> None:
    """A customer with the same credit code saved between the check and the write: only that row is rejected."""
    rows = [["Name", "USCC"], ["Co A", "91350100M000100Y43"], ["Co B", ""]]
    job = start(org.rep_a, rows)
    from guanxi.customers.transfer import validation

    real_match = validation.RowChecker._match_existing

    def late_writer(self: Any, results: Any) -> None:
        real_match(self, results)
        Customer.objects.create(name="Sneaky", kind="company", uscc="91350100M000100Y43", owner=org.rep_b)

    monkeypatch.setattr(validation.RowChecker, "_match_existing", late_writer)
    job = customer_import_run(job_id=job.pk)
    assert sorted(Customer.objects.values_list("name", flat=True)) == ["Co B", "Sneaky"]
    assert job.result["counts"] == {"created": 1, "updated": 0, "skipped": 0, "rejected": 1}
    assert report(job)[1][:2] == ["2", "Rejected"]


def test_error_report_lists_rejected_and_skipped_rows_with_reasons_and_cells(org) -> None:
    job = run(org.rep_a, [["客户名称", "手机"], ["好", "13812345678"], ["坏", "12"], ["好", "13812345678"]])
    header, *lines = report(job)
    assert header == ["Row", "Result", "Reasons", "客户名称", "手机"]
    assert lines[0][:2] == ["3", "Rejected"] and lines[0][2].startswith("Phone: “12”") and lines[0][3:] == ["坏", "12"]
    assert lines[1] == ["4", "Skipped", "Same phone as row 2 of this file.", "好", "13812345678"]
    assert job.result["download_url"].endswith(f"/{job.pk}/file/")


def test_messages_are_in_the_importing_users_language(org) -> None:
    org.rep_a.language = "zh-hans"
    org.rep_a.save()
    job = run(org.rep_a, [HEADER, ["", "", "x@example.com"]])
    assert job.result["counts"]["rejected"] == 1
    [reason] = job.result["problems"][0][2]
    assert reason != "Name: Enter the customer's name."
    assert any("\u4e00" <= char <= "\u9fff" for char in reason)


def test_update_mode_needs_the_change_permission(org) -> None:
    role = org.rep_a.roles.get()
    role.permissions = [p for p in role.permissions if p != "customers.change"]
    role.save()
    from guanxi.accounts import scoping

    scoping.forget(org.rep_a)
    job = services.customer_import_upload(actor=org.rep_a, file=csv_upload([HEADER, ["A", "", ""]]))
    job = services.customer_import_set_mapping(actor=org.rep_a, job=job, mapping=job.params["mapping"])
    with pytest.raises(ValidationError):
        services.customer_import_start(actor=org.rep_a, job=job, duplicates="update")
