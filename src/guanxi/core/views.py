from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render

from guanxi.core.models import Job
from guanxi.core.registry import registry


def home(request: HttpRequest) -> HttpResponse:
    cards = [card for card in (build(request) for build in registry.dashboard_cards) if card]
    return render(request, "core/home.html", {"cards": cards})


def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    sections = [section for section in (find(request, q) for find in registry.search_providers) if section] if q else []
    template = "core/_search_results.html" if getattr(request, "htmx", False) else "core/search.html"
    return render(request, template, {"q": q, "sections": sections})


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    """A job's progress: the whole page, or (htmx) the progress card that polls itself until the job ends.

    Only the user who started a job sees it; anyone else gets 404.
    """
    job = get_object_or_404(Job, pk=pk, user_id=request.user.pk)
    template = "core/_job.html" if getattr(request, "htmx", False) else "core/job.html"
    return render(request, template, {"job": job})
