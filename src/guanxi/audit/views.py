from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse

from guanxi.audit.models import AuditEntry
from guanxi.core.htmx import render_page


@permission_required("audit.view", raise_exception=True)
def audit_log(request: HttpRequest) -> HttpResponse:
    page = Paginator(AuditEntry.objects.all(), 50).get_page(request.GET.get("page"))
    return render_page(request, "audit/log.html", {"page_obj": page, "entries": page.object_list})
