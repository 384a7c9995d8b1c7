"""factory_boy factories for every app. Departments get their tree path through the service that maintains it."""

from __future__ import annotations

from typing import Any

import factory
from factory.django import DjangoModelFactory

from guanxi.accounts.models import DataScope, Department, Role, Team, User
from guanxi.core import crypto
from guanxi.customers.models import Customer
from guanxi.customers.search.keys import customer_keys

ALL_CUSTOMER_PERMISSIONS = [
    "customers.view",
    "customers.create",
    "customers.change",
    "customers.delete",
    "customers.export",
    "customers.reveal",
    "customers.merge",
]


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"Department {n}")
    parent = None

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Department:
        from guanxi.accounts.services import department_create

        return department_create(actor=None, name=kwargs["name"], parent=kwargs.get("parent"))


class RoleFactory(DjangoModelFactory):
    class Meta:
        model = Role
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Role {n}")
    permissions = factory.LazyFunction(lambda: list(ALL_CUSTOMER_PERMISSIONS))
    data_scopes = factory.LazyFunction(lambda: {"customers": DataScope.OWN})


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.LazyAttribute(lambda o: o.username.title())
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    language = "en"
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def roles(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.roles.set(extracted)


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Team {n}")

    @factory.post_generation
    def members(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.members.set(extracted)


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = Customer

    kind = Customer.Kind.PERSON
    name = factory.Sequence(lambda n: f"Customer {n}")
    phone = factory.Sequence(lambda n: f"+861380000{n % 10000:04d}")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    phone_digest = factory.LazyAttribute(lambda o: crypto.digest(o.phone))
    email_digest = factory.LazyAttribute(lambda o: crypto.digest(o.email.lower()))
    owner = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Customer:
        # Search and duplicate keys as the services compute them, unless a test sets them itself.
        phone = kwargs.get("phone") or ""
        keys = customer_keys(kind=kwargs.get("kind", "person"), name=kwargs["name"], phones=[phone] if phone else [])
        for key, value in keys.items():
            kwargs.setdefault(key, value)
        return super()._create(model_class, *args, **kwargs)
