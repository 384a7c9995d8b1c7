from __future__ import annotations

from typing import Any

from django import template
from django.utils.http import urlencode

from guanxi.core.masking import mask

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context: dict[str, Any], **kwargs: Any) -> str:
    """The current query string with some parameters replaced (for pagination and sort links)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return urlencode(sorted((k, v) for k in query for v in query.getlist(k)))


@register.filter
def masked(value: str, field: str) -> str:
    return mask(field, value or "")
