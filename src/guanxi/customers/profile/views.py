"""The 360 page's in-place editing (htmx): contacts, phone numbers, email addresses, addresses, tags and consent, the
timeline fragment, and the custom-field admin screens. Thin: forms shape the input, services decide.

An in-place form is fetched into a slot of its section; on success the view answers the refreshed section (htmx) or
redirects to the 360 page (no JavaScript); on a service error it answers 422 with the form, retargeted onto itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanxi.core.htmx import render_page
from guanxi.core.registry import registry
from guanxi.customers.customfields import custom_field_definitions
from guanxi.customers.forms import (
    AddressForm,
    ConsentForm,
    ContactForm,
    EmailForm,
    FieldDefinitionForm,
    PhoneForm,
    TagForm,
    add_service_errors,
)
from guanxi.customers.models import Customer, CustomFieldDefinition, Tag
from guanxi.customers.profile import selectors, services
from guanxi.customers.profile.masking import mask
from guanxi.customers.selectors import customer_get

SECTIONS = {
    "contacts": "customers/profile/_contacts.html",
    "channels": "customers/profile/_channels.html",
    "addresses": "customers/profile/_addresses.html",
    "tags": "customers/profile/_tags.html",
    "consents": "customers/profile/_consents.html",
}


# --- context shared with the 360 page ---------------------------------------------------------------------------------
def profile_context(request: HttpRequest, profile: selectors.Profile) -> dict[str, Any]:
    """What the profile sections need: the records with their masked display values, and what the user may do."""
    for row in profile.phones:
        row.masked = mask("phone", row.number)
    for row in profile.emails:
        row.masked = mask("email", row.address)
    for address in profile.addresses:
        setattr(address, "masked_line", mask("line", address.line))  # noqa: B010 - a display attribute for the template
    for contact in profile.contacts:
        setattr(contact, "masked_phone", mask("phone", contact.phone))  # noqa: B010
        setattr(contact, "masked_email", mask("email", contact.email))  # noqa: B010
    customer = profile.customer
    return {
        "customer": customer,
        "p": profile,
        "masked_id_number": mask("id_number", customer.id_number),
        "can_reveal": request.user.has_perm("customers.reveal"),
        "can_change": request.user.has_perm("customers.change"),
        "known_tags": Tag.objects.order_by("name").values_list("name", flat=True)[:200],
    }


def _kinds(request: HttpRequest) -> set[str] | None:
    chosen = {k for k in request.GET.getlist("kind") if k in registry.timeline_kinds}
    return chosen or None


def timeline_context(request: HttpRequest, customer: Customer, before: dt.datetime | None = None) -> dict[str, Any]:
    kinds = _kinds(request)
    page = selectors.timeline(actor=request.user, customer=customer, kinds=kinds, before=before)
    return {
        "customer": customer,
        "timeline": page,
        "timeline_kinds": registry.timeline_kinds,
        "selected_kinds": kinds or set(),
    }


@require_GET
@permission_required("customers.view", raise_exception=True)
def customer_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    """The timeline entries older than `before` (an ISO time), for the filter chips and the load-more sentinel."""
    customer = customer_get(actor=request.user, pk=pk)
    before = None
    if request.GET.get("before"):
        try:
            before = dt.datetime.fromisoformat(request.GET["before"])
        except ValueError:
            return HttpResponseBadRequest(_("“before” must be a time such as 2025-03-31T12:00:00+08:00."))
        if timezone.is_naive(before):
            before = timezone.make_aware(before)
    return render(request, "customers/profile/_timeline_entries.html", timeline_context(request, customer, before))


# --- in-place forms ---------------------------------------------------------------------------------------------------
def _section(request: HttpRequest, customer_id: int, section: str) -> HttpResponse:
    profile = selectors.customer_profile(actor=request.user, pk=customer_id, request=request)
    return render(request, SECTIONS[section], profile_context(request, profile))


def _done(request: HttpRequest, customer_id: int, section: str, message: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        return _section(request, customer_id, section)
    messages.success(request, message)
    return redirect(reverse("customers:detail", args=[customer_id]))


def _handle(
    request: HttpRequest,
    *,
    form: Any,
    customer: Customer,
    section: str,
    title: str,
    action: str,
    save: Callable[[dict[str, Any]], Any],
    done: str,
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _done(request, customer.pk, section, done)
    status = 422 if form.errors else 200
    context = {"form": form, "customer": customer, "section": section, "title": title, "action": action}
    response = render_page(
        request,
        "customers/profile/form_page.html",
        context,
        fragment="customers/profile/_inline_form.html",
        status=status,
    )
    if status == 422:
        response["HX-Retarget"] = f"#{section}-form"
        response["HX-Reswap"] = "outerHTML"
    return response


def _opt(value: str, keep: bool) -> str | None:
    """A masked field left empty by someone who could not see it keeps its value."""
    return None if keep and not value else value


@permission_required("customers.change", raise_exception=True)
def contact_create(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get(actor=request.user, pk=pk)
    return _handle(
        request,
        form=ContactForm(request.POST or None),
        customer=customer,
        section="contacts",
        title=_("New contact"),
        action=reverse("customers:contact_create", args=[pk]),
        save=lambda d: services.contact_create(actor=request.user, customer=customer, data=services.ContactInput(**d)),  # type: ignore[arg-type]
        done=_("Contact added."),
    )


@permission_required("customers.change", raise_exception=True)
def contact_edit(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = selectors.contact_get(actor=request.user, pk=contact_id)
    keep = not request.user.has_perm("customers.reveal")
    initial = {f: getattr(contact, f) for f in ("name", "title", "role", "wechat", "is_primary", "notes")}
    if not keep:
        initial.update(phone=contact.phone, email=contact.email)
    form = ContactForm(request.POST or None, initial=initial)
    if keep:
        for name in ("phone", "email"):
            if getattr(contact, name):
                form.fields[name].help_text = _("Stored: %(masked)s. Leave empty to keep it.") % {
                    "masked": mask(name, getattr(contact, name))
                }

    def save(d: dict[str, Any]) -> Any:
        data = services.ContactInput(**{**d, "phone": _opt(d["phone"], keep), "email": _opt(d["email"], keep)})
        return services.contact_update(actor=request.user, contact=contact, data=data)  # type: ignore[arg-type]

    return _handle(
        request,
        form=form,
        customer=contact.customer,
        section="contacts",
        title=_("Edit contact"),
        action=reverse("customers:contact_edit", args=[contact_id]),
        save=save,
        done=_("Contact saved."),
    )


@require_POST
@permission_required("customers.change", raise_exception=True)
def contact_delete(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = selectors.contact_get(actor=request.user, pk=contact_id)
    services.contact_delete(actor=request.user, contact=contact)  # type: ignore[arg-type]
    return _done(request, contact.customer_id, "contacts", _("Contact removed."))


@require_POST
@permission_required("customers.reveal", raise_exception=True)
def contact_reveal(request: HttpRequest, contact_id: int, field: str) -> HttpResponse:
    contact = selectors.contact_get(actor=request.user, pk=contact_id)
    try:
        value = services.contact_reveal(actor=request.user, contact=contact, field=field)  # type: ignore[arg-type]
    except ValidationError:
        return HttpResponse(status=400)
    return render(request, "customers/_revealed.html", {"value": value, "field": field})


@permission_required("customers.change", raise_exception=True)
def phone_create(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get(actor=request.user, pk=pk)
    return _handle(
        request,
        form=PhoneForm(request.POST or None),
        customer=customer,
        section="channels",
        title=_("New phone number"),
        action=reverse("customers:phone_create", args=[pk]),
        save=lambda d: services.phone_add(
            actor=request.user,  # type: ignore[arg-type]
            customer=customer,
            number=d["number"],
            label=d["label"],
            primary=d["is_primary"],
        ),
        done=_("Phone number added."),
    )


@permission_required("customers.change", raise_exception=True)
def phone_edit(request: HttpRequest, phone_id: int) -> HttpResponse:
    phone = selectors.phone_get(actor=request.user, pk=phone_id)
    keep = not request.user.has_perm("customers.reveal")
    form = PhoneForm(
        request.POST or None,
        initial={"number": "" if keep else phone.number, "label": phone.label, "is_primary": phone.is_primary},
    )
    if keep:
        form.fields["number"].help_text = _("Stored: %(masked)s. Leave empty to keep it.") % {
            "masked": mask("phone", phone.number)
        }
    return _handle(
        request,
        form=form,
        customer=phone.customer,
        section="channels",
        title=_("Edit phone number"),
        action=reverse("customers:phone_edit", args=[phone_id]),
        save=lambda d: services.phone_update(
            actor=request.user,  # type: ignore[arg-type]
            phone=phone,
            number=_opt(d["number"], keep),
            label=d["label"],
            primary=d["is_primary"],
        ),
        done=_("Phone number saved."),
    )


@require_POST
@permission_required("customers.change", raise_exception=True)
def phone_delete(request: HttpRequest, phone_id: int) -> HttpResponse:
    phone = selectors.phone_get(actor=request.user, pk=phone_id)
    services.phone_remove(actor=request.user, phone=phone)  # type: ignore[arg-type]
    return _done(request, phone.customer_id, "channels", _("Phone number removed."))


@permission_required("customers.change", raise_exception=True)
def email_create(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get(actor=request.user, pk=pk)
    return _handle(
        request,
        form=EmailForm(request.POST or None),
        customer=customer,
        section="channels",
        title=_("New email address"),
        action=reverse("customers:email_create", args=[pk]),
        save=lambda d: services.email_add(
            actor=request.user,  # type: ignore[arg-type]
            customer=customer,
            address=d["address"],
            label=d["label"],
            primary=d["is_primary"],
        ),
        done=_("Email address added."),
    )


@permission_required("customers.change", raise_exception=True)
def email_edit(request: HttpRequest, email_id: int) -> HttpResponse:
    email = selectors.email_get(actor=request.user, pk=email_id)
    keep = not request.user.has_perm("customers.reveal")
    form = EmailForm(
        request.POST or None,
        initial={"address": "" if keep else email.address, "label": email.label, "is_primary": email.is_primary},
    )
    if keep:
        form.fields["address"].help_text = _("Stored: %(masked)s. Leave empty to keep it.") % {
            "masked": mask("email", email.address)
        }
    return _handle(
        request,
        form=form,
        customer=email.customer,
        section="channels",
        title=_("Edit email address"),
        action=reverse("customers:email_edit", args=[email_id]),
        save=lambda d: services.email_update(
            actor=request.user,  # type: ignore[arg-type]
            email=email,
            address=_opt(d["address"], keep),
            label=d["label"],
            primary=d["is_primary"],
        ),
        done=_("Email address saved."),
    )


@require_POST
@permission_required("customers.change", raise_exception=True)
def email_delete(request: HttpRequest, email_id: int) -> HttpResponse:
    email = selectors.email_get(actor=request.user, pk=email_id)
    services.email_remove(actor=request.user, email=email)  # type: ignore[arg-type]
    return _done(request, email.customer_id, "channels", _("Email address removed."))


@permission_required("customers.change", raise_exception=True)
def address_create(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get(actor=request.user, pk=pk)
    return _handle(
        request,
        form=AddressForm(request.POST or None),
        customer=customer,
        section="addresses",
        title=_("New address"),
        action=reverse("customers:address_create", args=[pk]),
        save=lambda d: services.address_create(actor=request.user, customer=customer, data=services.AddressInput(**d)),  # type: ignore[arg-type]
        done=_("Address added."),
    )


@permission_required("customers.change", raise_exception=True)
def address_edit(request: HttpRequest, address_id: int) -> HttpResponse:
    address = selectors.address_get(actor=request.user, pk=address_id)
    keep = not request.user.has_perm("customers.reveal")
    fields = ("kind", "country", "province", "city", "district", "postal_code", "is_primary")
    initial = {f: getattr(address, f) for f in fields}
    initial["line"] = "" if keep else address.line
    form = AddressForm(request.POST or None, initial=initial)
    if keep and address.line:
        form.fields["line"].help_text = _("Stored: %(masked)s. Leave empty to keep it.") % {
            "masked": mask("line", address.line)
        }
    return _handle(
        request,
        form=form,
        customer=address.customer,
        section="addresses",
        title=_("Edit address"),
        action=reverse("customers:address_edit", args=[address_id]),
        save=lambda d: services.address_update(
            actor=request.user,  # type: ignore[arg-type]
            address=address,
            data=services.AddressInput(**{**d, "line": _opt(d["line"], keep)}),
        ),
        done=_("Address saved."),
    )


@require_POST
@permission_required("customers.change", raise_exception=True)
def address_delete(request: HttpRequest, address_id: int) -> HttpResponse:
    address = selectors.address_get(actor=request.user, pk=address_id)
    services.address_delete(actor=request.user, address=address)  # type: ignore[arg-type]
    return _done(request, address.customer_id, "addresses", _("Address removed."))


@permission_required("customers.change", raise_exception=True)
def tag_add(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get(actor=request.user, pk=pk)
    return _handle(
        request,
        form=TagForm(request.POST or None),
        customer=customer,
        section="tags",
        title=_("Add a tag"),
        action=reverse("customers:tag_add", args=[pk]),
        save=lambda d: services.tag_add(actor=request.user, customer=customer, name=d["name"]),  # type: ignore[arg-type]
        done=_("Tag added."),
    )


@require_POST
@permission_required("customers.change", raise_exception=True)
def tag_remove(request: HttpRequest, pk: int, tag_id: int) -> HttpResponse:
    customer = customer_get(actor=request.user, pk=pk)
    tag = Tag.objects.filter(pk=tag_id).first()
    if tag is not None:  # removing a tag that is gone already changes nothing
        services.tag_remove(actor=request.user, customer=customer, tag=tag)  # type: ignore[arg-type]
    return _done(request, customer.pk, "tags", _("Tag removed."))


@permission_required("customers.change", raise_exception=True)
def consent_create(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get(actor=request.user, pk=pk)
    return _handle(
        request,
        form=ConsentForm(request.POST or None),
        customer=customer,
        section="consents",
        title=_("Record consent"),
        action=reverse("customers:consent_create", args=[pk]),
        save=lambda d: services.consent_record(
            actor=request.user,  # type: ignore[arg-type]
            customer=customer,
            data=services.ConsentInput(**d),
        ),
        done=_("Consent recorded."),
    )


# --- custom-field definitions (admin) ---------------------------------------------------------------------------------
@permission_required("customers.manage_fields", raise_exception=True)
def field_list(request: HttpRequest) -> HttpResponse:
    definitions = custom_field_definitions(include_inactive=True)
    return render(request, "customers/profile/fields.html", {"definitions": definitions})


def _definition_input(data: dict[str, Any], definition: CustomFieldDefinition | None) -> services.FieldDefinitionInput:
    return services.FieldDefinitionInput(
        key=definition.key if definition else data["key"],
        label=data["label"],
        type=definition.type if definition else data["type"],
        choices=(data["choices"] or "").splitlines(),
        required=data["required"],
        help_text=data["help_text"],
        order=data["order"] if data["order"] is not None else 0,
        show_in_list=data["show_in_list"],
        active=data["active"],
    )


def _field_form_page(request: HttpRequest, form: FieldDefinitionForm, definition: Any) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            data = _definition_input(form.cleaned_data, definition)
            if definition is None:
                saved = services.custom_field_create(actor=request.user, data=data)  # type: ignore[arg-type]
            else:
                saved = services.custom_field_update(actor=request.user, definition=definition, data=data)  # type: ignore[arg-type]
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, format_html(_("Custom field “{}” saved."), saved.label))
            return redirect(reverse("customers:field_list"))
    return render(
        request,
        "customers/profile/field_form.html",
        {"form": form, "definition": definition},
        status=422 if form.errors else 200,
    )


@permission_required("customers.manage_fields", raise_exception=True)
def field_create(request: HttpRequest) -> HttpResponse:
    return _field_form_page(request, FieldDefinitionForm(request.POST or None), None)


@permission_required("customers.manage_fields", raise_exception=True)
def field_edit(request: HttpRequest, field_id: int) -> HttpResponse:
    definition = CustomFieldDefinition.objects.filter(pk=field_id).first()
    if definition is None:
        raise Http404
    initial = {
        "key": definition.key,
        "label": definition.label,
        "type": definition.type,
        "choices": "\n".join(str(c) for c in definition.choices or []),
        "required": definition.required,
        "help_text": definition.help_text,
        "order": definition.order,
        "show_in_list": definition.show_in_list,
        "active": definition.active,
    }
    form = FieldDefinitionForm(request.POST or None, initial=initial, editing=True)
    return _field_form_page(request, form, definition)
