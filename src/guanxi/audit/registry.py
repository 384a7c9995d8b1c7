"""How the audit log names and links the records its entries describe, without importing the apps that own them.

`audit` sits below `customers` and the other domain apps, so it cannot import them to build links. Each app registers a
small function in its `AppConfig.ready` that turns an object id into the URL of that record's page:

    register_object_url("customers.customer", lambda object_id: reverse("customers:detail", args=[object_id]))

Builders must not touch the database: the audit page calls them once per row and its query count stays constant.
"""

from __future__ import annotations

from collections.abc import Callable

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import NoReverseMatch
from django.utils.text import capfirst

ObjectUrl = Callable[[str], str | None]

_URLS: dict[str, ObjectUrl] = {}


def register_object_url(object_type: str, url_for: ObjectUrl) -> None:
    """Link entries about `object_type` ("app_label.model_name", as `audit_record` writes it) to `url_for(id)`."""
    _URLS[object_type.lower()] = url_for


def registered_object_types() -> list[str]:
    return sorted(_URLS)


def object_url(object_type: str, object_id: str) -> str | None:
    """The page of the record an entry describes, or None when no app registered one (or the id does not fit)."""
    url_for = _URLS.get(object_type.lower())
    if url_for is None or not object_id:
        return None
    try:
        return url_for(object_id)
    except (NoReverseMatch, ValueError, TypeError):
        return None


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def object_type_label(object_type: str) -> str:
    """The model's verbose name for "app_label.model_name", else the type as stored."""
    model = _model(object_type)
    return str(capfirst(model._meta.verbose_name)) if model is not None else object_type


def field_label(object_type: str, field: str) -> str:
    """The verbose name of `field` on the entry's model, else the field name as stored."""
    model = _model(object_type)
    if model is None:
        return field
    try:
        found = model._meta.get_field(field)
    except FieldDoesNotExist:
        return field
    verbose = getattr(found, "verbose_name", None)
    return str(capfirst(verbose)) if verbose else field


def object_type_choices() -> list[tuple[str, str]]:
    """Object types for the filter: every Guanxi model except the log itself, plus types other apps registered."""
    types = {
        model._meta.label_lower
        for model in apps.get_models()
        if model.__module__.startswith("guanxi.") and model._meta.app_label != "audit"
    }
    types.update(_URLS)
    return sorted(((t, object_type_label(t)) for t in types), key=lambda choice: (choice[1].lower(), choice[0]))
