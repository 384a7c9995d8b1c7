"""Pages: my day with quick complete, the lists with their filters and query counts, the forms on the 360 page."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guanxi.interactions.models import FollowUp, Interaction, RevisitPlan
from tests.conftest import login
from tests.factories import CustomerFactory
from tests.factories_interactions import FollowUpFactory, InteractionFactory, RevisitPlanFactory

pytestmark = pytest.mark.django_db


def _queries(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _ids(response, attr: str) -> list[int]:
    import re

    return [int(i) for i in re.findall(attr + r'="(\d+)"', response.content.decode())]


def test_my_day_shows_my_overdue_today_and_next_week(client, org):
    now = timezone.localtime()
    customer = CustomerFactory(owner=org.rep_a)
    overdue = FollowUpFactory(customer=customer, due_at=now - dt.timedelta(days=1))
    end_of_today = (now + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    today = FollowUpFactory(customer=customer, due_at=now + (end_of_today - now) / 2)
    upcoming = FollowUpFactory(customer=customer, due_at=end_of_today + dt.timedelta(days=3))
    FollowUpFactory(customer=customer, due_at=end_of_today + dt.timedelta(days=9))  # beyond the week
    FollowUpFactory(customer=customer, due_at=now - dt.timedelta(days=1), status=FollowUp.Status.DONE)
    FollowUpFactory(customer=CustomerFactory(owner=org.rep_b), due_at=now)  # someone else's
    login(client, org.rep_a)
    body = client.get(reverse("interactions:my_day")).content.decode()
    overdue_part, rest = body.split('id="my-today"')
    today_part, upcoming_part = rest.split('id="my-upcoming"')
    assert _ids_in(overdue_part) == [overdue.pk]
    assert _ids_in(today_part) == [today.pk]
    assert _ids_in(upcoming_part) == [upcoming.pk]


def _ids_in(html: str) -> list[int]:
    import re

    return [int(i) for i in re.findall(r'data-follow-up-id="(\d+)"', html)]


def test_quick_complete_from_my_day(client, org):
    task = FollowUpFactory(customer=CustomerFactory(owner=org.rep_a), due_at=timezone.now())
    login(client, org.rep_a)
    response = client.post(reverse("interactions:follow_up_complete", args=[task.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f'data-follow-up-done="{task.pk}"' in response.content.decode()
    assert set(json.loads(response["HX-Trigger"])) == {"guanxi:timeline-changed", "guanxi:follow-ups-changed"}
    task.refresh_from_db()
    assert task.status == FollowUp.Status.DONE and task.interaction is not None
    # Twice: the service refuses, the form says why.
    again = client.post(reverse("interactions:follow_up_complete", args=[task.pk]), HTTP_HX_REQUEST="true")
    assert again.status_code == 422 and "already done" in again.content.decode()


def test_complete_form_for_a_revisit_asks_for_satisfaction(client, org):
    task = FollowUpFactory(customer=CustomerFactory(owner=org.rep_a), kind=FollowUp.Kind.REVISIT)
    login(client, org.rep_a)
    url = reverse("interactions:follow_up_complete", args=[task.pk])
    assert 'name="satisfaction"' in client.get(url).content.decode()
    response = client.post(url, {"outcome": "All fine", "satisfaction": "5", "satisfaction_note": "Very happy"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.satisfaction, task.satisfaction_note, task.outcome) == (5, "Very happy", "All fine")


def test_log_on_the_360_page_stays_on_the_page(client, org):
    customer = CustomerFactory(owner=org.rep_a)
    login(client, org.rep_a)
    url = reverse("interactions:customer_log", args=[customer.pk])
    form = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in form and 'name="next_follow_up_at"' in form
    bad = client.post(
        url, {"kind": "call", "direction": "outbound", "summary": "", "outcome": "Keep me"}, HTTP_HX_REQUEST="true"
    )
    assert bad.status_code == 422
    assert 'data-field-error="summary"' in bad.content.decode() and 'value="Keep me"' in bad.content.decode()
    due = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    ok = client.post(
        url,
        {"kind": "call", "direction": "outbound", "summary": "Price agreed", "next_follow_up_at": due},
        HTTP_HX_REQUEST="true",
    )
    assert ok.status_code == 200 and "<html" not in ok.content.decode()
    assert json.loads(ok["HX-Trigger"])["guanxi:timeline-changed"] == {"customer": customer.pk}
    assert Interaction.objects.get(customer=customer).summary == "Price agreed"
    assert FollowUp.objects.get(customer=customer).assignee == org.rep_a


def test_logged_without_a_next_follow_up_offers_one(client, org):
    customer = CustomerFactory(owner=org.rep_a)
    login(client, org.rep_a)
    ok = client.post(
        reverse("interactions:customer_log", args=[customer.pk]),
        {"kind": "note", "direction": "none", "summary": "Memo"},
        HTTP_HX_REQUEST="true",
    )
    body = ok.content.decode()
    assert reverse("interactions:customer_follow_up_create", args=[customer.pk]) in body
    due = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    planned = client.post(
        reverse("interactions:customer_follow_up_create", args=[customer.pk]),
        {"title": "Send brochure", "kind": "follow_up", "due_at": due},
        HTTP_HX_REQUEST="true",
    )
    assert planned.status_code == 200 and "Send brochure" in planned.content.decode()
    customer.refresh_from_db()
    assert customer.next_contact_at is not None


def test_standalone_create_needs_a_customer_in_scope(client, org):
    mine = CustomerFactory(owner=org.rep_a)
    theirs = CustomerFactory(owner=org.rep_b)
    login(client, org.rep_a)
    url = reverse("interactions:create")
    data = {"kind": "call", "direction": "inbound", "summary": "Called in"}
    missing = client.post(url, data)
    assert missing.status_code == 422 and 'data-field-error="customer"' in missing.content.decode()
    assert client.post(url, {**data, "customer": theirs.pk}).status_code == 404
    created = client.post(url, {**data, "customer": mine.pk})
    assert created.status_code == 302
    assert Interaction.objects.get().customer == mine
    pick = client.get(reverse("interactions:customer_pick"), {"q": mine.name})
    assert mine.name in pick.content.decode()
    assert client.get(reverse("interactions:follow_up_create"), {"customer": theirs.pk}).status_code == 404


def test_interaction_list_filters(client, org):
    a = CustomerFactory(owner=org.rep_a)
    b = CustomerFactory(owner=org.rep_a)
    call = InteractionFactory(customer=a, kind="call", occurred_at=timezone.now() - dt.timedelta(days=1))
    visit = InteractionFactory(customer=b, kind="visit", occurred_at=timezone.now() - dt.timedelta(days=10))
    by_lead = InteractionFactory(customer=b, kind="visit", created_by=org.lead)
    login(client, org.rep_a)
    url = reverse("interactions:list")
    assert _ids(client.get(url), "data-interaction-id") == [by_lead.pk, call.pk, visit.pk]
    assert _ids(client.get(url, {"kind": "visit"}), "data-interaction-id") == [by_lead.pk, visit.pk]
    assert _ids(client.get(url, {"customer": a.pk}), "data-interaction-id") == [call.pk]
    since = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    assert _ids(client.get(url, {"date_from": since}), "data-interaction-id") == [by_lead.pk, call.pk]
    assert _ids(client.get(url, {"mine": "1"}), "data-interaction-id") == [call.pk, visit.pk]
    fragment = client.get(url, {"kind": "call"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "1 interaction" in fragment


@pytest.mark.parametrize("persona", ["director", "lead", "rep_a"])
def test_list_query_counts_do_not_grow_with_rows(client, org, persona):
    user = getattr(org, persona)
    login(client, user)
    client.get(reverse("core:home"))  # once-per-session work is not part of the lists
    customer = CustomerFactory(owner=user)
    InteractionFactory.create_batch(2, customer=customer)
    FollowUpFactory.create_batch(2, customer=customer)
    few = {name: _queries(client, reverse(name)) for name in ("interactions:list", "interactions:follow_up_list")}
    few["my_day"] = _queries(client, reverse("interactions:my_day"))
    for _ in range(3):
        other = CustomerFactory(owner=user)
        InteractionFactory.create_batch(10, customer=other)
        FollowUpFactory.create_batch(5, customer=other, due_at=timezone.now() - dt.timedelta(hours=1))
    many = {
        name: _queries(client, reverse(name), size=50) for name in ("interactions:list", "interactions:follow_up_list")
    }
    many["my_day"] = _queries(client, reverse("interactions:my_day"))
    assert few == many
    assert max(many.values()) <= 8


def test_follow_up_list_filters_and_edit(client, org):
    customer = CustomerFactory(owner=org.rep_a)
    mine = FollowUpFactory(customer=customer, assignee=org.rep_a)
    done = FollowUpFactory(customer=customer, status=FollowUp.Status.DONE)
    revisit = FollowUpFactory(customer=customer, kind=FollowUp.Kind.REVISIT)
    login(client, org.rep_a)
    url = reverse("interactions:follow_up_list")
    assert set(_ids(client.get(url), "data-follow-up-id")) == {mine.pk, revisit.pk}
    assert set(_ids(client.get(url, {"status": "all"}), "data-follow-up-id")) == {mine.pk, done.pk, revisit.pk}
    assert _ids(client.get(url, {"kind": "revisit"}), "data-follow-up-id") == [revisit.pk]
    edit = reverse("interactions:follow_up_edit", args=[mine.pk])
    response = client.post(edit, {"title": "", "kind": "follow_up", "due_at": ""})
    assert response.status_code == 422
    assert 'data-field-error="title"' in response.content.decode()
    assert 'data-field-error="due_at"' in response.content.decode()


def test_cancel(client, org):
    task = FollowUpFactory(customer=CustomerFactory(owner=org.rep_a))
    login(client, org.rep_a)
    assert client.post(reverse("interactions:follow_up_cancel", args=[task.pk])).status_code == 302
    task.refresh_from_db()
    assert task.status == FollowUp.Status.CANCELLED


def test_revisit_plan_pages(client, org):
    login(client, org.director)
    assert client.get(reverse("interactions:plan_list")).status_code == 403
    login(client, org.admin)
    response = client.post(
        reverse("interactions:plan_create"),
        {"name": "Key accounts", "trigger": "interval", "interval_days": "30", "value_tier": "A", "active": "on"},
    )
    assert response.status_code == 302
    plan = RevisitPlan.objects.get()
    assert (plan.name, plan.interval_days, plan.value_tier, plan.active) == ("Key accounts", 30, "A", True)
    bad = client.post(
        reverse("interactions:plan_create"), {"name": "Everyone", "trigger": "interval", "interval_days": "7"}
    )
    assert bad.status_code == 422 and "so the plan does not cover everyone" in bad.content.decode()
    assert "Key accounts" in client.get(reverse("interactions:plan_list")).content.decode()


def test_a_plan_for_one_customer_is_hidden_outside_the_scope(client, org):
    from guanxi.accounts.models import DataScope
    from tests.factories import RoleFactory

    planner = RoleFactory(
        name="Planner",
        permissions=["customers.view", "interactions.manage_plans"],
        data_scopes={"customers": DataScope.OWN},
    )
    org.rep_b.roles.add(planner)
    plan = RevisitPlanFactory(customer=CustomerFactory(owner=org.rep_a), lifecycle_stage="")
    general = RevisitPlanFactory()
    login(client, org.rep_b)
    body = client.get(reverse("interactions:plan_list")).content.decode()
    assert f'data-plan-id="{general.pk}"' in body and f'data-plan-id="{plan.pk}"' not in body
    assert client.get(reverse("interactions:plan_edit", args=[plan.pk])).status_code == 404
    assert client.get(reverse("interactions:plan_edit", args=[general.pk])).status_code == 200


def test_dashboard_and_menu(client, org):
    FollowUpFactory(customer=CustomerFactory(owner=org.rep_a), due_at=timezone.now() - dt.timedelta(hours=2))
    login(client, org.rep_a)
    body = client.get(reverse("core:home")).content.decode()
    assert "Overdue follow-ups" in body and reverse("interactions:my_day") in body
