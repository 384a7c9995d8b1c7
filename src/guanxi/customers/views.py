"""Customer pages. Thin: they turn requests into selector and service calls and render the answer.

The 360 page's in-place editing (contacts, channels, addresses, tags, consent) and its timeline live in
`customers.profile.views`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.htmx import render_page
from guanxi.core.registry import registry
from guanxi.customers import selectors, services
from guanxi.customers.customfields import custom_field_definitions
from guanxi.customers.forms import CustomerForm, add_service_errors, custom_initial
from guanxi.customers.profile import selectors as profile_selectors
from guanxi.customers.profile.views import profile_context, timeline_context


def _panels(request: HttpRequest, customer: Any) -> dict[str, list[dict[str, Any]]]:
    """The side panels other apps contribute, rendered each with its own context, by column and order."""
    columns: dict[str, list[dict[str, Any]]] = {"left": [], "right": []}
    found = [p for p in (provider(request, customer) for provider in registry.customer_panels) if p]
    for panel in sorted(found, key=lambda p: p.get("order", 100)):
        html = render_to_string(panel["template"], {**panel.get("context", {}), "customer": customer}, request=request)
        columns.setdefault(panel.get("column", "right"), []).append(
            {"title": panel.get("title", ""), "html": mark_safe(html)}  # noqa: S308 - our templates' own output
        )
    return columns


@permission_required("customers.view", raise_exception=True)
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    profile = profile_selectors.customer_profile(actor=request.user, pk=pk, request=request)
    customer = profile.customer
    actions = [action for provider in registry.customer_actions for action in provider(request, customer)]
    context: dict[str, Any] = {
        **profile_context(request, profile),
        **timeline_context(request, customer),
        "actions": actions,
        "panels": _panels(request, customer),
    }
    return render_page(request, "customers/detail.html", context)


def _form_page(request: HttpRequest, form: CustomerForm, customer: Any = None, status: int = 200) -> HttpResponse:
    return render_page(
        request,
        "customers/form.html",
        {"form": form, "customer": customer},
        fragment="customers/_form.html",
        status=status,
    )


def _is_duplicate(exc: ValidationError) -> bool:
    errors = [e for es in exc.error_dict.values() for e in es] if hasattr(exc, "error_dict") else exc.error_list
    return any(getattr(e, "code", None) == "duplicate" for e in errors)


@permission_required("customers.create", raise_exception=True)
def customer_create(request: HttpRequest) -> HttpResponse:
    definitions = custom_field_definitions(request)
    form = CustomerForm(request.POST or None, actor=request.user, definitions=definitions)
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_create(actor=request.user, data=form.to_input())  # type: ignore[arg-type]
        except ValidationError as exc:
            add_service_errors(form, exc)
            if _is_duplicate(exc):
                form.add_duplicate_confirmation()
        else:
            messages.success(request, format_html(_("Customer “{}” created."), customer.name))
            return _redirect(request, customer.get_absolute_url())
    return _form_page(request, form, status=422 if form.errors else 200)


@permission_required("customers.change", raise_exception=True)
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.customer_get(actor=request.user, pk=pk)
    definitions = custom_field_definitions(request)
    initial = {
        "kind": customer.kind,
        "name": customer.name,
        "phone": customer.phone,
        "email": customer.email,
        "owner": customer.owner,
        "lifecycle_stage": customer.lifecycle_stage,
        "source": customer.source,
        "tags": ", ".join(t.name for t in customer.tags.all()),
        "gender": customer.gender,
        "birthday": customer.birthday,
        "lunar_birth_month": customer.lunar_birth_month,
        "lunar_birth_day": customer.lunar_birth_day,
        "lunar_birth_leap": customer.lunar_birth_leap,
        "industry": customer.industry,
        "company_size": customer.company_size,
        "uscc": customer.uscc,
        "notes": customer.notes,
        **custom_initial(definitions, customer.custom),
    }
    form = CustomerForm(
        request.POST or None, actor=request.user, initial=initial, definitions=definitions, customer=customer
    )
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_update(
                actor=request.user,  # type: ignore[arg-type]
                customer=customer,
                data=form.to_input(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            if _is_duplicate(exc):
                form.add_duplicate_confirmation()
        else:
            messages.success(request, format_html(_("Customer “{}” saved."), customer.name))
            return _redirect(request, customer.get_absolute_url())
    return _form_page(request, form, customer, status=422 if form.errors else 200)


@require_POST
@permission_required("customers.delete", raise_exception=True)
def customer_delete(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.customer_get(actor=request.user, pk=pk)
    services.customer_delete(actor=request.user, customer=customer)  # type: ignore[arg-type]
    messages.success(request, format_html(_("Customer “{}” deleted."), customer.name))
    return _redirect(request, reverse("customers:list"))


@require_POST
@permission_required("customers.reveal", raise_exception=True)
def customer_reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    """The clear value of a masked field; `item` (a phone, email or address id) picks one of several."""
    customer = selectors.customer_get(actor=request.user, pk=pk)
    raw_item = request.POST.get("item") or request.GET.get("item") or ""
    if raw_item and not raw_item.isdigit():
        return HttpResponse(status=400)
    try:
        value = services.customer_reveal(
            actor=request.user,  # type: ignore[arg-type]
            customer=customer,
            field=field,
            item=int(raw_item) if raw_item else None,
        )
    except ValidationError:
        return HttpResponse(status=400)
    return render_page(request, "customers/_revealed.html", {"value": value, "field": field})


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)
