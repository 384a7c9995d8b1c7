"""Input shapes of the import and export pages; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.customers.transfer import readers
from guanxi.customers.transfer.validation import CREATE, SKIP, UPDATE

DUPLICATE_CHOICES = [
    (SKIP, _("Skip them (keep the existing customer as it is)")),
    (UPDATE, _("Update the existing customer with the file's values")),
    (CREATE, _("Create a new customer anyway")),
]


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8 or GBK/GB18030) or Excel (.xlsx); the first row names the columns."),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,.txt,.xlsx"}),
    )


class ImportMappingForm(forms.Form):
    remember = forms.BooleanField(
        label=_("Remember this mapping for files with the same columns"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(
        self, *args: Any, headers: list[str], choices: list[tuple[str, str]], mapping: dict[str, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.headers = headers
        options = [("", _("— do not import —")), *choices]
        for index, header in enumerate(headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header or _("Column %(n)d") % {"n": index + 1},
                choices=options,
                required=False,
                initial=mapping.get(str(index), ""),
                widget=forms.Select(attrs={"class": "form-select"}),
            )

    def column_fields(self) -> list[tuple[int, forms.BoundField]]:
        return [(index, self[f"col_{index}"]) for index in range(len(self.headers))]

    def mapping(self) -> dict[str, str]:
        return {
            str(index): self.cleaned_data.get(f"col_{index}") or ""
            for index in range(len(self.headers))
            if self.cleaned_data.get(f"col_{index}")
        }


class ImportCommitForm(forms.Form):
    duplicates = forms.ChoiceField(
        label=_("Rows that match an existing customer"),
        choices=DUPLICATE_CHOICES,
        initial=SKIP,
        widget=forms.RadioSelect,
    )


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[(readers.CSV, "CSV"), (readers.XLSX, _("Excel (.xlsx)"))],
        initial=readers.CSV,
        widget=forms.RadioSelect,
    )
    columns = forms.MultipleChoiceField(label=_("Columns"), required=False, widget=forms.CheckboxSelectMultiple)
    include_personal_data = forms.BooleanField(
        label=_("Include personal data (full phone numbers and email addresses; the export is logged)"),
        required=False,
    )

    def __init__(self, *args: Any, column_choices: list[tuple[str, str]], can_reveal: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["columns"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = column_choices
        field.initial = [key for key, _label in column_choices]
        if not can_reveal:
            del self.fields["include_personal_data"]
