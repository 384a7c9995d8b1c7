"""Input shapes for the pool pages and the ownership dialogs; the rules live in services, not here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.accounts import scoping
from guanxi.accounts.forms import StyledFormMixin
from guanxi.accounts.models import Department, User
from guanxi.customers.models import Industry, Pool, PoolRule
from guanxi.customers.pools.selectors import PoolCustomerFilter
from guanxi.customers.pools.services import PoolInput, PoolRuleInput


class PoolCustomerFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    pool = forms.ModelChoiceField(
        label=_("Pool"), queryset=Pool.objects.none(), required=False, empty_label=_("All my pools")
    )
    city = forms.CharField(label=_("City"), required=False, max_length=50)
    industry = forms.ChoiceField(
        label=_("Industry"), required=False, choices=[("", _("Any industry")), *Industry.choices[1:]]
    )
    released_from = forms.DateField(
        label=_("Released from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    released_to = forms.DateField(
        label=_("Released to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, pools: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pool_field = self.fields["pool"]
        assert isinstance(pool_field, forms.ModelChoiceField)
        pool_field.queryset = pools
        self.style()

    def to_filter(self) -> PoolCustomerFilter:
        data = self.cleaned_data if self.is_valid() else {}
        pool = data.get("pool")
        return PoolCustomerFilter(
            pool=pool.pk if pool else None,
            city=(data.get("city") or "").strip(),
            industry=data.get("industry") or "",
            released_from=data.get("released_from"),
            released_to=data.get("released_to"),
            q=(data.get("q") or "").strip(),
        )


class ReleaseForm(StyledFormMixin, forms.Form):
    pool = forms.ModelChoiceField(label=_("Public pool"), queryset=Pool.objects.none(), required=False)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,  # the service says what is missing, in the same words for the page and the API
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the customer's history, e.g. “no budget this year”."),
    )

    def __init__(self, *args: Any, pools: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pool_field = self.fields["pool"]
        assert isinstance(pool_field, forms.ModelChoiceField)
        pool_field.queryset = pools
        pool_field.empty_label = _("The default pool")
        self.fields["reason"].widget.attrs["required"] = True
        self.style()


class AssignForm(StyledFormMixin, forms.Form):
    owner = forms.ModelChoiceField(label=_("New owner"), queryset=User.objects.none(), required=False)
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=255, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner_field = self.fields["owner"]
        assert isinstance(owner_field, forms.ModelChoiceField)
        owner_field.queryset = scoping.assignable_owners(actor, "customers").order_by("username")
        self.style()


class PoolForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    description = forms.CharField(label=_("Description"), max_length=255, required=False)
    is_default = forms.BooleanField(
        label=_("Default pool"), required=False, help_text=_("Released customers go here unless another is chosen.")
    )
    members = forms.ModelMultipleChoiceField(
        label=_("Members"), queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    member_departments = forms.ModelMultipleChoiceField(
        label=_("Member departments"),
        queryset=Department.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Everyone in these departments and their sub-departments is a member."),
    )
    admins = forms.ModelMultipleChoiceField(
        label=_("Pool admins"), queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    max_customers_per_user = forms.IntegerField(
        label=_("Customers a user may hold"), min_value=0, initial=0, help_text=_("0 means no limit.")
    )
    max_claims_per_day = forms.IntegerField(
        label=_("Claims per user per day"), min_value=0, initial=20, help_text=_("0 means no limit.")
    )
    reclaim_cooldown_days = forms.IntegerField(
        label=_("Days before the previous owner may claim back"), min_value=0, initial=30
    )

    def __init__(self, *args: Any, pool: Pool | None = None, **kwargs: Any) -> None:
        if pool is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": pool.name,
                    "description": pool.description,
                    "is_default": pool.is_default,
                    "members": list(pool.members.all()),
                    "member_departments": list(pool.member_departments.all()),
                    "admins": list(pool.admins.all()),
                    "max_customers_per_user": pool.max_customers_per_user,
                    "max_claims_per_day": pool.max_claims_per_day,
                    "reclaim_cooldown_days": pool.reclaim_cooldown_days,
                },
            )
        super().__init__(*args, **kwargs)
        active = User.objects.filter(is_active=True).order_by("username")
        for name in ("members", "admins"):
            user_field = self.fields[name]
            assert isinstance(user_field, forms.ModelMultipleChoiceField)
            user_field.queryset = active
        self.style()

    def to_input(self) -> PoolInput:
        data = self.cleaned_data
        return PoolInput(
            name=data["name"],
            description=data["description"],
            is_default=data["is_default"],
            members=list(data["members"]),
            member_departments=list(data["member_departments"]),
            admins=list(data["admins"]),
            max_customers_per_user=data["max_customers_per_user"],
            max_claims_per_day=data["max_claims_per_day"],
            reclaim_cooldown_days=data["reclaim_cooldown_days"],
        )


class PoolRuleForm(StyledFormMixin, forms.Form):
    value_tier = forms.CharField(
        label=_("Value tier"),
        max_length=20,
        required=False,
        help_text=_("Empty: every tier without a rule of its own."),
    )
    no_follow_up_days = forms.IntegerField(label=_("No follow-up for (days)"), min_value=1, required=False)
    no_opportunity_days = forms.IntegerField(
        label=_("No opportunity for (days)"),
        min_value=1,
        required=False,
        help_text=_("Applied once the sales module provides opportunities."),
    )
    not_won_days = forms.IntegerField(
        label=_("No deal won for (days)"),
        min_value=1,
        required=False,
        help_text=_("Applied once the sales module provides won deals."),
    )
    warn_days_before = forms.IntegerField(label=_("Warn the owner (days before)"), min_value=0, initial=3)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, rule: PoolRule | None = None, **kwargs: Any) -> None:
        if rule is not None:
            kwargs.setdefault(
                "initial",
                {
                    "value_tier": rule.value_tier,
                    "no_follow_up_days": rule.no_follow_up_days,
                    "no_opportunity_days": rule.no_opportunity_days,
                    "not_won_days": rule.not_won_days,
                    "warn_days_before": rule.warn_days_before,
                    "active": rule.active,
                },
            )
        super().__init__(*args, **kwargs)
        self.style()

    def to_input(self, pool: Pool) -> PoolRuleInput:
        data = self.cleaned_data
        return PoolRuleInput(
            pool=pool,
            value_tier=data["value_tier"],
            no_follow_up_days=data["no_follow_up_days"],
            no_opportunity_days=data["no_opportunity_days"],
            not_won_days=data["not_won_days"],
            warn_days_before=data["warn_days_before"],
            active=data["active"],
        )
