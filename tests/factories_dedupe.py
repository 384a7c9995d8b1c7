"""Factories for the duplicate check and merge tests: customers with their search keys and every related row."""

from __future__ import annotations

from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from guanxi.core import crypto
from guanxi.customers.dedupe import keys
from guanxi.customers.models import (
    Address,
    Consent,
    Contact,
    Customer,
    CustomerEmail,
    CustomerPhone,
    MergeRecord,
    OwnershipEvent,
    Pool,
    Tag,
)
from guanxi.customers.search.keys import customer_keys
from tests.factories import CustomerFactory


class KeyedCustomerFactory(CustomerFactory):
    """A customer whose name keys and ID number digest are filled as the services fill them."""

    class Meta:
        model = Customer
        skip_postgeneration_save = True

    city = ""
    province = ""
    uscc = ""
    id_number = ""
    id_number_digest = factory.LazyAttribute(lambda o: keys.id_number_digest(o.id_number) if o.id_number else "")

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Customer:
        derived = customer_keys(
            kind=kwargs.get("kind", "person"), name=kwargs["name"], phones=[kwargs.get("phone", "")]
        )
        for name, value in derived.items():
            kwargs.setdefault(name, value)
        return super()._create(model_class, *args, **kwargs)


class PoolFactory(DjangoModelFactory):
    class Meta:
        model = Pool
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Pool {n}")


class TagFactory(DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"tag-{n}")


class CustomerPhoneFactory(DjangoModelFactory):
    class Meta:
        model = CustomerPhone

    customer = factory.SubFactory(KeyedCustomerFactory)
    number = factory.Sequence(lambda n: f"+861390000{n % 10000:04d}")
    digest = factory.LazyAttribute(lambda o: crypto.digest(o.number))


class CustomerEmailFactory(DjangoModelFactory):
    class Meta:
        model = CustomerEmail

    customer = factory.SubFactory(KeyedCustomerFactory)
    address = factory.Sequence(lambda n: f"other{n}@example.com")
    digest = factory.LazyAttribute(lambda o: crypto.digest(o.address.lower()))


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(KeyedCustomerFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    phone = ""
    email = ""
    phone_digest = factory.LazyAttribute(lambda o: crypto.digest(o.phone))
    email_digest = factory.LazyAttribute(lambda o: crypto.digest(o.email.lower()))


class AddressFactory(DjangoModelFactory):
    class Meta:
        model = Address

    customer = factory.SubFactory(KeyedCustomerFactory)
    province = "上海市"
    city = "上海市"
    line = "南京西路 1 号"


class ConsentFactory(DjangoModelFactory):
    class Meta:
        model = Consent

    customer = factory.SubFactory(KeyedCustomerFactory)
    purpose = Consent.Purpose.MARKETING
    status = Consent.Status.GRANTED
    recorded_at = factory.LazyFunction(timezone.now)


class OwnershipEventFactory(DjangoModelFactory):
    class Meta:
        model = OwnershipEvent

    customer = factory.SubFactory(KeyedCustomerFactory)
    kind = OwnershipEvent.Kind.CREATE


def merge_record_for(customer: Customer) -> int:
    """A merge record kept on `customer` (for the access matrix)."""
    return MergeRecord.objects.create(survivor=customer, merged_id=customer.pk + 100000).pk
