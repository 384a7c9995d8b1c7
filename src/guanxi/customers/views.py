"""Customer pages. Thin: they turn requests into selector and service calls and render the answer."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.htmx import render_page
from guanxi.customers import selectors, services
from guanxi.customers.forms import CustomerForm


@permission_required("customers.view", raise_exception=True)
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.customer_get(actor=request.user, pk=pk)
    return render_page(
        request,
        "customers/detail.html",
        {"customer": customer, "can_reveal": request.user.has_perm("customers.reveal")},
    )


def _form_page(request: HttpRequest, form: CustomerForm, customer: Any = None, status: int = 200) -> HttpResponse:
    return render_page(
        request,
        "customers/form.html",
        {"form": form, "customer": customer},
        fragment="customers/_form.html",
        status=status,
    )


@permission_required("customers.create", raise_exception=True)
def customer_create(request: HttpRequest) -> HttpResponse:
    form = CustomerForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_create(actor=request.user, data=form.to_input())  # type: ignore[arg-type]
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, format_html(_("Customer “{}” created."), customer.name))
            return _redirect(request, customer.get_absolute_url())
    return _form_page(request, form, status=422 if form.errors else 200)


@permission_required("customers.change", raise_exception=True)
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.customer_get(actor=request.user, pk=pk)
    initial = {
        "kind": customer.kind,
        "name": customer.name,
        "phone": customer.phone,
        "email": customer.email,
        "owner": customer.owner,
    }
    form = CustomerForm(request.POST or None, actor=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_update(
                actor=request.user,  # type: ignore[arg-type]
                customer=customer,
                data=form.to_input(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
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
    customer = selectors.customer_get(actor=request.user, pk=pk)
    try:
        value = services.customer_reveal(actor=request.user, customer=customer, field=field)  # type: ignore[arg-type]
    except ValidationError:
        return HttpResponse(status=400)
    return render_page(request, "customers/_revealed.html", {"value": value, "field": field})


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)
