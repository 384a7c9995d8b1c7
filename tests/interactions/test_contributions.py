"""What interactions registers for shared screens: the 360 timeline, its kinds, the panel, actions, card and menu."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guanxi.core.registry import TimelineEntry, registry
from guanxi.interactions import contributions
from tests.factories import CustomerFactory
from tests.factories_interactions import AttachmentFactory, FollowUpFactory, InteractionFactory

pytestmark = pytest.mark.django_db


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_everything_is_registered():
    assert contributions.customer_timeline in registry.timeline_providers
    assert set(registry.timeline_kinds) >= {"call", "email", "meeting", "visit", "chat", "note", "follow_up"}
    assert str(registry.timeline_kinds["follow_up"]) == "Follow-ups"
    assert contributions.open_follow_ups_panel in registry.customer_panels
    assert contributions.customer_actions in registry.customer_actions
    assert contributions.overdue_card in registry.dashboard_cards
    assert "interactions:my_day" in {item.url_name for item in registry.menu}


@pytest.fixture
def history(org):
    customer = CustomerFactory(owner=org.rep_a)
    now = timezone.now()
    call = InteractionFactory(customer=customer, kind="call", occurred_at=now - dt.timedelta(hours=1))
    visit = InteractionFactory(customer=customer, kind="visit", occurred_at=now - dt.timedelta(days=2))
    # Logged last, but it happened first: the timeline orders by when it happened.
    late = InteractionFactory(customer=customer, kind="note", occurred_at=now - dt.timedelta(days=5))
    AttachmentFactory.create_batch(2, interaction=visit)
    task = FollowUpFactory(customer=customer)
    InteractionFactory(customer=CustomerFactory(owner=org.rep_a))  # another customer's
    return customer, call, visit, late, task


def test_timeline_newest_first_with_kinds_before_and_limit(org, history):
    customer, call, visit, late, task = history
    entries = contributions.customer_timeline(org.rep_a, customer, None, None, 10)
    assert all(isinstance(e, TimelineEntry) for e in entries)
    assert [e.key for e in entries] == [
        f"follow_up:{task.pk}",
        f"interaction:{call.pk}",
        f"interaction:{visit.pk}",
        f"interaction:{late.pk}",
    ]
    assert entries[2].context["interaction"].attachment_count == 2
    assert entries[1].kind == "call" and entries[1].url == reverse("interactions:detail", args=[call.pk])
    only_visits = contributions.customer_timeline(org.rep_a, customer, {"visit", "order"}, None, 10)
    assert [e.key for e in only_visits] == [f"interaction:{visit.pk}"]
    older = contributions.customer_timeline(org.rep_a, customer, None, call.occurred_at, 10)
    assert [e.key for e in older] == [f"interaction:{visit.pk}", f"interaction:{late.pk}"]
    assert len(contributions.customer_timeline(org.rep_a, customer, None, None, 2)) == 2
    assert contributions.customer_timeline(org.rep_a, customer, {"order"}, None, 10) == []
    assert [e.key for e in contributions.customer_timeline(org.rep_a, customer, {"follow_up"}, None, 10)] == [
        f"follow_up:{task.pk}"
    ]


def test_timeline_is_scoped_and_costs_two_queries(org, history):
    customer = history[0]
    assert contributions.customer_timeline(org.rep_b, customer, None, None, 10) == []
    InteractionFactory.create_batch(20, customer=customer)
    with CaptureQueriesContext(connection) as queries:
        entries = contributions.customer_timeline(org.lead, customer, None, None, 50)
        for entry in entries:  # everything a template shows is loaded already
            str(entry.title), entry.actor, entry.context.get("interaction") and entry.context["interaction"].contact
    assert len(entries) == 24
    # Two queries plus the actor's roles (cached on the user for the request).
    assert len(queries) <= 3


def test_panel_actions_and_card(org, history):
    customer, *_rest, task = history
    panel = contributions.open_follow_ups_panel(_request(org.rep_a), customer)
    assert panel is not None and panel["column"] == "right"
    assert [f.pk for f in panel["context"]["follow_ups"]] == [task.pk]
    actions = contributions.customer_actions(_request(org.rep_a), customer)
    assert [a["url"] for a in actions] == [
        reverse("interactions:customer_log", args=[customer.pk]),
        reverse("interactions:customer_follow_up_create", args=[customer.pk]),
    ]
    assert all(a["hx"] for a in actions)
    assert contributions.customer_actions(_request(org.viewer), customer) == []
    assert contributions.open_follow_ups_panel(_request(org.viewer), customer) is None
    assert contributions.overdue_card(_request(org.rep_a))["value"] == 0
    FollowUpFactory(customer=customer, due_at=timezone.now() - dt.timedelta(hours=1))
    FollowUpFactory(customer=customer, due_at=timezone.now() - dt.timedelta(hours=1), status="done")
    card = contributions.overdue_card(_request(org.rep_a))
    assert card == {"title": "Overdue follow-ups", "value": 1, "url": reverse("interactions:my_day")}
    assert contributions.overdue_card(_request(org.rep_b))["value"] == 0
