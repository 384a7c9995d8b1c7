"""The customer list page: filters, sort, keyset pages, counts, columns, saved views and the bulk action bar.

Thin: `filter_from_query` reads the query string, the selectors find the rows, the services do the writes.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.accounts import scoping
from guanxi.core.htmx import render_page
from guanxi.customers import selectors
from guanxi.customers.customfields import custom_field_definitions
from guanxi.customers.lists import columns as cols
from guanxi.customers.lists import services
from guanxi.customers.lists.filters import LIST_SORTS, NOT_FILTERS, filter_from_query, filter_to_params
from guanxi.customers.lists.forms import BulkActionForm, CustomerFilterForm, SavedViewForm
from guanxi.customers.lists.paging import keyset_page

PAGE_SIZES = (25, 50, 100)


def _page_size(query: QueryDict) -> int:
    try:
        size = int(query.get("size", PAGE_SIZES[0]))
    except ValueError:
        return PAGE_SIZES[0]
    return size if size in PAGE_SIZES else PAGE_SIZES[0]


def _effective_query(request: HttpRequest, views: list[Any]) -> tuple[QueryDict, Any]:
    """The query the page shows, and the saved view it comes from.

    A bare /customers/ opens the user's default view (their own saved view marked default, else "My customers").
    `?view=<id>` alone (paging, sort, size or columns aside) opens that view; any filter parameter in the URL means
    the URL says everything, so bookmarks and shared links show exactly what they name.
    """
    get = request.GET
    view = None
    if not get:
        view = next((v for v in views if v.user_id == request.user.pk and v.is_default), None)
        if view is None:
            return QueryDict("owner=me"), None
        query = QueryDict(mutable=True)
        for key, values in (view.params or {}).items():
            query.setlist(key, [str(v) for v in values])
        return query, view
    if "view" in get:
        view = next((v for v in views if str(v.pk) == get.get("view")), None)
    if view is not None and not any(key not in NOT_FILTERS for key in get):
        query = QueryDict(mutable=True)
        for key, values in (view.params or {}).items():
            query.setlist(key, [str(v) for v in values])
        for key in get:
            if key != "view":
                query.setlist(key, get.getlist(key))
        return query, view
    return get, view


@permission_required("customers.view", raise_exception=True)
def customer_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    views = list(selectors.saved_views_for(actor=actor))
    query, view = _effective_query(request, views)
    definitions = custom_field_definitions(request)
    filters = filter_from_query(query, strict=False, definitions=definitions)
    available = cols.available_columns(definitions)
    column_keys = cols.parse_columns(query.getlist("cols")) or (list(view.columns) if view else [])
    columns = cols.chosen_columns(column_keys, available)
    qs = selectors.customer_list(actor=actor, filters=filters)
    if cols.needs_pool(columns):
        qs = qs.select_related("pool")
    if cols.needs_tags(columns):
        qs = qs.prefetch_related("tags")
    size = _page_size(query)
    page = keyset_page(
        qs,
        sort=filters.sort,
        specs=LIST_SORTS[filters.sort],
        size=size,
        after=query.get("after", ""),
        before=query.get("before", ""),
    )
    count = selectors.customer_count(actor=actor, filters=filters, queryset=qs)
    filter_params = filter_to_params(filters)
    if query.getlist("cols"):
        filter_params.append(("cols", ",".join(c.key for c in columns)))
    tags = list(selectors.list_tags())
    base = [*filter_params, *([("size", str(size))] if size != PAGE_SIZES[0] else [])]
    if view is not None:
        base.append(("view", str(view.pk)))
    context: dict[str, Any] = {
        **_panel(filters, definitions),
        "headers": _headers(columns, filters.sort, base),
        "first_url": _url(base) if page.prev_cursor else "",
        "prev_url": _url([*base, ("before", page.prev_cursor)]) if page.prev_cursor else "",
        "next_url": _url([*base, ("after", page.next_cursor)]) if page.next_cursor else "",
        "filters_narrow": not page.rows and not filters.is_empty() and selectors.customers_exist(actor=actor),
        "filters": filters,
        "filter_query": urlencode(filter_params),
        "filter_choices": CustomerFilterForm.choices(),
        "page": page,
        "rows": cols.cells(page.rows, columns),
        "count": count,
        "columns": columns,
        "column_keys": [c.key for c in columns],
        "available_columns": available,
        "owners": scoping.assignable_owners(actor, "customers").order_by("username"),
        "tags": tags,
        "pools": list(selectors.list_pools()),
        "page_sizes": PAGE_SIZES,
        "size": size,
        "views": views,
        "current_view": view,
        "job_threshold": services.JOB_THRESHOLD,
        "may_change": actor.has_perm("customers.change"),
        "may_delete": actor.has_perm("customers.delete"),
        "may_export": actor.has_perm("customers.export"),
        "export_url": _export_url(filter_params),
    }
    return render_page(request, "customers/list.html", context, fragment="customers/_table.html")


def _url(params: list[tuple[str, str]]) -> str:
    return reverse("customers:list") + "?" + urlencode(params)


def _headers(columns: list[cols.Column], sort: str, base: list[tuple[str, str]]) -> list[tuple[Any, str, str]]:
    """(column, link that sorts by it, current direction) for each column header; a click flips the direction."""
    kept = [(k, v) for k, v in base if k != "sort"]
    out: list[tuple[Any, str, str]] = []
    for column in columns:
        if not column.sort:
            out.append((column, "", ""))
            continue
        direction = "asc" if sort == column.sort else "desc" if sort == f"-{column.sort}" else ""
        # Dates open newest first; everything else A to Z.
        first = f"-{column.sort}" if column.kind in ("date", "datetime") else column.sort
        target = f"-{column.sort}" if direction == "asc" else column.sort if direction == "desc" else first
        out.append((column, _url([*kept, ("sort", target)]), direction))
    return out


def _panel(filters: Any, definitions: list[Any]) -> dict[str, Any]:
    """The filter panel's inputs with their current values."""
    from guanxi.customers.models import CustomFieldDefinition

    choices = CustomerFilterForm.choices()
    Type = CustomFieldDefinition.Type
    custom_inputs: list[dict[str, Any]] = []
    for d in definitions:
        base = f"cf_{d.key}"
        if d.type == Type.NUMBER:
            for suffix, label in (("_min", _("%(label)s from")), ("_max", _("%(label)s to"))):
                value = filters.custom_value(base + suffix)
                custom_inputs.append(
                    {
                        "param": base + suffix,
                        "label": label % {"label": d.label},
                        "type": "number",
                        "value": "" if value is None else value,
                    }
                )
        elif d.type == Type.DATE:
            for suffix, label in (("_from", _("%(label)s from")), ("_to", _("%(label)s to"))):
                value = filters.custom_value(base + suffix)
                custom_inputs.append(
                    {"param": base + suffix, "label": label % {"label": d.label}, "type": "date", "value": value or ""}
                )
        elif d.type in (Type.CHOICE, Type.MULTI_CHOICE):
            chosen = filters.custom_value(base) or []
            custom_inputs.append(
                {
                    "param": base,
                    "label": d.label,
                    "choices": [(str(c), str(c)) for c in d.choices or []],
                    "chosen": chosen,
                }
            )
        elif d.type == Type.BOOLEAN:
            value = filters.custom_value(base)
            custom_inputs.append(
                {
                    "param": base,
                    "label": d.label,
                    "choices": choices["yes_no"],
                    "chosen": [] if value is None else ["yes" if value else "no"],
                }
            )
        else:
            custom_inputs.append(
                {"param": base, "label": d.label, "type": "text", "value": filters.custom_value(base) or ""}
            )

    def yes_no(value: bool | None) -> str:
        return "" if value is None else "yes" if value else "no"

    return {
        "select_filters": [
            ("source", _("Source"), choices["sources"], filters.source),
            ("industry", _("Industry"), choices["industries"], filters.industry),
            ("company_size", _("Company size"), choices["sizes"], filters.company_size),
            (
                "gender",
                _("Gender"),
                choices["genders"],
                [] if filters.gender is None else [filters.gender or "unknown"],
            ),
        ],
        "date_filters": [
            ("created_from", _("Created from"), filters.created_from),
            ("created_to", _("Created to"), filters.created_to),
            ("updated_from", _("Updated from"), filters.updated_from),
            ("updated_to", _("Updated to"), filters.updated_to),
            ("followed_up_after", _("Last follow-up after"), filters.followed_up_after),
            ("followed_up_before", _("Last follow-up before"), filters.followed_up_before),
        ],
        "yes_no_filters": [
            ("next_contact", _("Next contact"), choices["next_contact"], filters.next_contact),
            ("locked", _("Locked"), choices["yes_no"], yes_no(filters.locked)),
            ("has_phone", _("Has a phone"), choices["yes_no"], yes_no(filters.has_phone)),
            ("has_email", _("Has an email"), choices["yes_no"], yes_no(filters.has_email)),
        ],
        "custom_inputs": custom_inputs,
    }


def _export_url(params: list[tuple[str, str]]) -> str:
    from django.urls import NoReverseMatch

    try:
        base = reverse("customers:export")
    except NoReverseMatch:  # the import/export area adds this route
        return ""
    return base + ("?" + urlencode(params) if params else "")


# --- saved views ---------------------------------------------------------------------------------------------------
def _list_url(view_id: int | None = None, query: str = "") -> str:
    url = reverse("customers:list")
    if view_id:
        return f"{url}?view={view_id}"
    return f"{url}?{query}" if query else url


def _go(request: HttpRequest, url: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@require_POST
@permission_required("customers.view", raise_exception=True)
def saved_view_save(request: HttpRequest) -> HttpResponse:
    """Save the current filters and columns as a new view, or into one of the user's views (`view`)."""
    form = SavedViewForm(request.POST)
    form.is_valid()
    query = QueryDict(form.cleaned_data.get("query") or "")
    columns = cols.parse_columns([form.cleaned_data.get("cols") or ""])
    data = form.to_input(services.view_params(query), columns)
    existing = selectors.saved_view_get(actor=request.user, pk=request.POST.get("view"))
    try:
        if existing is not None and existing.user_id == request.user.pk and request.POST.get("update"):
            if not data.name:
                data.name = existing.name
            view = services.saved_view_update(actor=request.user, view=existing, data=data)
        else:
            view = services.saved_view_create(actor=request.user, data=data)  # type: ignore[arg-type]
    except ValidationError as exc:
        return render_page(
            request,
            "customers/lists/_view_form.html",
            {
                "errors": exc.messages,
                "filter_query": form.cleaned_data.get("query") or "",
                "column_keys": columns,
                "current_view": existing,
                "view_name": data.name,
                "view_shared": data.shared,
                "view_default": data.is_default,
            },
            status=422,
        )
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return _go(request, _list_url(view.pk))


@require_POST
@permission_required("customers.view", raise_exception=True)
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    view = selectors.saved_view_get(actor=request.user, pk=pk)
    if view is None or view.user_id != request.user.pk:
        from django.http import Http404

        raise Http404
    services.saved_view_delete(actor=request.user, view=view)
    messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    return _go(request, _list_url(query="owner=me"))


@require_POST
@permission_required("customers.view", raise_exception=True)
def saved_view_default(request: HttpRequest, pk: int) -> HttpResponse:
    """Make one of the user's views their default (pk 0: back to "My customers")."""
    view = None
    if pk:
        view = selectors.saved_view_get(actor=request.user, pk=pk)
        if view is None or view.user_id != request.user.pk:
            from django.http import Http404

            raise Http404
    services.saved_view_set_default(actor=request.user, view=view)  # type: ignore[arg-type]
    messages.success(request, _("Your default view is saved."))
    return _go(request, reverse("customers:list"))


# --- bulk actions --------------------------------------------------------------------------------------------------
def _bulk_answer(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render_page(request, template, context, status=status)


@require_POST
@permission_required("customers.view", raise_exception=True)
def bulk_action(request: HttpRequest) -> HttpResponse:
    actor: Any = request.user
    form = BulkActionForm(request.POST, actor=actor)
    if not form.is_valid():
        return _bulk_answer(request, "customers/lists/_bulk_result.html", {"form": form}, status=422)
    action = form.cleaned_data["action"]
    query = form.cleaned_data.get("query") or ""
    try:
        options = form.options()
        services.check_bulk(actor=actor, action=action, options=options)
        if form.cleaned_data.get("all_matching"):
            ids = services.bulk_target_ids(actor=actor, query=query)
        else:
            ids = services.bulk_target_ids(actor=actor, ids=form.id_values())
        if not ids:
            raise ValidationError({"ids": _("Choose customers first: tick their rows.")})
        if action == "delete" and not form.cleaned_data.get("confirm"):
            in_scope = selectors.customer_ids_in_scope(actor=actor, ids=ids)
            return _bulk_answer(
                request,
                "customers/lists/_bulk_confirm.html",
                {"form": form, "count": len(in_scope), "post": request.POST},
            )
        if len(ids) > services.JOB_THRESHOLD:
            job = services.bulk_job_start(actor=actor, action=action, ids=ids, options=options)
            return _bulk_answer(request, "customers/lists/_bulk_job.html", {"job": job})
        result = services.bulk_apply(actor=actor, action=action, ids=ids, options=options)
    except PermissionDenied:
        raise
    except ValidationError as exc:
        return _bulk_answer(
            request, "customers/lists/_bulk_result.html", {"form": form, "errors": exc.messages}, status=422
        )
    response = _bulk_answer(request, "customers/lists/_bulk_result.html", {"result": result, "action": action})
    response["HX-Trigger"] = "customers-changed"
    return response
