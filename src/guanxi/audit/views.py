"""Audit log pages. Thin: the filters become an `AuditFilter`, the selector reads, the templates render."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse

from guanxi.audit import selectors
from guanxi.audit.forms import PAGE_SIZES, AuditFilterForm
from guanxi.audit.models import AuditEntry
from guanxi.audit.registry import object_type_choices, object_type_label, object_url
from guanxi.core.htmx import render_page

HISTORY_PAGE_SIZE = 25


@permission_required(selectors.AUDIT_VIEW, raise_exception=True)
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    filters = form.to_filter()
    entries = selectors.audit_entry_list(actor=request.user, filters=filters)
    page = Paginator(entries, form.page_size()).get_page(request.GET.get("page"))
    object_types = object_type_choices()
    if filters.object_type and filters.object_type not in dict(object_types):
        object_types.append((filters.object_type, filters.object_type))
    context: dict[str, Any] = {
        "form": form,
        "filters": filters,
        "page_obj": page,
        "entries": page.object_list,
        "actions": AuditEntry.Action.choices,
        "object_types": object_types,
        "page_sizes": PAGE_SIZES,
        "target": "#audit-table",
    }
    return render_page(request, "audit/log.html", context, fragment="audit/_table.html")


@permission_required(selectors.AUDIT_VIEW, raise_exception=True)
def object_history(request: HttpRequest, object_type: str, object_id: str) -> HttpResponse:
    entries = selectors.audit_object_history(actor=request.user, object_type=object_type, object_id=object_id)
    page = Paginator(entries, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "object_type": object_type,
        "object_id": object_id,
        "object_type_label": object_type_label(object_type),
        "object_url": object_url(object_type, object_id),
        "page_obj": page,
        "entries": page.object_list,
        "target": "#audit-history",
    }
    return render_page(request, "audit/object_history.html", context, fragment="audit/_history.html")
