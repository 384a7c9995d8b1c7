"""Pages of the duplicate area: the warning fragment under the customer form, the merge screen, the merge record."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from guanxi.core.htmx import render_page
from guanxi.customers import selectors as customer_selectors
from guanxi.customers.dedupe import selectors, services
from guanxi.customers.dedupe.forms import MergeForm, candidate_from
from guanxi.customers.selectors import CustomerFilter

PICK_LIMIT = 20


@login_required
def duplicate_check(request: HttpRequest) -> HttpResponse:
    """GET with the customer form's fields → the "possible duplicate" warning (empty when there is none)."""
    user: Any = request.user
    if not (user.has_perm("customers.create") or user.has_perm("customers.change")):
        raise PermissionDenied
    candidate, exclude = candidate_from(request.GET)
    matches = selectors.find_duplicates(actor=user, candidate=candidate, exclude_id=exclude)
    context = {"matches": matches, "exclude": exclude, "can_merge": exclude and user.has_perm("customers.merge")}
    return render(request, "customers/dedupe/_warning.html", context)


@permission_required("customers.merge", raise_exception=True)
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge another customer into customer `pk`: pick the other one, compare field by field, choose, confirm."""
    user: Any = request.user
    survivor = customer_selectors.customer_get(actor=user, pk=pk)
    other_id = request.POST.get("other") or request.GET.get("other") or ""
    if not other_id.isdigit():
        return _pick(request, survivor)
    merged = customer_selectors.customer_get(actor=user, pk=int(other_id))
    if merged.pk == survivor.pk:
        messages.error(request, _("Choose two different customers to merge."))
        return redirect(reverse("customers:merge", args=[survivor.pk]))
    comparison = selectors.merge_comparison(survivor=survivor, merged=merged)
    form = MergeForm(request.POST or None, rows=comparison["rows"], initial={"other": merged.pk})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                record = services.customers_merge(actor=user, survivor=survivor, merged=merged, choices=form.choices())
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    format_html(
                        _('“{}” was merged into “{}”. <a href="{}">What the merge did</a>'),
                        merged.name,
                        survivor.name,
                        reverse("customers:merge_record", args=[record.pk]),
                    ),
                )
                return _redirect(request, survivor.get_absolute_url())
        status = 422
    context = {"survivor": survivor, "merged": merged, "form": form, **comparison}
    return render_page(request, "customers/dedupe/merge.html", context, status=status)


def _pick(request: HttpRequest, survivor: Any) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    found = []
    if q:
        customers = customer_selectors.customer_list(actor=request.user, filters=CustomerFilter(q=q))
        found = list(customers.exclude(pk=survivor.pk)[:PICK_LIMIT])
    return render_page(
        request,
        "customers/dedupe/merge_pick.html",
        {"survivor": survivor, "q": q, "found": found},
        fragment="customers/dedupe/_merge_pick_results.html",
    )


@permission_required("customers.view", raise_exception=True)
def merge_record(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.merge_record_get(actor=request.user, pk=pk)
    return render(request, "customers/dedupe/merge_record.html", selectors.merge_record_view(record))


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)
