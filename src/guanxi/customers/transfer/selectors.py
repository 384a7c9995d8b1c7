"""Reads of the import and export area: the caller's own jobs, the import preview, and the rows of an export (scoped
and filtered exactly as the customer list, read in chunks so that an export of any size runs in constant memory)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from guanxi.core.masking import mask
from guanxi.core.models import Job
from guanxi.customers.models import Customer, CustomFieldDefinition
from guanxi.customers.selectors import CustomerFilter, customer_list
from guanxi.customers.transfer import columns as cols
from guanxi.customers.transfer import readers
from guanxi.customers.transfer.validation import RowChecker, RowResult

PREVIEW_ROWS = 20
EXPORT_CHUNK = 2000


def transfer_job_get(*, actor: Any, pk: Any, kind: str | None = None, for_update: bool = False) -> Job:
    """A job of this area started by `actor`; anyone else's (or an unknown id) is 404."""
    qs = Job.objects.filter(user_id=actor.pk, kind__in=(kind,) if kind else ("customer_import", "customer_export"))
    if for_update:
        qs = qs.select_for_update()
    try:
        return qs.get(pk=int(pk))
    except (Job.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@dataclass
class Preview:
    headers: list[str]
    mapping: dict[str, str]
    results: list[RowResult]
    checker: RowChecker

    @property
    def mapped_headers(self) -> list[tuple[int, str, str]]:
        return [
            (int(index), self.headers[int(index)], cols.field_label(key, self.checker.definitions))
            for index, key in sorted(self.mapping.items(), key=lambda item: int(item[0]))
        ]


def import_preview(*, actor: Any, job: Job, mode: str = "skip", limit: int = PREVIEW_ROWS) -> Preview:
    """The first `limit` rows as the commit would see them: errors by field, duplicates and what would happen."""
    checker = RowChecker(actor=actor, mapping=job.params["mapping"], definitions=cols.custom_definitions(), mode=mode)
    with job.input_file.open("rb") as handle:
        _table, rows = readers.iter_rows(handle, job.params["format"])
        results = checker.check(list(itertools.islice(rows, limit)))
    return Preview(headers=job.params["headers"], mapping=job.params["mapping"], results=results, checker=checker)


def import_sample(*, job: Job, limit: int = 3) -> list[list[str]]:
    """A few data rows under the mapping screen, so the user sees what each column holds."""
    with job.input_file.open("rb") as handle:
        _table, rows = readers.iter_rows(handle, job.params["format"])
        return [cells for _number, cells in itertools.islice(rows, limit)]


# --- export -----------------------------------------------------------------------------------------------------------
def export_column_choices(definitions: list[CustomFieldDefinition] | None = None) -> list[tuple[str, str]]:
    """Every column an export may hold, in file order: id, the importable fields, read-only ones, custom fields."""
    definitions = cols.custom_definitions() if definitions is None else definitions
    keys = ["id", *(c.key for c in cols.STANDARD_COLUMNS), *(c.key for c in cols.EXPORT_ONLY[1:])]
    out = [(key, cols.field_label(key)) for key in keys]
    out += [(cols.CUSTOM_PREFIX + d.key, d.label) for d in definitions]
    return out


def export_columns_clean(chosen: list[str] | None) -> list[str]:
    """The chosen columns that exist, in file order; all of them when none is chosen."""
    allowed = [key for key, _label in export_column_choices()]
    wanted = set(chosen or [])
    return [key for key in allowed if key in wanted] if wanted & set(allowed) else allowed


def export_queryset(*, actor: Any, filters: CustomerFilter, columns: list[str]) -> QuerySet[Customer]:
    qs = customer_list(actor=actor, filters=filters)
    if "tags" in columns:
        qs = qs.prefetch_related("tags")
    return qs


def _choice_display(customer: Customer, name: str) -> str:
    return str(getattr(customer, f"get_{name}_display")()) if getattr(customer, name) else ""


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def export_row(customer: Customer, keys: list[str], personal: bool) -> list[str]:
    out: list[str] = []
    for key in keys:
        if key in ("phone", "email"):
            value = str(getattr(customer, key) or "")
            out.append(value if personal else mask(key, value))
        elif key in ("kind", "gender", "industry", "company_size", "source", "lifecycle_stage"):
            out.append(_choice_display(customer, key))
        elif key == "owner":
            out.append(customer.owner.username if customer.owner else "")
        elif key == "birthday":
            out.append(customer.birthday.isoformat() if customer.birthday else "")
        elif key == "created_at":
            out.append(customer.created_at.date().isoformat())
        elif key == "tags":
            out.append(", ".join(tag.name for tag in customer.tags.all()))
        elif key.startswith(cols.CUSTOM_PREFIX):
            out.append(_plain((customer.custom or {}).get(key[len(cols.CUSTOM_PREFIX) :])))
        else:
            out.append(_plain(getattr(customer, key)))
    return out


def export_rows(*, actor: Any, filters: CustomerFilter, columns: list[str], personal: bool) -> Iterator[list[str]]:
    """The header row, then one row per customer in the actor's scope matching `filters`, read 2,000 at a time.

    `personal` must already be checked (the export service allows it only with customers.reveal); otherwise phone and
    email are masked as on screen.
    """
    definitions = cols.custom_definitions()
    labels = dict(export_column_choices(definitions))
    yield [labels[key] for key in columns]
    for customer in export_queryset(actor=actor, filters=filters, columns=columns).iterator(chunk_size=EXPORT_CHUNK):
        yield export_row(customer, columns, personal)
