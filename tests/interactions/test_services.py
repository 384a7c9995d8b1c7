"""Interactions and follow-ups through the services: validation, the customer's follow-up summary, audit, access."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from guanxi.audit.models import AuditEntry
from guanxi.customers.models import Contact, Customer
from guanxi.interactions import services
from guanxi.interactions.models import FollowUp, Interaction
from tests.factories import CustomerFactory
from tests.factories_interactions import FollowUpFactory

pytestmark = pytest.mark.django_db


def _log(actor, customer, **kwargs) -> Interaction:
    data = services.InteractionInput(customer=customer, summary=kwargs.pop("summary", "Discussed the quote"), **kwargs)
    return services.interaction_create(actor=actor, data=data)


def _plan(actor, customer, due, **kwargs) -> FollowUp:
    data = services.FollowUpInput(customer=customer, due_at=due, title=kwargs.pop("title", "Call back"), **kwargs)
    return services.follow_up_create(actor=actor, data=data)


def test_logging_keeps_the_customer_follow_up_summary(org):
    customer = CustomerFactory(owner=org.rep_a)
    at = timezone.now() - dt.timedelta(hours=2)
    interaction = _log(org.rep_a, customer, occurred_at=at, summary="Asked  for a\nnew quote", kind="visit")
    customer.refresh_from_db()
    assert customer.last_follow_up_at == at
    assert customer.last_follow_up_summary == "Asked for a new quote"
    assert interaction.created_by == org.rep_a
    entry = AuditEntry.objects.get(object_type="interactions.interaction", object_id=str(interaction.pk))
    assert entry.action == AuditEntry.Action.CREATE and entry.changes["kind"] == [None, "visit"]


def test_an_older_interaction_logged_late_does_not_overwrite_a_newer_one(org):
    customer = CustomerFactory(owner=org.rep_a)
    newer = timezone.now() - dt.timedelta(hours=1)
    _log(org.rep_a, customer, occurred_at=newer, summary="Newest talk")
    _log(org.rep_a, customer, occurred_at=newer - dt.timedelta(days=3), summary="Old visit, logged late")
    customer.refresh_from_db()
    assert customer.last_follow_up_at == newer
    assert customer.last_follow_up_summary == "Newest talk"
    # …and the list orders by when it happened, not when it was logged.
    assert [i.summary for i in Interaction.objects.filter(customer=customer)] == [
        "Newest talk",
        "Old visit, logged late",
    ]


def test_next_follow_up_offered_with_the_log_becomes_a_task_and_the_next_contact(org):
    customer = CustomerFactory(owner=org.rep_a)
    due = timezone.now() + dt.timedelta(days=2)
    _log(org.rep_a, customer, next_step="Send the contract", next_follow_up_at=due)
    task = FollowUp.objects.get(customer=customer)
    assert (task.assignee, task.title, task.status, task.due_at) == (org.rep_a, "Send the contract", "open", due)
    customer.refresh_from_db()
    assert customer.next_contact_at == due


def test_field_errors_are_keyed_and_translated(org):
    customer = CustomerFactory(owner=org.rep_a)
    other_contact = Contact.objects.create(customer=CustomerFactory(owner=org.rep_a), name="Wang")
    with pytest.raises(ValidationError) as exc:
        services.interaction_create(
            actor=org.rep_a,
            data=services.InteractionInput(
                customer=customer,
                kind="fax",
                summary="  ",
                occurred_at=timezone.now() + dt.timedelta(days=1),
                duration_minutes=5000,
                contact=other_contact,
            ),
        )
    errors = exc.value.message_dict
    assert set(errors) == {"kind", "summary", "occurred_at", "duration_minutes", "contact"}
    assert "follow-up" in errors["occurred_at"][0]
    assert not Interaction.objects.exists()


def test_access_outside_scope_is_404_and_viewers_may_not_write(org):
    theirs = CustomerFactory(owner=org.rep_b)
    with pytest.raises(Http404):
        _log(org.rep_a, theirs)
    with pytest.raises(Http404):
        _plan(org.rep_a, theirs, timezone.now() + dt.timedelta(days=1))
    with pytest.raises(PermissionDenied):
        _log(org.viewer, theirs)
    assert not Interaction.objects.exists() and not FollowUp.objects.exists()


def test_next_contact_is_the_earliest_open_follow_up(org):
    customer = CustomerFactory(owner=org.rep_a)
    now = timezone.now()
    later = _plan(org.rep_a, customer, now + dt.timedelta(days=5))
    customer.refresh_from_db()
    assert customer.next_contact_at == later.due_at
    sooner = _plan(org.rep_a, customer, now + dt.timedelta(days=1))
    customer.refresh_from_db()
    assert customer.next_contact_at == sooner.due_at
    _plan(org.rep_a, customer, now + dt.timedelta(days=9))
    customer.refresh_from_db()
    assert customer.next_contact_at == sooner.due_at  # a later task does not move it
    services.follow_up_complete(actor=org.rep_a, follow_up=sooner)
    customer.refresh_from_db()
    assert customer.next_contact_at == later.due_at
    services.follow_up_cancel(actor=org.rep_a, follow_up=later)
    customer.refresh_from_db()
    assert customer.next_contact_at == now + dt.timedelta(days=9)


def test_completing_records_a_note_and_updates_the_summary(org):
    customer = CustomerFactory(owner=org.rep_a)
    task = FollowUpFactory(customer=customer, kind=FollowUp.Kind.REVISIT, title="Quarterly revisit")
    done = services.follow_up_complete(
        actor=org.rep_a,
        follow_up=task,
        data=services.CompletionInput(outcome="Happy with delivery", satisfaction=4, satisfaction_note="Fast"),
    )
    assert done.status == FollowUp.Status.DONE and done.completed_by == org.rep_a and done.satisfaction == 4
    note = done.interaction
    assert note is not None and note.kind == Interaction.Kind.NOTE and note.customer == customer
    assert "Quarterly revisit" in note.summary and "4/5" in note.summary
    customer.refresh_from_db()
    assert customer.last_follow_up_at == done.completed_at
    assert customer.last_follow_up_summary.startswith("Quarterly revisit Happy with delivery")
    assert customer.next_contact_at is None
    with pytest.raises(ValidationError) as exc:
        services.follow_up_complete(actor=org.rep_a, follow_up=task)
    assert "status" in exc.value.message_dict
    assert Interaction.objects.filter(customer=customer).count() == 1


def test_satisfaction_only_for_revisits_and_between_1_and_5(org):
    customer = CustomerFactory(owner=org.rep_a)
    follow_up = FollowUpFactory(customer=customer)
    with pytest.raises(ValidationError) as exc:
        services.follow_up_complete(actor=org.rep_a, follow_up=follow_up, data=services.CompletionInput(satisfaction=3))
    assert "satisfaction" in exc.value.message_dict
    revisit = FollowUpFactory(customer=customer, kind=FollowUp.Kind.REVISIT)
    with pytest.raises(ValidationError) as exc:
        services.follow_up_complete(actor=org.rep_a, follow_up=revisit, data=services.CompletionInput(satisfaction=6))
    assert "satisfaction" in exc.value.message_dict
    assert FollowUp.objects.filter(status="open").count() == 2


def test_assignee_must_see_the_customer(org):
    customer = CustomerFactory(owner=org.rep_a)
    with pytest.raises(ValidationError) as exc:
        _plan(org.lead, customer, timezone.now() + dt.timedelta(days=1), assignee=org.rep_b)
    assert str(org.rep_b) in exc.value.message_dict["assignee"][0]
    task = _plan(org.lead, customer, timezone.now() + dt.timedelta(days=1))
    assert task.assignee == org.rep_a  # the customer's owner by default


def test_moving_a_task_resets_its_reminders(org):
    customer = CustomerFactory(owner=org.rep_a)
    task = FollowUpFactory(customer=customer, reminded_due_at=timezone.now(), reminded_overdue_at=timezone.now())
    data = services.FollowUpInput(due_at=task.due_at + dt.timedelta(days=1), title=task.title)
    moved = services.follow_up_update(actor=org.rep_a, follow_up=task, data=data)
    assert moved.reminded_due_at is None and moved.reminded_overdue_at is None
    customer.refresh_from_db()
    assert customer.next_contact_at == moved.due_at


def test_the_customer_row_is_untouched_by_a_rejected_write(org):
    customer = CustomerFactory(owner=org.rep_a)
    with pytest.raises(ValidationError):
        _plan(org.rep_a, customer, None, title="")
    assert Customer.objects.get(pk=customer.pk).next_contact_at is None
