"""The customer list page: filters, sort, pagination (and saved views, columns and bulk actions)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse

from guanxi.accounts import scoping
from guanxi.core.htmx import render_page
from guanxi.customers import selectors
from guanxi.customers.forms import CustomerFilterForm

PAGE_SIZES = (25, 50, 100)


def _page_size(request: HttpRequest) -> int:
    try:
        size = int(request.GET.get("size", PAGE_SIZES[0]))
    except ValueError:
        return PAGE_SIZES[0]
    return size if size in PAGE_SIZES else PAGE_SIZES[0]


@permission_required("customers.view", raise_exception=True)
def customer_list(request: HttpRequest) -> HttpResponse:
    form = CustomerFilterForm(request.GET)
    filters = form.to_filter()
    qs = selectors.customer_list(actor=request.user, filters=filters)
    paginator = Paginator(qs, _page_size(request))
    page = paginator.get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "form": form,
        "filters": filters,
        "page_obj": page,
        "customers": page.object_list,
        "owners": scoping.assignable_owners(request.user, "customers").order_by("username"),
        "page_sizes": PAGE_SIZES,
        "can_reveal": request.user.has_perm("customers.reveal"),
    }
    return render_page(request, "customers/list.html", context, fragment="customers/_table.html")
