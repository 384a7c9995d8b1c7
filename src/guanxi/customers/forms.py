"""Input shapes for the customer pages; validation rules live in services, not here."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from guanxi.accounts import scoping
from guanxi.accounts.models import User
from guanxi.customers.customfields import choice_values
from guanxi.customers.models import (
    Address,
    CompanySize,
    Consent,
    Contact,
    Customer,
    CustomFieldDefinition,
    Gender,
    Industry,
    LifecycleStage,
    Source,
)
from guanxi.customers.profile.masking import mask
from guanxi.customers.selectors import SORTS, CustomerFilter
from guanxi.customers.services import CustomerInput

CUSTOM_PREFIX = "custom_"


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.CheckboxSelectMultiple):
            continue
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs.setdefault("class", css)


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's field errors beside the form's fields (`custom.<key>` on its custom field); the rest on top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for key, messages in exc.message_dict.items():
        name = CUSTOM_PREFIX + key.split(".", 1)[1] if key.startswith("custom.") else key
        form.add_error(name if name in form.fields else None, messages)


def split_tags(raw: str) -> list[str]:
    return [t for t in re.split(r"[,，;；\n]+", raw or "") if t.strip()]


def _custom_form_field(definition: CustomFieldDefinition) -> forms.Field:
    """A form field for a custom field; it only shapes the input, the services check the value."""
    common: dict[str, Any] = {"label": definition.label, "required": False, "help_text": definition.help_text}
    kind = definition.type
    if kind == CustomFieldDefinition.Type.NUMBER:
        return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common)
    if kind == CustomFieldDefinition.Type.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == CustomFieldDefinition.Type.BOOLEAN:
        return forms.ChoiceField(choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))], **common)
    choices = [(c, c) for c in choice_values(definition)]
    if kind == CustomFieldDefinition.Type.CHOICE:
        return forms.ChoiceField(choices=[("", "—"), *choices], **common)
    if kind == CustomFieldDefinition.Type.MULTI_CHOICE:
        return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
    return forms.CharField(max_length=1000, **common)


def custom_initial(definitions: list[CustomFieldDefinition], values: dict[str, Any]) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    for d in definitions:
        value = values.get(d.key)
        if value is None:
            continue
        if d.type == CustomFieldDefinition.Type.BOOLEAN:
            value = "true" if value else "false"
        initial[CUSTOM_PREFIX + d.key] = value
    return initial


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
    lifecycle_stage = forms.ChoiceField(
        label=_("Lifecycle stage"), choices=LifecycleStage.choices, initial=LifecycleStage.PROSPECT, required=False
    )
    source = forms.ChoiceField(label=_("Source"), choices=[("", "—"), *Source.choices], required=False)
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=500, help_text=_("Separate tags with commas; new tags are created.")
    )
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, required=False)
    birthday = forms.DateField(label=_("Birthday"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    lunar_birth_month = forms.IntegerField(label=_("Lunar birthday month"), required=False)
    lunar_birth_day = forms.IntegerField(label=_("Lunar birthday day"), required=False)
    lunar_birth_leap = forms.BooleanField(label=_("Leap month"), required=False)
    id_number = forms.CharField(label=_("ID number"), required=False, max_length=40)
    industry = forms.ChoiceField(label=_("Industry"), choices=Industry.choices, required=False)
    company_size = forms.ChoiceField(label=_("Company size"), choices=CompanySize.choices, required=False)
    uscc = forms.CharField(
        label=_("Unified social credit code"),
        required=False,
        max_length=30,
        help_text=_("18 characters, for companies registered in mainland China."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    PERSON_FIELDS = ("gender", "birthday", "lunar_birth_month", "lunar_birth_day", "lunar_birth_leap", "id_number")
    COMPANY_FIELDS = ("industry", "company_size", "uscc")

    def __init__(
        self,
        *args: Any,
        actor: Any,
        definitions: list[CustomFieldDefinition] | None = None,
        customer: Customer | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.definitions = definitions or []
        owner_field = self.fields["owner"]
        assert isinstance(owner_field, forms.ModelChoiceField)
        owner_field.queryset = scoping.assignable_owners(actor, "customers").order_by("username")
        for definition in self.definitions:
            self.fields[CUSTOM_PREFIX + definition.key] = _custom_form_field(definition)
        # Masked data is never put into a form for someone who may not reveal it: empty keeps the stored value.
        self.keep_masked = customer is not None and not actor.has_perm("customers.reveal")
        if self.keep_masked and customer is not None:
            for name in ("phone", "email"):
                stored = getattr(customer, name)
                self.initial[name] = ""
                if stored:
                    self.fields[name].help_text = _("Stored: %(masked)s. Leave empty to keep it.") % {
                        "masked": mask(name, stored)
                    }
        if customer is not None and customer.id_number:
            # The ID number is masked data: the form never shows it; empty keeps it.
            self.fields["id_number"].help_text = _("Stored: %(masked)s. Leave empty to keep it.") % {
                "masked": mask("id_number", customer.id_number)
            }
            self.fields["clear_id_number"] = forms.BooleanField(label=_("Remove the ID number"), required=False)
        if "allow_duplicate" in self.data:
            self.add_duplicate_confirmation()
        _style(self)

    def add_duplicate_confirmation(self) -> None:
        """Offer "save anyway" after the duplicate check refused a save."""
        self.fields["allow_duplicate"] = forms.BooleanField(
            label=_("This is not a duplicate: save anyway"),
            required=False,
            widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        )

    def custom_fields(self) -> list[forms.BoundField]:
        return [self[CUSTOM_PREFIX + d.key] for d in self.definitions]

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith(CUSTOM_PREFIX)]

    def to_input(self) -> CustomerInput:
        data = self.cleaned_data
        id_number: str | None = data["id_number"] or None
        if data.get("clear_id_number"):
            id_number = ""
        elif self.customer is None:
            id_number = data["id_number"] or ""
        custom: dict[str, Any] = {}
        for definition in self.definitions:
            value = data.get(CUSTOM_PREFIX + definition.key)
            custom[definition.key] = value if value not in (None, "") else None
        keep = self.keep_masked
        return CustomerInput(
            kind=data["kind"],
            name=data["name"],
            phone=(data["phone"] or None) if keep else data["phone"],
            email=(data["email"] or None) if keep else data["email"],
            owner=data["owner"],
            gender=data["gender"] or "",
            birthday=data["birthday"],
            lunar_birth_month=data["lunar_birth_month"],
            lunar_birth_day=data["lunar_birth_day"],
            lunar_birth_leap=bool(data["lunar_birth_leap"]),
            industry=data["industry"] or "",
            company_size=data["company_size"] or "",
            source=data["source"] or "",
            lifecycle_stage=data["lifecycle_stage"] or LifecycleStage.PROSPECT,
            notes=data["notes"] or "",
            uscc=data["uscc"] or "",
            id_number=id_number,
            tags=split_tags(data["tags"]),
            custom=custom,
            allow_duplicate=bool(data.get("allow_duplicate")),
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


# --- the 360 page's in-place forms ------------------------------------------------------------------------------------
class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    title = forms.CharField(label=_("Job title"), max_length=100, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *Contact.Role.choices], required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.CharField(label=_("Email"), max_length=254, required=False)
    wechat = forms.CharField(label=_("WeChat ID"), max_length=50, required=False)
    is_primary = forms.BooleanField(label=_("Primary contact"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class AddressForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=Address.Kind.choices)
    country = forms.CharField(label=_("Country"), max_length=2, initial="CN", help_text=_("Two letters: CN, HK, US…"))
    province = forms.CharField(label=_("Province"), max_length=50, required=False)
    city = forms.CharField(label=_("City"), max_length=50, required=False)
    district = forms.CharField(label=_("District"), max_length=50, required=False)
    line = forms.CharField(label=_("Street address"), max_length=300, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    is_primary = forms.BooleanField(label=_("Primary address"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, datalist in (("province", "cn-provinces"), ("city", "cn-cities")):
            self.fields[name].widget.attrs["list"] = datalist
        _style(self)


class PhoneForm(forms.Form):
    number = forms.CharField(label=_("Phone"), max_length=40, required=False)
    label = forms.CharField(label=_("Label"), max_length=30, required=False, help_text=_("e.g. mobile, office"))
    is_primary = forms.BooleanField(label=_("Primary"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class EmailForm(forms.Form):
    address = forms.CharField(label=_("Email"), max_length=254, required=False)
    label = forms.CharField(label=_("Label"), max_length=30, required=False, help_text=_("e.g. work, personal"))
    is_primary = forms.BooleanField(label=_("Primary"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class TagForm(forms.Form):
    name = forms.CharField(label=_("Tag"), max_length=60, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["list"] = "known-tags"
        _style(self)


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Consent.Purpose.choices)
    channel = forms.ChoiceField(label=_("Channel"), choices=Consent.Channel.choices, initial=Consent.Channel.ANY)
    status = forms.ChoiceField(label=_("Status"), choices=Consent.Status.choices)
    recorded_at = forms.DateTimeField(
        label=_("When"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Empty: now."),
    )
    evidence = forms.CharField(
        label=_("Evidence"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("How the customer agreed or withdrew: a signed form, a recorded call, a web form…"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class FieldDefinitionForm(forms.Form):
    key = forms.CharField(
        label=_("Key"), max_length=50, required=False, help_text=_("Used in the API and in files; cannot change later.")
    )
    label = forms.CharField(label=_("Label"), max_length=100, required=False)
    type = forms.ChoiceField(label=_("Type"), choices=CustomFieldDefinition.Type.choices)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For choice fields: one choice per line."),
    )
    required = forms.BooleanField(label=_("Required"), required=False)
    help_text = forms.CharField(label=_("Help text"), max_length=200, required=False)
    order = forms.IntegerField(label=_("Order"), initial=0, min_value=0, max_value=32767)
    show_in_list = forms.BooleanField(label=_("Show in lists"), required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["key"].disabled = True
            self.fields["type"].disabled = True
        _style(self)
