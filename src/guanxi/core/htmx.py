"""Helpers for views that answer both full-page requests and htmx fragment requests."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def render_page(
    request: HttpRequest, page: str, context: dict[str, Any], *, fragment: str | None = None, status: int = 200
) -> HttpResponse:
    """Render `fragment` for an htmx request that targets part of the page, else the whole `page`."""
    htmx = getattr(request, "htmx", None)
    is_htmx = bool(htmx) and not getattr(htmx, "boosted", False)
    template = fragment if (fragment and is_htmx) else page
    return render(request, template, context, status=status)
