"""Revisit plans: which customers they cover, when the next revisit falls due, and that a run never creates twice."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from guanxi.customers.models import Tag
from guanxi.interactions import services, tasks
from guanxi.interactions.models import FollowUp, RevisitPlan
from tests.factories import CustomerFactory
from tests.factories_interactions import FollowUpFactory, RevisitPlanFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_run_creates_one_revisit_per_covered_customer_for_its_owner(org):
    key = CustomerFactory(owner=org.rep_a, lifecycle_stage="loyal")
    other_stage = CustomerFactory(owner=org.rep_a, lifecycle_stage="new")
    in_pool = CustomerFactory(owner=None, lifecycle_stage="loyal")
    plan = RevisitPlanFactory(lifecycle_stage="loyal", title="Loyal customer check-in")
    now = timezone.now()
    assert services.revisit_plan_run(plan=plan, now=now) == 1
    task = FollowUp.objects.get()
    assert (task.customer, task.assignee, task.kind, task.plan, task.title) == (
        key,
        org.rep_a,
        FollowUp.Kind.REVISIT,
        plan,
        "Loyal customer check-in",
    )
    local = timezone.localtime(task.due_at, SHANGHAI)
    assert (local.date(), local.hour, local.minute) == (timezone.localtime(now, SHANGHAI).date(), 18, 0)
    key.refresh_from_db()
    assert key.next_contact_at == task.due_at
    assert not FollowUp.objects.filter(customer__in=[other_stage, in_pool]).exists()


def test_running_twice_never_creates_twice(org):
    CustomerFactory.create_batch(3, owner=org.rep_a, lifecycle_stage="loyal")
    plan = RevisitPlanFactory()
    assert services.revisit_plans_run() == 3
    assert services.revisit_plans_run() == 0
    assert tasks.create_due_revisits.call_local() == 0  # the periodic task is the same service
    assert FollowUp.objects.filter(plan=plan, status="open").count() == 3


def test_the_database_refuses_a_second_open_task_of_a_plan(org):
    customer = CustomerFactory(owner=org.rep_a, lifecycle_stage="loyal")
    plan = RevisitPlanFactory()
    row = lambda: FollowUp(  # noqa: E731
        customer=customer, assignee=org.rep_a, due_at=timezone.now(), title="r", kind="revisit", plan=plan
    )
    # Two runs that both decided to insert (a race): the conditional insert keeps one.
    assert services._insert_revisits([row()]) == 1
    assert services._insert_revisits([row()]) == 0
    with pytest.raises(IntegrityError), transaction.atomic():
        row().save()
    assert FollowUp.objects.filter(plan=plan).count() == 1
    # A task outside any plan is not limited.
    FollowUpFactory(customer=customer)
    FollowUpFactory(customer=customer)


def test_the_next_revisit_falls_due_interval_days_after_the_last_was_done(org):
    customer = CustomerFactory(owner=org.rep_a, lifecycle_stage="loyal")
    plan = RevisitPlanFactory(interval_days=30)
    now = timezone.now()
    services.revisit_plan_run(plan=plan, now=now)
    task = FollowUp.objects.get()
    services.follow_up_complete(actor=org.rep_a, follow_up=task)
    assert services.revisit_plan_run(plan=plan, now=now) == 0  # done today: next one in 30 days
    assert services.revisit_plan_run(plan=plan, now=now + dt.timedelta(days=29)) == 0
    assert services.revisit_plan_run(plan=plan, now=now + dt.timedelta(days=30)) == 1
    nxt = FollowUp.objects.get(status="open")
    assert (
        timezone.localtime(nxt.due_at, SHANGHAI).date()
        == timezone.localtime(now + dt.timedelta(days=30), SHANGHAI).date()
    )
    # A cancelled revisit moves the next one interval_days after its due day.
    services.follow_up_cancel(actor=org.rep_a, follow_up=nxt)
    assert services.revisit_plan_run(plan=plan, now=now + dt.timedelta(days=31)) == 0
    assert services.revisit_plan_run(plan=plan, now=now + dt.timedelta(days=61)) == 1
    assert customer.follow_ups.count() == 3


def test_the_first_revisit_comes_interval_days_after_the_plan_starts(org):
    CustomerFactory(owner=org.rep_a, lifecycle_stage="loyal")
    plan = RevisitPlanFactory(starts_at=timezone.now(), interval_days=7)
    assert services.revisit_plan_run(plan=plan) == 0
    assert services.revisit_plan_run(plan=plan, now=timezone.now() + dt.timedelta(days=7)) == 1


def test_plans_by_tag_tier_or_one_customer(org):
    vip = Tag.objects.create(name="VIP")
    tagged = CustomerFactory(owner=org.rep_a, value_tier="A")
    tagged.tags.add(vip)
    untagged = CustomerFactory(owner=org.rep_a, value_tier="A")
    single = CustomerFactory(owner=org.rep_b)
    by_tag = RevisitPlanFactory(lifecycle_stage="", tag=vip, value_tier="A")
    by_customer = RevisitPlanFactory(lifecycle_stage="", customer=single)
    inactive = RevisitPlanFactory(lifecycle_stage="", value_tier="A", active=False)
    services.revisit_plans_run()
    assert set(FollowUp.objects.values_list("plan", "customer", "assignee")) == {
        (by_tag.pk, tagged.pk, org.rep_a.pk),
        (by_customer.pk, single.pk, org.rep_b.pk),
    }
    assert not FollowUp.objects.filter(customer=untagged).exists()
    assert not FollowUp.objects.filter(plan=inactive).exists()


def test_after_order_plans_wait_for_the_sales_hook(org):
    customer = CustomerFactory(owner=org.rep_a, lifecycle_stage="loyal")
    plan = RevisitPlanFactory(trigger=RevisitPlan.Trigger.AFTER_ORDER, interval_days=7)
    assert services.revisit_plans_run() == 0
    ordered = timezone.now()
    task = services.revisit_schedule_after(plan=plan, customer=customer, after=ordered)
    assert task is not None and task.assignee == org.rep_a
    assert (
        timezone.localtime(task.due_at, SHANGHAI).date()
        == timezone.localtime(ordered + dt.timedelta(days=7), SHANGHAI).date()
    )
    assert services.revisit_schedule_after(plan=plan, customer=customer, after=ordered) is None
    assert FollowUp.objects.count() == 1


def test_plan_validation_and_permission(org):
    with pytest.raises(PermissionDenied):
        services.revisit_plan_create(actor=org.director, data=services.RevisitPlanInput(name="x", interval_days=3))
    with pytest.raises(ValidationError) as exc:
        services.revisit_plan_create(actor=org.admin, data=services.RevisitPlanInput(name="", interval_days=0))
    assert {"name", "interval_days", "__all__"} <= set(exc.value.message_dict)
    plan = services.revisit_plan_create(
        actor=org.admin, data=services.RevisitPlanInput(name="Key", interval_days=30, value_tier="A")
    )
    assert plan.created_by == org.admin and plan.trigger == RevisitPlan.Trigger.INTERVAL
