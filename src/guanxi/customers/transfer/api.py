"""Import and export in the REST API (/api/v1/customers/…): the same services and selectors as the pages."""

from __future__ import annotations

import json
from typing import Any, Literal, cast

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from guanxi.accounts.models import ApiToken, User
from guanxi.core.models import Job
from guanxi.customers.selectors import filter_from_query
from guanxi.customers.transfer import selectors, services
from guanxi.customers.transfer.files import export_response, job_file_response

router = Router(tags=["customers"])
MAX_PROBLEMS_SHOWN = 100


def _actor(request: HttpRequest, perm: str, token_scope: str = ApiToken.Scope.READ) -> User:
    from guanxi.customers.api import _actor as customers_actor  # the customers router mounts this one

    return customers_actor(request, perm, token_scope)


def _doc(text: Promise) -> str:
    """ninja types a summary as str; a lazy string is rendered in the reader's language whenever the schema is built."""
    return cast(str, text)


class ProblemOut(Schema):
    row: int
    result: Literal["skip", "reject"]
    reasons: list[str]


class ImportJobOut(Schema):
    id: int
    status: str
    stage: str = Field(description="mapping, preview or queued: how far the import was prepared")
    duplicates: str
    total: int
    done: int
    percent: int
    headers: list[str]
    mapping: dict[str, str] = Field(description="Column index → field key (custom fields as custom:<key>).")
    counts: dict[str, int]
    summary: str
    problems: list[ProblemOut] = Field(description=f"The first {MAX_PROBLEMS_SHOWN} skipped or rejected rows.")
    report_url: str | None = Field(description="CSV of every skipped or rejected row, once the import has finished.")


class ExportJobOut(Schema):
    id: int
    status: str
    total: int
    done: int
    percent: int
    summary: str
    file_url: str | None


class ExportQuery(Schema):
    """Besides these, every filter parameter of GET /api/v1/customers/ (q, kind, owner, tags, custom fields…)."""

    format: Literal["csv", "xlsx"] = "csv"
    columns: str = Field("", description="Comma-separated column keys (default: every column).")
    include_personal_data: bool = Field(False, description="Full phone and email; needs customers.reveal. Audited.")


def _file_url(job: Job) -> str | None:
    return reverse("api-1:customer_transfer_file", args=[job.pk]) if job.output_file else None


def _import_out(job: Job) -> dict[str, Any]:
    result = job.result or {}
    return {
        "id": job.pk,
        "status": job.status,
        "stage": job.params.get("stage", ""),
        "duplicates": job.params.get("duplicates", ""),
        "total": job.total,
        "done": job.done,
        "percent": job.percent,
        "headers": job.params.get("headers", []),
        "mapping": job.params.get("mapping", {}),
        "counts": result.get("counts", {}),
        "summary": result.get("summary", ""),
        "problems": [
            {"row": row, "result": action, "reasons": reasons}
            for row, action, reasons, _cells in (result.get("problems") or [])[:MAX_PROBLEMS_SHOWN]
        ],
        "report_url": _file_url(job),
    }


@router.post(
    "/imports",
    response={202: ImportJobOut},
    url_name="customer_import_create",
    operation_id="customer_import_create",
    summary=_doc(gettext_lazy("Import customers from a CSV or XLSX file (runs as a job)")),
)
def import_create(
    request: HttpRequest,
    file: File[UploadedFile],
    mapping: Form[str] = "",
    duplicates: Form[str] = "skip",
) -> Status[dict[str, Any]]:
    """`mapping` is a JSON object {column index: field key}; left out, the mapping remembered for this header row (or
    guessed from the headings) is used. `duplicates`: skip, update or create."""
    actor = _actor(request, "customers.create", ApiToken.Scope.WRITE)
    chosen: dict[str, Any] | None = None
    if mapping:
        try:
            chosen = json.loads(mapping)
        except ValueError:
            chosen = None
        if not isinstance(chosen, dict):
            raise ValidationError(
                {"mapping": _('Send the mapping as a JSON object, e.g. {"0": "name", "1": "phone"}.')}
            )
    job = services.customer_import_submit(actor=actor, file=file, mapping=chosen, duplicates=duplicates)
    job.refresh_from_db()
    return Status(202, _import_out(job))


@router.get(
    "/imports/{int:job_id}",
    response=ImportJobOut,
    url_name="customer_import_status",
    operation_id="customer_import_status",
    summary=_doc(gettext_lazy("Progress and result of one of your imports")),
)
def import_status(request: HttpRequest, job_id: int) -> dict[str, Any]:
    actor = _actor(request, "customers.create")
    return _import_out(selectors.transfer_job_get(actor=actor, pk=job_id, kind=services.IMPORT_KIND))


@router.get(
    "/export",
    response={200: None, 202: ExportJobOut},
    url_name="customer_export",
    operation_id="customer_export",
    summary=_doc(gettext_lazy("Export the customers of a list view as CSV or XLSX (audited)")),
)
def export(request: HttpRequest, query: Query[ExportQuery]) -> Any:
    """Takes the list's filters. Small exports answer with the file; large ones with 202 and a job to poll."""
    actor = _actor(request, "customers.export")
    if not actor.has_perm("customers.view"):
        raise Http404
    wanted = [c.strip() for c in query.columns.split(",") if c.strip()]
    filters = filter_from_query(request.GET, strict=True)  # a bad filter value is a 422 naming the parameter
    started = services.customer_export_start(
        actor=actor,
        request=services.ExportRequest(
            filters=filters,
            columns=wanted,
            fmt=query.format,
            include_personal_data=query.include_personal_data,
        ),
    )
    if started.job is not None:
        return Status(202, _export_out(started.job))
    rows = selectors.export_rows(actor=actor, filters=filters, columns=started.columns, personal=started.personal)
    return export_response(rows, query.format)


def _export_out(job: Job) -> dict[str, Any]:
    return {
        "id": job.pk,
        "status": job.status,
        "total": job.total,
        "done": job.done,
        "percent": job.percent,
        "summary": (job.result or {}).get("summary", ""),
        "file_url": _file_url(job),
    }


@router.get(
    "/exports/{int:job_id}",
    response=ExportJobOut,
    url_name="customer_export_status",
    operation_id="customer_export_status",
    summary=_doc(gettext_lazy("Progress of one of your large exports")),
)
def export_status(request: HttpRequest, job_id: int) -> dict[str, Any]:
    actor = _actor(request, "customers.export")
    return _export_out(selectors.transfer_job_get(actor=actor, pk=job_id, kind=services.EXPORT_KIND))


@router.get(
    "/transfer-jobs/{int:job_id}/file",
    response={200: None},
    url_name="customer_transfer_file",
    operation_id="customer_transfer_file",
    summary=_doc(gettext_lazy("The file of one of your imports (rejected rows) or exports")),
)
def transfer_file(request: HttpRequest, job_id: int) -> HttpResponseBase:
    actor = _actor(request, "customers.view")
    job = selectors.transfer_job_get(actor=actor, pk=job_id)
    return job_file_response(job)
