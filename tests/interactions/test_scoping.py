"""Interactions, attachments and follow-ups are visible exactly when their customer is (owner scope and pools)."""

from __future__ import annotations

import pytest
from django.db.models import Q

from guanxi.accounts import scoping
from guanxi.customers.models import Customer, Pool
from guanxi.interactions.models import Attachment, FollowUp, Interaction
from tests.factories import CustomerFactory
from tests.factories_interactions import make_attachment, make_follow_up, make_interaction

pytestmark = pytest.mark.django_db


def test_owner_predicate_follows_the_customer_path(org):
    assert scoping.owner_predicate(org.rep_a, "own", "customer__owner") == Q(customer__owner__id=org.rep_a.pk)
    team = scoping.owner_predicate(org.lead, "team", "customer__owner")
    assert team is not None and team.children[0][0] == "customer__owner__id__in"
    spec = scoping.spec_for(Attachment)
    assert (spec.domain, spec.owner_field) == ("customers", "interaction__customer__owner")


def test_records_are_visible_exactly_when_their_customer_is(org, customers_by_owner):
    pool = Pool.objects.create(name="East pool")
    pool.members.add(org.rep_a)
    pooled = CustomerFactory(owner=None, pool=pool, name="pooled")
    everyone = [c for customers in customers_by_owner.values() for c in customers] + [pooled]
    for customer in everyone:
        make_interaction(customer)
        make_follow_up(customer)
        make_attachment(customer)
    for persona, user in [*org.personas().items(), ("viewer", org.viewer)]:
        customers = set(scoping.scope(user, Customer.objects.all()).values_list("pk", flat=True))
        assert set(scoping.scope(user, Interaction.objects.all()).values_list("customer_id", flat=True)) == customers
        assert set(scoping.scope(user, FollowUp.objects.all()).values_list("customer_id", flat=True)) == customers
        attachments = scoping.scope(user, Attachment.objects.all()).values_list("interaction__customer_id", flat=True)
        assert set(attachments) == customers, persona
    # The pool member sees the pool customer's records, and only those beyond their own.
    seen = set(scoping.scope(org.rep_a, Interaction.objects.all()).values_list("customer__name", flat=True))
    assert seen == {"rep_a-customer", "pooled"}
