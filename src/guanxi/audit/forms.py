"""Input shape of the audit log filters. A value that does not parse is left out; the other filters still apply."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.audit.models import AuditEntry
from guanxi.audit.selectors import AuditFilter

PAGE_SIZES = (25, 50, 100)


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Actor"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("All actions")), *AuditEntry.Action.choices]
    )
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=100)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    size = forms.TypedChoiceField(
        label=_("Per page"), required=False, coerce=int, choices=[(s, s) for s in PAGE_SIZES], empty_value=None
    )

    def to_filter(self) -> AuditFilter:
        self.is_valid()
        data = self.cleaned_data  # holds the fields that parsed
        return AuditFilter(
            actor=data.get("actor") or "",
            action=data.get("action") or "",
            object_type=data.get("object_type") or "",
            object_id=data.get("object_id") or "",
            q=data.get("q") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )

    def page_size(self) -> int:
        self.is_valid()
        size = self.cleaned_data.get("size")
        return size if isinstance(size, int) and size in PAGE_SIZES else PAGE_SIZES[0]
