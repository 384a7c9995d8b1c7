"""The public pool page, the ownership dialogs (claim, release, assign or transfer, lock) and the pool admin screens.

Thin: requests become selector and service calls. The dialogs answer a full page to a plain GET and the dialog alone
to htmx (the 360 page opens them in place); a failed POST answers 422 with the dialog and the service's messages.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.accounts import scoping
from guanxi.accounts.forms import apply_errors
from guanxi.core.htmx import render_page
from guanxi.customers import selectors as customer_selectors
from guanxi.customers.models import Customer
from guanxi.customers.pools import selectors, services
from guanxi.customers.pools.forms import AssignForm, PoolCustomerFilterForm, PoolForm, PoolRuleForm, ReleaseForm

PAGE_SIZES = (25, 50, 100)
MANAGE = services.MANAGE_PERMISSION


def _page_size(request: HttpRequest) -> int:
    try:
        size = int(request.GET.get("size", PAGE_SIZES[0]))
    except ValueError:
        return PAGE_SIZES[0]
    return size if size in PAGE_SIZES else PAGE_SIZES[0]


def _is_htmx(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not getattr(htmx, "boosted", False)


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if _is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _after_change(request: HttpRequest, customer: Customer) -> HttpResponse:
    """Back to the customer when the user still sees it (a released customer may have left their scope)."""
    if scoping.is_in_scope(request.user, customer):
        return _redirect(request, customer.get_absolute_url())
    return _redirect(request, reverse("customers:list"))


# --- the public pool page -----------------------------------------------------------------------------------------
@permission_required("customers.view", raise_exception=True)
def pool_list(request: HttpRequest) -> HttpResponse:
    pools = selectors.pools_for(actor=request.user)
    form = PoolCustomerFilterForm(request.GET, pools=pools)
    filters = form.to_filter()
    page = Paginator(selectors.pool_customers(actor=request.user, filters=filters), _page_size(request)).get_page(
        request.GET.get("page")
    )
    context: dict[str, Any] = {
        "form": form,
        "filters": filters,
        "page_obj": page,
        "customers": page.object_list,
        "page_sizes": PAGE_SIZES,
        "has_pools": pools.exists(),
    }
    return render_page(request, "customers/pools/pool_list.html", context, fragment="customers/pools/_pool_table.html")


# --- the ownership dialogs ----------------------------------------------------------------------------------------
def _dialog(request: HttpRequest, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    return render_page(
        request, "customers/pools/dialog_page.html", context, fragment=context["dialog_template"], status=status
    )


@permission_required("customers.view", raise_exception=True)
def customer_claim(request: HttpRequest, pk: int) -> HttpResponse:
    row = request.POST.get("source") == "row" and _is_htmx(request)
    try:
        customer = customer_selectors.customer_get(actor=request.user, pk=pk)
    except Http404:
        if not row:
            raise
        # Someone claimed it since the page was drawn (or it never was there): say so in the row, as for any id.
        gone = {"customer": {"pk": pk}, "error": [_("This customer is no longer in the pool.")]}
        return render_page(request, "customers/pools/_claim_cell.html", gone, status=422)
    context: dict[str, Any] = {"customer": customer, "dialog_template": "customers/pools/_claim_dialog.html"}
    if request.method != "POST":
        return _dialog(request, context)
    try:
        customer = services.customer_claim(actor=request.user, customer=customer)  # type: ignore[arg-type]
    except ValidationError as exc:
        if row:
            return render_page(
                request, "customers/pools/_claim_cell.html", {"customer": customer, "error": exc.messages}, status=422
            )
        if not _is_htmx(request):
            for message in exc.messages:
                messages.error(request, message)
            return redirect(reverse("customers:pool_list"))
        return _dialog(request, {**context, "errors": exc.messages}, status=422)
    if row:
        return render_page(request, "customers/pools/_claim_cell.html", {"customer": customer, "claimed": True})
    messages.success(request, format_html(_("You now own “{}”."), customer.name))
    return _redirect(request, customer.get_absolute_url())


@permission_required("customers.view", raise_exception=True)
def customer_release(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_selectors.customer_get(actor=request.user, pk=pk)
    pools = selectors.pool_choices(actor=request.user)
    form = ReleaseForm(request.POST or None, pools=pools)
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_release(
                actor=request.user,  # type: ignore[arg-type]
                customer=customer,
                pool=form.cleaned_data["pool"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, format_html(_("“{}” is back in the pool “{}”."), customer.name, customer.pool))
            return _after_change(request, customer)
    context = {"customer": customer, "form": form, "dialog_template": "customers/pools/_release_dialog.html"}
    return _dialog(request, context, status=422 if form.errors else 200)


@permission_required("customers.view", raise_exception=True)
def customer_assign(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_selectors.customer_get(actor=request.user, pk=pk)
    form = AssignForm(request.POST or None, actor=request.user, initial={"owner": customer.owner_id})
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_assign(
                actor=request.user,  # type: ignore[arg-type]
                customer=customer,
                owner=form.cleaned_data["owner"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, format_html(_("“{}” now belongs to {}."), customer.name, customer.owner))
            return _after_change(request, customer)
    context = {"customer": customer, "form": form, "dialog_template": "customers/pools/_assign_dialog.html"}
    return _dialog(request, context, status=422 if form.errors else 200)


@permission_required("customers.view", raise_exception=True)
def customer_lock(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_selectors.customer_get(actor=request.user, pk=pk)
    context: dict[str, Any] = {"customer": customer, "dialog_template": "customers/pools/_lock_dialog.html"}
    if request.method != "POST":
        return _dialog(request, context)
    locked = request.POST.get("locked", "") in ("1", "true", "on")
    try:
        customer = services.customer_lock(actor=request.user, customer=customer, locked=locked)  # type: ignore[arg-type]
    except ValidationError as exc:
        return _dialog(request, {**context, "errors": exc.messages}, status=422)
    if customer.locked:
        messages.success(request, format_html(_("“{}” is locked: it will not be reclaimed."), customer.name))
    else:
        messages.success(request, format_html(_("“{}” is unlocked."), customer.name))
    return _redirect(request, customer.get_absolute_url())


# --- pool administration ------------------------------------------------------------------------------------------
@permission_required(MANAGE, raise_exception=True)
def pool_admin_list(request: HttpRequest) -> HttpResponse:
    pools = list(selectors.pool_admin_list(actor=request.user))
    return render_page(request, "customers/pools/admin_list.html", {"pools": pools})


def _pool_form_page(request: HttpRequest, form: PoolForm, pool: Any) -> HttpResponse:
    rules = list(selectors.pool_rules(actor=request.user, pool=pool)) if pool else []
    context = {"form": form, "pool": pool, "rules": rules}
    return render_page(
        request,
        "customers/pools/pool_form.html",
        context,
        fragment="customers/pools/_pool_form.html",
        status=422 if form.errors else 200,
    )


@permission_required(MANAGE, raise_exception=True)
def pool_create(request: HttpRequest) -> HttpResponse:
    form = PoolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pool = services.pool_save(actor=request.user, data=form.to_input())  # type: ignore[arg-type]
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, format_html(_("Pool “{}” created."), pool))
            return _redirect(request, reverse("customers:pool_edit", args=[pool.pk]))
    return _pool_form_page(request, form, None)


@permission_required(MANAGE, raise_exception=True)
def pool_edit(request: HttpRequest, pk: int) -> HttpResponse:
    pool = selectors.pool_admin_get(actor=request.user, pk=pk)
    form = PoolForm(request.POST or None, pool=pool)
    if request.method == "POST" and form.is_valid():
        try:
            pool = services.pool_save(actor=request.user, data=form.to_input(), pool=pool)  # type: ignore[arg-type]
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, format_html(_("Pool “{}” saved."), pool))
            return _redirect(request, reverse("customers:pool_admin_list"))
    return _pool_form_page(request, form, pool)


@require_POST
@permission_required(MANAGE, raise_exception=True)
def pool_delete(request: HttpRequest, pk: int) -> HttpResponse:
    pool = selectors.pool_admin_get(actor=request.user, pk=pk)
    try:
        services.pool_delete(actor=request.user, pool=pool)  # type: ignore[arg-type]
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return _redirect(request, reverse("customers:pool_edit", args=[pool.pk]))
    messages.success(request, format_html(_("Pool “{}” deleted."), pool.name))
    return _redirect(request, reverse("customers:pool_admin_list"))


def _rule_form_page(request: HttpRequest, form: PoolRuleForm, pool: Any, rule: Any) -> HttpResponse:
    context = {"form": form, "pool": pool, "rule": rule}
    return render_page(
        request,
        "customers/pools/rule_form.html",
        context,
        fragment="customers/pools/_rule_form.html",
        status=422 if form.errors else 200,
    )


@permission_required(MANAGE, raise_exception=True)
def pool_rule_create(request: HttpRequest, pool_pk: int) -> HttpResponse:
    pool = selectors.pool_admin_get(actor=request.user, pk=pool_pk)
    form = PoolRuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.pool_rule_save(actor=request.user, data=form.to_input(pool))  # type: ignore[arg-type]
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Reclaim rule saved."))
            return _redirect(request, reverse("customers:pool_edit", args=[pool.pk]))
    return _rule_form_page(request, form, pool, None)


@permission_required(MANAGE, raise_exception=True)
def pool_rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = selectors.pool_rule_get(actor=request.user, pk=pk)
    form = PoolRuleForm(request.POST or None, rule=rule)
    if request.method == "POST" and form.is_valid():
        try:
            services.pool_rule_save(actor=request.user, data=form.to_input(rule.pool), rule=rule)  # type: ignore[arg-type]
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Reclaim rule saved."))
            return _redirect(request, reverse("customers:pool_edit", args=[rule.pool_id]))
    return _rule_form_page(request, form, rule.pool, rule)


@require_POST
@permission_required(MANAGE, raise_exception=True)
def pool_rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = selectors.pool_rule_get(actor=request.user, pk=pk)
    services.pool_rule_delete(actor=request.user, rule=rule)  # type: ignore[arg-type]
    messages.success(request, _("Reclaim rule deleted."))
    return _redirect(request, reverse("customers:pool_edit", args=[rule.pool_id]))
