from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from guanxi.audit.models import AuditEntry
from guanxi.core import crypto
from guanxi.customers import services
from guanxi.customers.models import Customer
from guanxi.customers.services import CustomerInput
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_create_normalises_phone_and_email_and_audits(org):
    customer = services.customer_create(
        actor=org.rep_a, data=CustomerInput(name="  张三 ", phone="138 1234-5678", email="Zhang.San@Example.COM")
    )
    customer.refresh_from_db()
    assert customer.name == "张三"
    assert customer.phone == "+8613812345678"
    assert customer.email == "Zhang.San@example.com"
    assert customer.owner == org.rep_a
    entry = AuditEntry.objects.get(action="create", object_type="customers.customer", object_id=str(customer.pk))
    assert entry.actor == org.rep_a
    assert entry.changes["phone"] == ["***", "***"]
    assert entry.changes["name"] == [None, "张三"]


def test_contact_data_is_encrypted_at_rest(org):
    customer = services.customer_create(actor=org.rep_a, data=CustomerInput(name="A", phone="13812345678"))
    raw = Customer.objects.filter(pk=customer.pk).values_list("phone", flat=True).query
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM customers_customer WHERE id = %s", [customer.pk])
        stored = cursor.fetchone()[0]
    assert "13812345678" not in stored
    assert stored.startswith(crypto.PREFIX)
    assert raw is not None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (CustomerInput(name=""), "name"),
        (CustomerInput(name="x", phone="12345"), "phone"),
        (CustomerInput(name="x", email="not-an-email"), "email"),
        (CustomerInput(name="x", kind="robot"), "kind"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(org, data, field):
    with pytest.raises(ValidationError) as exc:
        services.customer_create(actor=org.rep_a, data=data)
    assert field in exc.value.message_dict
    assert Customer.objects.count() == 0
    assert not AuditEntry.objects.filter(action="create", object_type="customers.customer").exists()


def test_own_scope_cannot_assign_to_someone_else(org):
    with pytest.raises(ValidationError) as exc:
        services.customer_create(actor=org.rep_a, data=CustomerInput(name="x", owner=org.rep_b))
    assert "owner" in exc.value.message_dict


def test_team_scope_can_assign_within_team_only(org):
    customer = services.customer_create(actor=org.lead, data=CustomerInput(name="x", owner=org.rep_a))
    assert customer.owner == org.rep_a
    with pytest.raises(ValidationError):
        services.customer_create(actor=org.lead, data=CustomerInput(name="y", owner=org.rep_b))


def test_update_out_of_scope_is_not_found(org):
    theirs = CustomerFactory(owner=org.rep_b)
    with pytest.raises(Http404):
        services.customer_update(actor=org.rep_a, customer=theirs, data=CustomerInput(name="mine now"))
    theirs.refresh_from_db()
    assert theirs.name != "mine now"


def test_update_writes_field_level_diff(org):
    customer = CustomerFactory(owner=org.rep_a, name="Old")
    services.customer_update(
        actor=org.rep_a, customer=customer, data=CustomerInput(name="New", phone=customer.phone, email=customer.email)
    )
    entry = AuditEntry.objects.get(action="update", object_type="customers.customer", object_id=str(customer.pk))
    assert entry.changes == {"name": ["Old", "New"]}


def test_without_permission_nothing_is_created(org):
    with pytest.raises(PermissionDenied):
        services.customer_create(actor=org.viewer, data=CustomerInput(name="x"))


def test_reveal_is_audited(org):
    customer = CustomerFactory(owner=org.rep_a, phone="+8613812345678")
    assert services.customer_reveal(actor=org.rep_a, customer=customer, field="phone") == "+8613812345678"
    assert AuditEntry.objects.filter(action="reveal", object_id=str(customer.pk), detail="phone").count() == 1
