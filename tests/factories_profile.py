"""Factories for the customer record's related rows (contacts, phones, emails, addresses, consent, custom fields)
and the makers the access matrix uses to build one of them for a customer."""

from __future__ import annotations

from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from guanxi.core import crypto
from guanxi.customers.models import (
    Address,
    Consent,
    Contact,
    CustomerEmail,
    CustomerPhone,
    CustomFieldDefinition,
)
from tests.factories import CustomerFactory


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    title = "Manager"
    role = Contact.Role.PURCHASER
    phone = factory.Sequence(lambda n: f"+861390000{n % 10000:04d}")
    email = factory.Sequence(lambda n: f"contact{n}@example.com")
    phone_digest = factory.LazyAttribute(lambda o: crypto.digest(o.phone))
    email_digest = factory.LazyAttribute(lambda o: crypto.digest(o.email.lower()))


class CustomerPhoneFactory(DjangoModelFactory):
    class Meta:
        model = CustomerPhone

    customer = factory.SubFactory(CustomerFactory)
    number = factory.Sequence(lambda n: f"+861370000{n % 10000:04d}")
    digest = factory.LazyAttribute(lambda o: crypto.digest(o.number))
    is_primary = False


class CustomerEmailFactory(DjangoModelFactory):
    class Meta:
        model = CustomerEmail

    customer = factory.SubFactory(CustomerFactory)
    address = factory.Sequence(lambda n: f"other{n}@example.com")
    digest = factory.LazyAttribute(lambda o: crypto.digest(o.address.lower()))
    is_primary = False


class AddressFactory(DjangoModelFactory):
    class Meta:
        model = Address

    customer = factory.SubFactory(CustomerFactory)
    kind = Address.Kind.OFFICE
    country = "CN"
    province = "上海市"
    city = "上海市"
    district = "浦东新区"
    line = factory.Sequence(lambda n: f"世纪大道{n}号")
    is_primary = False


class ConsentFactory(DjangoModelFactory):
    class Meta:
        model = Consent

    customer = factory.SubFactory(CustomerFactory)
    purpose = Consent.Purpose.MARKETING
    channel = Consent.Channel.ANY
    status = Consent.Status.GRANTED
    recorded_at = factory.LazyFunction(timezone.now)


class CustomFieldFactory(DjangoModelFactory):
    class Meta:
        model = CustomFieldDefinition

    key = factory.Sequence(lambda n: f"field_{n}")
    label = factory.Sequence(lambda n: f"Field {n}")
    type = CustomFieldDefinition.Type.TEXT


# --- makers for tests/access_routes/profile.py ------------------------------------------------------------------------
def make_contact(customer: Any) -> int:
    return int(ContactFactory(customer=customer).pk)


def make_phone(customer: Any) -> int:
    return int(CustomerPhoneFactory(customer=customer).pk)


def make_email(customer: Any) -> int:
    return int(CustomerEmailFactory(customer=customer).pk)


def make_address(customer: Any) -> int:
    return int(AddressFactory(customer=customer).pk)
