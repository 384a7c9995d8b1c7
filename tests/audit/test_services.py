"""snapshot(), diff() and audit_record(): what goes into an entry."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

import pytest

from guanxi.audit.context import current_ip
from guanxi.audit.models import AuditEntry
from guanxi.audit.services import audit_record, diff, snapshot
from tests.factories import CustomerFactory, TeamFactory


# --- diff ------------------------------------------------------------------------------------------------------------
def test_diff_lists_only_the_fields_that_changed():
    before = {"name": "A", "phone": "1", "owner": 3}
    after = {"name": "B", "phone": "1", "owner": None}
    assert diff(before, after) == {"name": ["A", "B"], "owner": [3, None]}


def test_diff_of_equal_snapshots_is_empty():
    assert diff({"a": 1, "b": [1, 2]}, {"a": 1, "b": [1, 2]}) == {}


def test_diff_against_nothing_records_a_creation():
    assert diff({}, {"name": "A", "kind": "person"}) == {"kind": [None, "person"], "name": [None, "A"]}


def test_diff_treats_a_missing_key_as_none():
    assert diff({"name": "A", "gone": "x"}, {"name": "A"}) == {"gone": ["x", None]}
    assert diff({"a": None}, {}) == {}


def test_masked_fields_record_the_change_but_not_the_values():
    changes = diff({"phone": "+8613812345678", "name": "A"}, {"phone": "+8613912345678", "name": "B"}, masked=["phone"])
    assert changes == {"phone": ["***", "***"], "name": ["A", "B"]}
    assert "13812345678" not in str(changes)
    assert "13912345678" not in str(changes)


def test_an_unchanged_masked_field_is_not_recorded():
    assert diff({"phone": "1"}, {"phone": "1"}, masked=["phone"]) == {}


# --- snapshot --------------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_snapshot_takes_foreign_keys_as_ids(org):
    customer = CustomerFactory(owner=org.rep_a, name="Acme")
    snap = snapshot(customer, ["name", "owner", "kind"])
    assert snap == {"name": "Acme", "owner": org.rep_a.pk, "kind": "person"}


@pytest.mark.django_db
def test_snapshot_takes_many_to_many_as_sorted_ids(org):
    team = TeamFactory(name="Gamma", members=[org.rep_b, org.rep_a])
    assert snapshot(team, ["members"]) == {"members": sorted([org.rep_a.pk, org.rep_b.pk])}


@pytest.mark.django_db
def test_snapshot_values_are_json_plain(org):
    customer = CustomerFactory(owner=org.rep_a)
    snap = snapshot(customer, ["created_at"])
    assert isinstance(snap["created_at"], str)
    assert dt.datetime.fromisoformat(snap["created_at"]) == customer.created_at


@pytest.mark.django_db
def test_snapshot_then_diff_follows_a_change(org):
    customer = CustomerFactory(owner=org.rep_a, name="Old name")
    before = snapshot(customer, ["name", "owner", "phone"])
    customer.name = "New name"
    customer.owner = org.rep_b
    customer.phone = "+8613900000000"
    changes = diff(before, snapshot(customer, ["name", "owner", "phone"]), masked=["phone"])
    assert changes == {"name": ["Old name", "New name"], "owner": [org.rep_a.pk, org.rep_b.pk], "phone": ["***", "***"]}


# --- audit_record ----------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_audit_record_names_the_object_and_the_actor(org):
    customer = CustomerFactory(owner=org.rep_a, name="Acme")
    entry = audit_record(
        actor=org.rep_a, action=AuditEntry.Action.UPDATE, obj=customer, changes={"name": ["A", "B"]}, ip="10.0.0.7"
    )
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert (entry.actor, entry.actor_name, entry.ip) == (org.rep_a, "rep_a", "10.0.0.7")
    assert (entry.object_type, entry.object_id, entry.object_repr) == ("customers.customer", str(customer.pk), "Acme")
    assert entry.changes == {"name": ["A", "B"]}


@pytest.mark.django_db
def test_audit_record_makes_values_json_plain(org):
    entry = audit_record(
        actor=org.admin,
        action=AuditEntry.Action.UPDATE,
        object_type="x.y",
        object_id="1",
        changes={
            "amount": [decimal.Decimal("1.50"), decimal.Decimal("2.00")],
            "day": [None, dt.date(2026, 1, 2)],
            "ref": [None, uuid.UUID(int=1)],
            "tags": [["a"], ("a", "b")],
        },
    )
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.changes == {
        "amount": ["1.50", "2.00"],
        "day": [None, "2026-01-02"],
        "ref": [None, str(uuid.UUID(int=1))],
        "tags": [["a"], ["a", "b"]],
    }


@pytest.mark.django_db
def test_audit_record_without_a_user_keeps_the_name_given(org):
    entry = audit_record(actor="system", action=AuditEntry.Action.EXPORT, detail="nightly")
    assert entry.actor is None
    assert entry.actor_name == "system"
    anonymous = audit_record(actor=None, action=AuditEntry.Action.LOGIN_FAILED, detail="ghost")
    assert (anonymous.actor, anonymous.actor_name) == (None, "")


@pytest.mark.django_db
def test_audit_record_takes_the_ip_of_the_current_request(org):
    token = current_ip.set("192.0.2.10")
    try:
        entry = audit_record(actor=org.admin, action=AuditEntry.Action.EXPORT)
    finally:
        current_ip.reset(token)
    assert entry.ip == "192.0.2.10"


@pytest.mark.django_db
def test_audit_record_cuts_long_text_to_the_column(org):
    entry = audit_record(actor=org.admin, action=AuditEntry.Action.EXPORT, detail="d" * 400, object_repr="r" * 400)
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert (len(entry.detail), len(entry.object_repr)) == (255, 200)
