"""Import and export of customers: every write of this area (jobs, templates, customers, audit entries).

Import: `customer_import_upload` stores the file in a Job → `customer_import_set_mapping` (remembered per header row
in an ImportTemplate) → `customer_import_start` queues `customer_import_run`, which commits the file in batches. Each
batch is one transaction that also records how far the job got, so a stopped import resumes after the last committed
batch and a row is either written whole (customer, primary phone and email rows) or rejected with its reasons.

Export: `customer_export_start` checks the permission, writes the audit entry and either hands back the rows to stream
(small exports) or queues `customer_export_run` as a job with progress (large ones).
"""

from __future__ import annotations

import csv
import io
import itertools
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from guanxi.accounts import scoping
from guanxi.accounts.models import User
from guanxi.audit.models import AuditEntry
from guanxi.audit.services import audit_record
from guanxi.core.jobs import job_advance, job_create, job_fail, job_finish, job_start
from guanxi.core.models import Job
from guanxi.customers import services as customer_services
from guanxi.customers.models import Customer, CustomerEmail, CustomerPhone, ImportTemplate
from guanxi.customers.search.keys import customer_keys
from guanxi.customers.selectors import CustomerFilter, filter_from_query, filter_to_params
from guanxi.customers.transfer import columns, readers, selectors
from guanxi.customers.transfer.validation import (
    DUPLICATE_MODES,
    WILL_CREATE,
    WILL_REJECT,
    WILL_SKIP,
    WILL_UPDATE,
    RowChecker,
    RowResult,
    default_source,
)

IMPORT_KIND = "customer_import"
EXPORT_KIND = "customer_export"
BATCH_SIZE = 2000
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
EXPORT_CHUNK = 2000
EXPORT_SYNC_LIMIT = 5000  # larger exports run as a job with a progress bar and a download link
UTF8_BOM = "\ufeff"


# --- upload, mapping, start -------------------------------------------------------------------------------------------
@transaction.atomic
def customer_import_upload(*, actor: User, file: UploadedFile) -> Job:
    """Store an uploaded CSV or XLSX file in a new import job, after reading its header row."""
    if not actor.has_perm("customers.create"):
        raise PermissionDenied
    fmt = readers.file_format(file.name or "")
    if file.size is not None and file.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than %(size)d MB; split it.") % {"size": MAX_UPLOAD_BYTES // 2**20}}
        )
    file.seek(0)
    table, _rows = readers.iter_rows(file, fmt)  # raises ValidationError for an unreadable or empty file
    definitions = columns.custom_definitions()
    signature = columns.header_signature(table.headers)
    template = ImportTemplate.objects.filter(user=actor, signature=signature).order_by("-updated_at").first()
    mapping = (
        _usable_mapping(template.mapping, table.headers, definitions)
        if template
        else columns.guess_mapping(table.headers, definitions)
    )
    job = job_create(
        kind=IMPORT_KIND,
        user=actor,
        params={
            "filename": (file.name or "")[-200:],
            "format": fmt,
            "encoding": table.encoding,
            "headers": table.headers,
            "signature": signature,
            "mapping": mapping,
            "template": template.pk if template else None,
            "duplicates": "skip",
            "stage": "mapping",
            "next_index": 0,
        },
    )
    file.seek(0)
    job.input_file.save(f"customers-{uuid.uuid4().hex}.{fmt}", File(file), save=False)
    Job.objects.filter(pk=job.pk).update(input_file=job.input_file.name)
    return job


def _usable_mapping(raw: dict[str, Any], headers: list[str], definitions: Iterable[Any]) -> dict[str, str]:
    try:
        return columns.clean_mapping(raw, headers, definitions)
    except ValidationError:
        return columns.guess_mapping(headers, list(definitions))


def _own_pending_import(actor: User, job: Job) -> Job:
    job = selectors.transfer_job_get(actor=actor, pk=job.pk, kind=IMPORT_KIND, for_update=True)
    if job.status != Job.Status.PENDING or job.params.get("stage") == "queued":
        raise ValidationError({"job": _("This import has already started.")})
    return job


@transaction.atomic
def customer_import_set_mapping(
    *, actor: User, job: Job, mapping: dict[str, Any], remember: bool = True, template_name: str = ""
) -> Job:
    """Choose which column holds which field; remembered for the next file with the same header row."""
    job = _own_pending_import(actor, job)
    headers: list[str] = job.params["headers"]
    cleaned = columns.clean_mapping(mapping, headers, columns.custom_definitions())
    job.params = {**job.params, "mapping": cleaned, "stage": "preview"}
    if remember:
        template = ImportTemplate.objects.filter(user=actor, signature=job.params["signature"]).first()
        if template is None:
            template = ImportTemplate(user=actor, signature=job.params["signature"])
        template.name = (template_name or template.name or ", ".join(h for h in headers[:4] if h))[:100] or "—"
        template.mapping = cleaned
        template.full_clean()
        template.save()
        job.params["template"] = template.pk
    Job.objects.filter(pk=job.pk).update(params=job.params)
    return job


@transaction.atomic
def customer_import_start(*, actor: User, job: Job, duplicates: str) -> Job:
    """Queue the commit of a mapped import; duplicates of existing customers are skipped, updated or created."""
    job = _own_pending_import(actor, job)
    if duplicates not in DUPLICATE_MODES:
        raise ValidationError({"duplicates": _("Choose skip, update or create for duplicates.")})
    if duplicates == "update" and not actor.has_perm("customers.change"):
        raise ValidationError({"duplicates": _("You may not edit customers, so duplicates cannot be updated.")})
    columns.clean_mapping(job.params.get("mapping") or {}, job.params["headers"], columns.custom_definitions())
    job.params = {**job.params, "duplicates": duplicates, "stage": "queued"}
    Job.objects.filter(pk=job.pk).update(params=job.params)
    job_id = job.pk
    transaction.on_commit(lambda: _queue_import(job_id))
    return job


def customer_import_submit(*, actor: User, file: UploadedFile, mapping: dict[str, Any] | None, duplicates: str) -> Job:
    """Upload, map and start in one go (the API): all or nothing. Without a mapping, the one remembered for this
    header row (or guessed from the headings) is used."""
    stored: list[Job] = []
    try:
        with transaction.atomic():
            job = customer_import_upload(actor=actor, file=file)
            stored.append(job)
            chosen = mapping if mapping is not None else job.params["mapping"]
            job = customer_import_set_mapping(actor=actor, job=job, mapping=chosen, remember=mapping is not None)
            return customer_import_start(actor=actor, job=job, duplicates=duplicates)
    except Exception:
        for job in stored:  # the job row is rolled back; its stored file goes too
            job.input_file.delete(save=False)
        raise


def _queue_import(job_id: int) -> None:
    from guanxi.customers.transfer.tasks import customer_import_task

    customer_import_task(job_id)


# --- the commit -------------------------------------------------------------------------------------------------------
@dataclass
class _State:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    rejected: int = 0
    problems: list[list[Any]] = field(default_factory=list)  # [row, result, reasons, cells]

    @classmethod
    def load(cls, result: dict[str, Any]) -> _State:
        counts = result.get("counts") or {}
        return cls(
            created=counts.get("created", 0),
            updated=counts.get("updated", 0),
            skipped=counts.get("skipped", 0),
            rejected=counts.get("rejected", 0),
            problems=list(result.get("problems") or []),
        )

    def dump(self) -> dict[str, Any]:
        return {
            "counts": {
                "created": self.created,
                "updated": self.updated,
                "skipped": self.skipped,
                "rejected": self.rejected,
            },
            "problems": self.problems,
        }


def _open_rows(job: Job) -> tuple[IO[bytes], Iterator[tuple[int, list[str]]]]:
    handle = job.input_file.open("rb")
    _table, rows = readers.iter_rows(handle, job.params["format"])
    return handle, rows


def customer_import_run(*, job_id: int, batch_size: int = BATCH_SIZE) -> Job:
    """Commit an import job batch by batch (the huey task's body). Safe to call again after a failure: it resumes
    after the last committed batch. Messages are written in the importing user's language."""
    job = Job.objects.select_related("user").get(pk=job_id, kind=IMPORT_KIND)
    if job.status == Job.Status.DONE:
        return job
    actor = job.user
    if actor is None or not actor.is_active:
        job_fail(job, message=_("The user who started this import can no longer import."))
        return job
    with translation.override(actor.language or settings.LANGUAGE_CODE):
        try:
            _import(job, actor, batch_size)
        except Exception:
            job_fail(
                job,
                message=_("The import stopped; the rows before the failing batch are saved. Run it again to continue."),
            )
            raise
    job.refresh_from_db()
    return job


def _import(job: Job, actor: User, batch_size: int) -> None:
    if not job.total:
        handle, rows = _open_rows(job)
        with handle:
            total = sum(1 for _row in rows)
        job.total = total
    job_start(job, total=job.total)
    definitions = columns.custom_definitions()
    checker = RowChecker(
        actor=actor, mapping=job.params["mapping"], definitions=definitions, mode=job.params["duplicates"]
    )
    state = _State.load(job.result)
    next_index = int(job.params.get("next_index", 0))
    handle, rows = _open_rows(job)
    with handle:
        remaining = itertools.islice(rows, next_index, None)
        while batch := list(itertools.islice(remaining, batch_size)):
            next_index += len(batch)
            _commit_batch(job=job, actor=actor, results=checker.check(batch), state=state, next_index=next_index)
    _finish(job, state)


@transaction.atomic
def _commit_batch(*, job: Job, actor: User, results: list[RowResult], state: _State, next_index: int) -> None:
    """One transaction: the batch's customers, their phone and email rows, one audit entry per action, and the job's
    position. If the batch as a whole hits a conflict (a customer saved meanwhile), each row is retried in its own
    savepoint so that the conflicting rows alone are rejected."""
    writable = [r for r in results if r.action in (WILL_CREATE, WILL_UPDATE)]
    try:
        with transaction.atomic():
            created, updated = _write(actor, writable)
    except IntegrityError:
        created, updated = [], []
        for result in writable:
            try:
                with transaction.atomic():
                    one_created, one_updated = _write(actor, [result])
            except IntegrityError:
                result.action = WILL_REJECT
                result.reasons = [
                    _("This row conflicts with a customer saved meanwhile; check it and import it again.")
                ]
            else:
                created += one_created
                updated += one_updated
    rows = [r.number for r in results]
    for action, ids in ((AuditEntry.Action.CREATE, created), (AuditEntry.Action.UPDATE, updated)):
        if ids:
            audit_record(
                actor=actor,
                action=action,
                object_type="customers.customer",
                object_repr=(
                    ngettext("%(count)d customer imported", "%(count)d customers imported", len(ids))
                    if action == AuditEntry.Action.CREATE
                    else ngettext(
                        "%(count)d customer updated by import", "%(count)d customers updated by import", len(ids)
                    )
                )
                % {"count": len(ids)},
                detail=f"import job {job.pk}, rows {min(rows)}–{max(rows)}",
                changes={"count": len(ids), "ids": ids, "job": job.pk},
            )
    state.created += len(created)
    state.updated += len(updated)
    for result in results:
        if result.action in (WILL_SKIP, WILL_REJECT):
            if result.action == WILL_SKIP:
                state.skipped += 1
            else:
                state.rejected += 1
            state.problems.append([result.number, result.action, result.reasons, result.cells])
    job.params = {**job.params, "next_index": next_index}
    job.result = state.dump()
    Job.objects.filter(pk=job.pk).update(params=job.params, result=job.result)
    job_advance(job, len(results))


def _write(actor: User, results: list[RowResult]) -> tuple[list[int], list[int]]:
    creates = [r for r in results if r.action == WILL_CREATE]
    updates = [r for r in results if r.action == WILL_UPDATE]
    created = _create(actor, creates) if creates else []
    updated = _update(actor, updates) if updates else []
    return created, updated


def _keys(customer: Customer, numbers: list[str]) -> None:
    for key, value in customer_keys(kind=customer.kind, name=customer.name, phones=numbers).items():
        setattr(customer, key, value)


def _create(actor: User, results: list[RowResult]) -> list[int]:
    """New customers as `customer_create` makes them (same cleaned values, keys and digests), written in bulk with a
    primary CustomerPhone / CustomerEmail row for their phone and email."""
    customers = []
    for result in results:
        values = result.values
        customer = Customer(owner_id=result.owner_id, created_by=actor)
        customer_services._apply(customer, values)
        customer.source = customer.source or default_source()
        customer.custom = result.custom
        customer.province, customer.city = values.get("province", ""), values.get("city", "")
        # The digests were computed by the checker with the services' phone_digest / email_digest.
        customer.phone, customer.phone_digest = values["phone"], result.phone_digest
        customer.email, customer.email_digest = values["email"], result.email_digest
        _keys(customer, [customer.phone] if customer.phone else [])
        customers.append(customer)
    Customer.objects.bulk_create(customers)
    CustomerPhone.objects.bulk_create(
        CustomerPhone(customer=c, number=c.phone, digest=c.phone_digest, is_primary=True) for c in customers if c.phone
    )
    CustomerEmail.objects.bulk_create(
        CustomerEmail(customer=c, address=c.email, digest=c.email_digest, is_primary=True) for c in customers if c.email
    )
    return [c.pk for c in customers]


UPDATABLE = (
    "name",
    "kind",
    "gender",
    "birthday",
    "industry",
    "company_size",
    "source",
    "lifecycle_stage",
    "uscc",
    "province",
    "city",
    "notes",
)


def _update(actor: User, results: list[RowResult]) -> list[int]:
    """Fill the matched customers (locked, and still inside the actor's scope) with the cells the file gives; empty
    cells keep what is there, and the owner never changes here (ownership changes go through the pool services)."""
    ids = [r.match_id for r in results if r.match_id is not None]
    targets = scoping.scope(actor, Customer.objects.select_for_update().filter(pk__in=ids)).in_bulk()
    changed: dict[int, Customer] = {}
    phones: dict[int, tuple[str, str]] = {}
    emails: dict[int, tuple[str, str]] = {}
    for result in results:
        customer = targets.get(result.match_id or 0)
        if customer is None:
            result.action = WILL_REJECT
            result.reasons = [_("The matching customer is no longer within your data scope.")]
            continue
        values = result.values
        for key in UPDATABLE:
            if key in result.given or (key == "kind" and result.uscc):
                setattr(customer, key, values[key])
        if result.custom:
            customer.custom = {**(customer.custom or {}), **result.custom}
        if values.get("phone") and values["phone"] != customer.phone:
            phones[customer.pk] = (values["phone"], customer_services.phone_digest(values["phone"]))
        if values.get("email") and values["email"] != customer.email:
            emails[customer.pk] = (values["email"], customer_services.email_digest(values["email"]))
        changed[customer.pk] = customer
    if not changed:
        return []
    _set_primaries(CustomerPhone, "number", phones, changed)
    _set_primaries(CustomerEmail, "address", emails, changed)
    for customer in changed.values():
        customer.email, customer.email_digest = emails.get(customer.pk, (customer.email, customer.email_digest))
        customer.phone, customer.phone_digest = phones.get(customer.pk, (customer.phone, customer.phone_digest))
    numbers: dict[int, list[str]] = {}
    for customer_id, number in (
        CustomerPhone.objects.filter(customer_id__in=list(changed))
        .order_by("-is_primary", "id")
        .values_list("customer_id", "number")
    ):
        numbers.setdefault(customer_id, []).append(number)
    now = timezone.now()
    for customer in changed.values():
        _keys(customer, numbers.get(customer.pk) or ([customer.phone] if customer.phone else []))
        customer.updated_at = now
    fields = [
        *UPDATABLE,
        "phone",
        "phone_digest",
        "email",
        "email_digest",
        "name_key",
        "name_pinyin",
        "name_initials",
        "phone_grams",
        "custom",
        "updated_at",
    ]
    Customer.objects.bulk_update(list(changed.values()), fields, batch_size=500)
    return list(changed)


def _set_primaries(
    model: type[CustomerPhone] | type[CustomerEmail],
    attr: str,
    wanted: dict[int, tuple[str, str]],
    customers: dict[int, Customer],
) -> None:
    """Make each (value, digest) its customer's primary phone (email) row, as `_set_primary_channel` does for one
    customer: promote the row that has it, else rewrite the primary row, else add a primary row — for the whole batch
    in a few statements. A customer whose number lived only on the customer row (written by a bulk path) gets a row."""
    if not wanted:
        return
    manager: Any = model.objects
    rows: dict[int, list[Any]] = {}
    for row in manager.filter(customer_id__in=list(wanted)).order_by("-is_primary", "id"):
        rows.setdefault(row.customer_id, []).append(row)
    promote: list[int] = []
    demote: list[int] = []
    rewrite: list[Any] = []
    create: list[Any] = []
    now = timezone.now()
    for customer_id, (value, digest) in wanted.items():
        present = rows.get(customer_id, [])
        same = next((r for r in present if r.digest == digest), None)
        primary = next((r for r in present if r.is_primary), None)
        if same is not None:
            promote.append(same.pk)
            demote += [r.pk for r in present if r.is_primary and r is not same]
        elif primary is not None:
            setattr(primary, attr, value)
            primary.digest, primary.updated_at = digest, now
            rewrite.append(primary)
        else:
            create.append(model(customer=customers[customer_id], digest=digest, is_primary=True, **{attr: value}))
    if demote:
        manager.filter(pk__in=demote).update(is_primary=False)
    if promote:
        manager.filter(pk__in=promote).update(is_primary=True)
    if rewrite:
        manager.bulk_update(rewrite, [attr, "digest", "updated_at"])
    if create:
        manager.bulk_create(create)


def _finish(job: Job, state: _State) -> None:
    summary = _("%(created)d created, %(updated)d updated, %(skipped)d skipped, %(rejected)d rejected.") % {
        "created": state.created,
        "updated": state.updated,
        "skipped": state.skipped,
        "rejected": state.rejected,
    }
    result = {**state.dump(), "summary": summary}
    if state.problems:
        content = _error_report(job.params["headers"], state.problems)
        job.output_file.save(f"customer-import-{job.pk}-problems.csv", ContentFile(content.encode("utf-8")), save=False)
        Job.objects.filter(pk=job.pk).update(output_file=job.output_file.name)
        result["download_url"] = reverse("customers:transfer_job_file", args=[job.pk])
    result["next_url"] = reverse("customers:list")
    job_finish(job, result=result, message=summary)


def result_label(action: str) -> str:
    return {WILL_SKIP: _("Skipped"), WILL_REJECT: _("Rejected")}.get(action, action)


def _error_report(headers: list[str], problems: list[list[Any]]) -> str:
    """The rejected and skipped rows with their reasons and their original cells; UTF-8 with a BOM so Excel reads it."""
    out = io.StringIO()
    out.write(UTF8_BOM)
    writer = csv.writer(out)
    writer.writerow([_("Row"), _("Result"), _("Reasons"), *headers])
    for number, action, reasons, cells in sorted(problems, key=lambda p: p[0]):
        writer.writerow([number, result_label(action), "; ".join(reasons), *cells])
    return out.getvalue()


# --- export -----------------------------------------------------------------------------------------------------------
@dataclass
class ExportRequest:
    filters: CustomerFilter
    columns: list[str]
    fmt: str = readers.CSV
    include_personal_data: bool = False


@dataclass
class ExportStarted:
    count: int
    personal: bool
    columns: list[str]
    job: Job | None = None  # set when the export runs in the background


def _filters_plain(filters: CustomerFilter) -> list[list[str]]:
    """The query parameters that rebuild the filter (the list's own serialisation), for the job and the audit log."""
    return [[key, value] for key, value in filter_to_params(filters)]


def _filters_load(params: list[list[str]]) -> CustomerFilter:
    query = QueryDict(mutable=True)
    for key, value in params:
        query.appendlist(key, value)
    return filter_from_query(query, strict=True)


@transaction.atomic
def customer_export_start(*, actor: User, request: ExportRequest) -> ExportStarted:
    """Check and audit an export of the actor's filtered customers. Up to EXPORT_SYNC_LIMIT rows the caller streams
    them at once (selectors.export_rows); beyond, a job writes the file and the result names it."""
    if not (actor.has_perm("customers.view") and actor.has_perm("customers.export")):
        raise PermissionDenied
    if request.fmt not in readers.FORMATS:
        raise ValidationError({"format": _("Choose CSV or Excel (.xlsx).")})
    chosen = selectors.export_columns_clean(request.columns)
    personal = bool(request.include_personal_data and actor.has_perm("customers.reveal"))
    count = selectors.export_queryset(actor=actor, filters=request.filters, columns=chosen).count()
    filters = _filters_plain(request.filters)
    job = None
    if count > EXPORT_SYNC_LIMIT:
        job = job_create(
            kind=EXPORT_KIND,
            user=actor,
            total=count,
            params={"filters": filters, "columns": chosen, "format": request.fmt, "personal": personal},
        )
        job_id = job.pk
        transaction.on_commit(lambda: _queue_export(job_id))
    audit_record(
        actor=actor,
        action=AuditEntry.Action.EXPORT,
        object_type="customers.customer",
        object_repr=ngettext("%(count)d customer exported", "%(count)d customers exported", count) % {"count": count},
        detail=f"{request.fmt}{', personal data' if personal else ''}{f', job {job.pk}' if job else ''}",
        changes={
            "count": count,
            "filters": filters,
            "columns": chosen,
            "format": request.fmt,
            "personal_data": personal,
        },
    )
    return ExportStarted(count=count, personal=personal, columns=chosen, job=job)


def _queue_export(job_id: int) -> None:
    from guanxi.customers.transfer.tasks import customer_export_task

    customer_export_task(job_id)


def export_filename(fmt: str) -> str:
    return f"customers-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"


def write_export(out: IO[bytes], rows: Iterable[list[str]], fmt: str, progress: Any = None) -> None:
    """Write header and rows to `out` as CSV (UTF-8 with BOM) or XLSX (openpyxl write-only: constant memory)."""
    if fmt == readers.XLSX:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(_("Customers"))
        for n, row in enumerate(rows):
            sheet.append(row)
            if progress and n and n % EXPORT_CHUNK == 0:
                progress(EXPORT_CHUNK)
        workbook.save(out)
        return
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    text.write(UTF8_BOM)
    writer = csv.writer(text)
    for n, row in enumerate(rows):
        writer.writerow(row)
        if progress and n and n % EXPORT_CHUNK == 0:
            progress(EXPORT_CHUNK)
    text.flush()
    text.detach()


def customer_export_run(*, job_id: int) -> Job:
    """Write a large export's file into the job (the huey task's body), in the user's language and scope."""
    job = Job.objects.select_related("user").get(pk=job_id, kind=EXPORT_KIND)
    if job.status == Job.Status.DONE:
        return job
    actor = job.user
    if actor is None or not actor.is_active or not actor.has_perm("customers.export"):
        job_fail(job, message=_("The user who started this export can no longer export."))
        return job
    params = job.params
    with translation.override(actor.language or settings.LANGUAGE_CODE):
        job_start(job)
        try:
            rows = selectors.export_rows(
                actor=actor,
                filters=_filters_load(params["filters"]),
                columns=params["columns"],
                personal=params["personal"],
            )
            with tempfile.TemporaryFile() as tmp:
                write_export(tmp, rows, params["format"], progress=lambda n: job_advance(job, n))
                tmp.seek(0)
                job.output_file.save(export_filename(params["format"]), File(tmp), save=False)
            Job.objects.filter(pk=job.pk).update(output_file=job.output_file.name)
            summary = ngettext("%(count)d customer exported.", "%(count)d customers exported.", job.total) % {
                "count": job.total
            }
            job_finish(
                job,
                result={"summary": summary, "download_url": reverse("customers:transfer_job_file", args=[job.pk])},
                message=summary,
            )
        except Exception:
            job_fail(job, message=_("The export failed; start it again."))
            raise
    job.refresh_from_db()
    return job
