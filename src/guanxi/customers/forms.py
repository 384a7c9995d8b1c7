"""Input shapes for the customer pages; validation rules live in services, not here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.accounts import scoping
from guanxi.accounts.models import User
from guanxi.customers.models import Customer
from guanxi.customers.selectors import SORTS, CustomerFilter
from guanxi.customers.services import CustomerInput


class CustomerForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=Customer.Kind.choices, initial=Customer.Kind.PERSON)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=40,
        help_text=_("Any format: 138 1234 5678, +86-138-1234-5678, +1 415 555 0123."),
    )
    email = forms.CharField(label=_("Email"), required=False, max_length=254)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner_field = self.fields["owner"]
        assert isinstance(owner_field, forms.ModelChoiceField)
        owner_field.queryset = scoping.assignable_owners(actor, "customers").order_by("username")
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def to_input(self) -> CustomerInput:
        data = self.cleaned_data
        return CustomerInput(
            kind=data["kind"], name=data["name"], phone=data["phone"], email=data["email"], owner=data["owner"]
        )


class CustomerFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", _("All types")), *Customer.Kind.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    owner = forms.CharField(label=_("Owner"), required=False, max_length=20)
    created_from = forms.DateField(
        label=_("Created from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = forms.DateField(label=_("Created to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=[(k, k) for k in SORTS])

    def to_filter(self) -> CustomerFilter:
        data = self.cleaned_data if self.is_valid() else {}
        return CustomerFilter(
            q=data.get("q") or "",
            kind=data.get("kind") or "",
            owner=data.get("owner") or "",
            created_from=data.get("created_from"),
            created_to=data.get("created_to"),
            sort=data.get("sort") or "-created",
        )
