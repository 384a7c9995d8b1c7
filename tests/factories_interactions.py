"""Factories for the interactions app (records are built directly; the services are tested in tests/interactions)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from factory.django import DjangoModelFactory

from guanxi.interactions.models import Attachment, FollowUp, Interaction, RevisitPlan
from tests.factories import CustomerFactory, UserFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class InteractionFactory(DjangoModelFactory):
    class Meta:
        model = Interaction

    customer = factory.SubFactory(CustomerFactory)
    kind = Interaction.Kind.CALL
    channel = Interaction.Channel.PHONE
    direction = Interaction.Direction.OUTBOUND
    occurred_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1))
    summary = factory.Sequence(lambda n: f"Talked about order {n}")
    created_by = factory.LazyAttribute(lambda o: o.customer.owner)


class AttachmentFactory(DjangoModelFactory):
    class Meta:
        model = Attachment

    interaction = factory.SubFactory(InteractionFactory)
    file = factory.LazyFunction(lambda: ContentFile(PDF_BYTES, name="quote.pdf"))
    original_name = "quote.pdf"
    size = len(PDF_BYTES)
    content_type = "application/pdf"


def _assignee(o: Any) -> Any:
    return o.customer.owner or UserFactory()


class FollowUpFactory(DjangoModelFactory):
    class Meta:
        model = FollowUp

    customer = factory.SubFactory(CustomerFactory)
    assignee = factory.LazyAttribute(_assignee)
    due_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=1))
    title = factory.Sequence(lambda n: f"Call back {n}")
    kind = FollowUp.Kind.FOLLOW_UP


class RevisitPlanFactory(DjangoModelFactory):
    class Meta:
        model = RevisitPlan

    name = factory.Sequence(lambda n: f"Plan {n}")
    interval_days = 30
    lifecycle_stage = "loyal"
    starts_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=31))


def make_interaction(customer: Any) -> int:
    return int(InteractionFactory(customer=customer).pk)


def make_attachment(customer: Any) -> int:
    """One stored file shared by every attachment made here, so repeated runs do not fill MEDIA_ROOT."""
    name = "interactions/tests/access-matrix.pdf"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(PDF_BYTES))
    return int(AttachmentFactory(interaction__customer=customer, file=name).pk)


def make_follow_up(customer: Any) -> int:
    return int(FollowUpFactory(customer=customer).pk)
