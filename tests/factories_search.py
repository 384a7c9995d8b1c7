"""Customers with phones and contacts for the search tests, written the way bulk paths write them (keys computed,
then `search_refresh`), independent of the customer services' forms."""

from __future__ import annotations

from typing import Any

from guanxi.core import crypto
from guanxi.customers.models import Contact, Customer, CustomerPhone
from guanxi.customers.search.keys import phone_grams, pinyin_keys
from guanxi.customers.search.services import search_refresh


def make_customer(
    *,
    name: str,
    owner: Any,
    kind: str = Customer.Kind.PERSON,
    phone: str = "",
    email: str = "",
    extra_phones: tuple[str, ...] = (),
    contacts: tuple[dict[str, str], ...] = (),
    refresh: bool = True,
) -> Customer:
    customer = Customer.objects.create(
        kind=kind,
        name=name,
        owner=owner,
        phone=phone,
        phone_digest=crypto.digest(phone),
        email=email,
        email_digest=crypto.digest(email.lower()),
    )
    for number in (phone, *extra_phones) if phone else extra_phones:
        CustomerPhone.objects.create(
            customer=customer, number=number, digest=crypto.digest(number), is_primary=number == phone
        )
    for data in contacts:
        full, initials = pinyin_keys(data["name"])
        contact_phone, contact_email = data.get("phone", ""), data.get("email", "")
        Contact.objects.create(
            customer=customer,
            name=data["name"],
            title=data.get("title", ""),
            phone=contact_phone,
            phone_digest=crypto.digest(contact_phone),
            email=contact_email,
            email_digest=crypto.digest(contact_email.lower()),
            name_pinyin=full,
            name_initials=initials,
            phone_grams=phone_grams(contact_phone) if contact_phone else "",
        )
    if refresh:
        search_refresh(customer.pk)
        customer.refresh_from_db()
    return customer
