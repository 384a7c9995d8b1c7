"""Import and export pages. Thin: forms in, selectors and services called, templates out."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse

from guanxi.core.htmx import render_page
from guanxi.customers.forms import add_service_errors
from guanxi.customers.selectors import filter_from_query
from guanxi.customers.transfer import columns, selectors, services
from guanxi.customers.transfer.files import export_response, job_file_response
from guanxi.customers.transfer.forms import ExportForm, ImportCommitForm, ImportMappingForm, ImportUploadForm
from guanxi.customers.transfer.validation import DUPLICATE_MODES, SKIP

EXPORT_OWN_PARAMS = {"format", "columns", "include_personal_data", "preview", "page", "size"}
PREVIEW_DEFAULT = 20
PREVIEW_MAX = 100


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


# --- import -----------------------------------------------------------------------------------------------------------
@permission_required("customers.create", raise_exception=True)
def import_upload(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.customer_import_upload(actor=request.user, file=form.cleaned_data["file"])  # type: ignore[arg-type]
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _redirect(request, reverse("customers:import_mapping", args=[job.pk]))
    return render_page(
        request,
        "customers/transfer/upload.html",
        {"form": form},
        fragment="customers/transfer/_upload_form.html",
        status=422 if form.errors else 200,
    )


@permission_required("customers.create", raise_exception=True)
def import_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.transfer_job_get(actor=request.user, pk=pk, kind=services.IMPORT_KIND)
    if job.params.get("stage") == "queued":
        return redirect("core:job_status", job.pk)
    definitions = columns.custom_definitions()
    form = ImportMappingForm(
        request.POST or None,
        headers=job.params["headers"],
        choices=columns.field_choices(definitions),
        mapping=job.params.get("mapping") or {},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_import_set_mapping(
                actor=request.user,  # type: ignore[arg-type]
                job=job,
                mapping=form.mapping(),
                remember=form.cleaned_data["remember"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _redirect(request, reverse("customers:import_preview", args=[job.pk]))
    context: dict[str, Any] = {
        "job": job,
        "form": form,
        "sample": selectors.import_sample(job=job),
        "remembered": bool(job.params.get("template")),
    }
    return render_page(
        request,
        "customers/transfer/mapping.html",
        context,
        fragment="customers/transfer/_mapping_form.html",
        status=422 if form.errors else 200,
    )


@permission_required("customers.create", raise_exception=True)
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.transfer_job_get(actor=request.user, pk=pk, kind=services.IMPORT_KIND)
    if job.params.get("stage") == "queued":
        return redirect("core:job_status", job.pk)
    if not job.params.get("mapping") or job.params.get("stage") == "mapping":
        return redirect("customers:import_mapping", job.pk)
    data = request.POST if request.method == "POST" else (request.GET if "duplicates" in request.GET else None)
    form = ImportCommitForm(data, initial={"duplicates": job.params.get("duplicates", SKIP)})
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_import_start(
                actor=request.user,  # type: ignore[arg-type]
                job=job,
                duplicates=form.cleaned_data["duplicates"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _redirect(request, reverse("core:job_status", args=[job.pk]))
    mode = (form.data.get("duplicates") if form.is_bound else None) or job.params.get("duplicates", SKIP)
    preview = selectors.import_preview(actor=request.user, job=job, mode=mode if mode in DUPLICATE_MODES else SKIP)
    context = {"job": job, "form": form, "preview": preview}
    fragment = "customers/transfer/" + ("_preview_table.html" if request.method == "GET" else "_preview.html")
    return render_page(
        request,
        "customers/transfer/preview.html",
        context,
        fragment=fragment,
        status=422 if form.errors else 200,
    )


def transfer_job_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The file an import (its rejected rows) or export job wrote; only for the user who started the job."""
    if not request.user.is_authenticated:
        raise Http404
    job = selectors.transfer_job_get(actor=request.user, pk=pk)
    return job_file_response(job)


# --- export -----------------------------------------------------------------------------------------------------------
@permission_required(("customers.view", "customers.export"), raise_exception=True)
def customer_export(request: HttpRequest) -> HttpResponse:
    """GET with the list page's query string: the export options and a preview; with `format`, the file itself (or
    a job with a progress bar when the export is large)."""
    filters = filter_from_query(request.GET, strict=False)
    can_reveal = request.user.has_perm("customers.reveal")
    choices = selectors.export_column_choices()
    wants_file = "format" in request.GET
    form = ExportForm(request.GET if wants_file else None, column_choices=choices, can_reveal=can_reveal)
    if wants_file and filters.errors:
        form.is_valid()
        for key, messages in filters.errors.items():
            for message in messages:
                form.add_error(None, f"{key}: {message}")
    if wants_file and form.is_valid():
        export = services.ExportRequest(
            filters=filters,
            columns=form.cleaned_data["columns"],
            fmt=form.cleaned_data["format"],
            include_personal_data=bool(form.cleaned_data.get("include_personal_data")),
        )
        started = services.customer_export_start(actor=request.user, request=export)  # type: ignore[arg-type]
        if started.job is not None:
            return _redirect(request, reverse("core:job_status", args=[started.job.pk]))
        rows = selectors.export_rows(
            actor=request.user, filters=filters, columns=started.columns, personal=started.personal
        )
        return export_response(rows, export.fmt)
    try:
        limit = max(1, min(PREVIEW_MAX, int(request.GET.get("preview", PREVIEW_DEFAULT))))
    except ValueError:
        limit = PREVIEW_DEFAULT
    qs = selectors.export_queryset(actor=request.user, filters=filters, columns=[])
    context = {
        "form": form,
        "filters": filters,
        "filter_params": [(k, v) for k, values in request.GET.lists() if k not in EXPORT_OWN_PARAMS for v in values],
        "count": qs.count(),
        "customers": list(qs[:limit]),
        "limit": limit,
        "can_reveal": can_reveal,
        "sync_limit": services.EXPORT_SYNC_LIMIT,
    }
    return render_page(request, "customers/transfer/export.html", context, status=422 if form.errors else 200)
