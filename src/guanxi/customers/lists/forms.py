"""Input shapes of the customer list: the filter panel's choices, saved views and the bulk action bar. Thin: the
filters are read by `filters.filter_from_query`, the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.accounts import scoping
from guanxi.accounts.models import User
from guanxi.customers.lists.filters import CustomerFilter, filter_from_query
from guanxi.customers.lists.services import BULK_ACTIONS, BulkOptions, SavedViewInput
from guanxi.customers.models import (
    CompanySize,
    Customer,
    Gender,
    Industry,
    LifecycleStage,
    Pool,
    Source,
    Tag,
)


class CustomerFilterForm(forms.Form):
    """The filter panel's choices; reading the values is `filter_from_query`'s job (one parser for every door)."""

    def __init__(self, data: Any = None, *, actor: Any, tags: Any = None, pools: Any = None) -> None:
        super().__init__(data)
        self.actor = actor
        self.tag_choices = list(tags) if tags is not None else list(Tag.objects.order_by("name"))
        self.pool_choices = list(pools) if pools is not None else list(Pool.objects.order_by("name"))

    def to_filter(self) -> CustomerFilter:
        return filter_from_query(self.data or {}, strict=False)

    @staticmethod
    def choices() -> dict[str, Any]:
        return {
            "kinds": Customer.Kind.choices,
            "stages": LifecycleStage.choices,
            "sources": Source.choices,
            "industries": [c for c in Industry.choices if c[0]],
            "sizes": [c for c in CompanySize.choices if c[0]],
            "genders": [("unknown", Gender.UNKNOWN.label), *[c for c in Gender.choices if c[0]]],
            "next_contact": [
                ("overdue", _("Overdue")),
                ("today", _("Today")),
                ("week", _("This week")),
                ("none", _("None planned")),
            ],
            "yes_no": [("yes", _("Yes")), ("no", _("No"))],
        }


class SavedViewForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    shared = forms.BooleanField(label=_("Share with everyone"), required=False)
    is_default = forms.BooleanField(label=_("Open this view by default"), required=False)
    query = forms.CharField(required=False, widget=forms.HiddenInput)
    cols = forms.CharField(required=False, widget=forms.HiddenInput)

    def to_input(self, params: dict[str, list[str]], columns: list[str]) -> SavedViewInput:
        data = self.cleaned_data
        return SavedViewInput(
            name=data["name"], params=params, columns=columns, shared=data["shared"], is_default=data["is_default"]
        )


class BulkActionForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), choices=[(a, a) for a in BULK_ACTIONS])
    ids = forms.CharField(required=False)
    all_matching = forms.BooleanField(required=False)
    query = forms.CharField(required=False)
    owner = forms.ModelChoiceField(label=_("New owner"), queryset=User.objects.none(), required=False)
    tags = forms.ModelMultipleChoiceField(label=_("Tags"), queryset=Tag.objects.all(), required=False)
    pool = forms.ModelChoiceField(label=_("Public pool"), queryset=Pool.objects.all(), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)
    confirm = forms.BooleanField(required=False)

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner_field = self.fields["owner"]
        assert isinstance(owner_field, forms.ModelChoiceField)
        owner_field.queryset = scoping.assignable_owners(actor, "customers").order_by("username")

    def options(self) -> BulkOptions:
        data = self.cleaned_data
        return BulkOptions(
            owner=data.get("owner"),
            tags=[t.pk for t in data.get("tags") or []],
            pool=data.get("pool"),
            reason=data.get("reason") or "",
        )

    def id_values(self) -> list[str]:
        return list(self.data.getlist("ids")) if hasattr(self.data, "getlist") else []
