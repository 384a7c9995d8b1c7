"""Input shapes of the duplicate check and the merge screen; the rules live in the selectors and services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from guanxi.customers.dedupe.selectors import DuplicateCandidate
from guanxi.customers.dedupe.services import BOTH, MERGED, SURVIVOR


def candidate_from(params: QueryDict) -> tuple[DuplicateCandidate, int | None]:
    """The candidate a customer form's fields describe (repeated `phone`/`email` for several), and the customer being
    edited (`exclude`), from a query string."""
    exclude = params.get("exclude", "")
    candidate = DuplicateCandidate.build(
        name=params.get("name", "")[:200],
        kind=params.get("kind", ""),
        phones=[p[:40] for p in params.getlist("phone")[:10]],
        emails=[e[:254] for e in params.getlist("email")[:10]],
        uscc=params.get("uscc", "")[:40],
        city=params.get("city", "")[:50],
        province=params.get("province", "")[:50],
        id_number=params.get("id_number", "")[:40],
    )
    return candidate, int(exclude) if exclude.isdigit() else None


class MergeForm(forms.Form):
    """One radio group per field that differs: keep the value of the kept customer or of the merged one."""

    other = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, rows: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            if not row["differs"]:
                continue
            sides = [(SURVIVOR, _("Keep this")), (MERGED, _("Take the other"))]
            if row["key"] == "notes":
                sides.append((BOTH, _("Keep both")))
            self.fields[row["field"]] = forms.ChoiceField(
                label=row["label"],
                choices=sides,
                initial=row["default"],
                widget=forms.RadioSelect,
                required=False,  # not sent: the service's default (the kept customer's value unless empty)
            )

    def choices(self) -> dict[str, str]:
        return {row["key"]: self.cleaned_data[row["field"]] for row in self.rows if self.cleaned_data.get(row["field"])}
