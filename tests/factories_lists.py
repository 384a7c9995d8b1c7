"""Factories for the customer list's tests: tags, pools, custom fields and saved views."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from guanxi.customers.models import CustomFieldDefinition, Pool, SavedView, Tag
from tests.factories import UserFactory


class TagFactory(DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"tag{n}")


class PoolFactory(DjangoModelFactory):
    class Meta:
        model = Pool
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Pool {n}")


class CustomFieldFactory(DjangoModelFactory):
    class Meta:
        model = CustomFieldDefinition
        django_get_or_create = ("key",)

    key = factory.Sequence(lambda n: f"field{n}")
    label = factory.LazyAttribute(lambda o: o.key.title())
    type = CustomFieldDefinition.Type.TEXT
    show_in_list = True


class SavedViewFactory(DjangoModelFactory):
    class Meta:
        model = SavedView

    name = factory.Sequence(lambda n: f"View {n}")
    user = factory.SubFactory(UserFactory)
    params = factory.LazyFunction(dict)
    columns = factory.LazyFunction(list)
