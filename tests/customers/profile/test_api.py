"""The customer record in the API: profile fields, tags, custom values, phones/emails/addresses (masked) on the
customer; contacts, addresses and consent as sub-resources; all through the same services."""

from __future__ import annotations

import pytest

from guanxi.audit.models import AuditEntry
from guanxi.customers.models import Contact, Customer
from tests.api.helpers import api_as, assert_error
from tests.factories import CustomerFactory
from tests.factories_profile import AddressFactory, ContactFactory, CustomFieldFactory

pytestmark = pytest.mark.django_db


def test_create_and_read_a_full_record(org):
    CustomFieldFactory(key="level", label="Contract level", type="choice", choices=["gold", "silver"])
    client = api_as(org.rep_a)
    response = client.post(
        "/customers/",
        {
            "name": "星辰科技",
            "kind": "company",
            "uscc": "91350100M000100Y43",
            "industry": "it",
            "lifecycle_stage": "active",
            "tags": ["VIP"],
            "custom": {"level": "gold"},
            "phones": [{"number": "13812345678", "label": "mobile"}, {"number": "021 6888 1234", "is_primary": True}],
            "emails": [{"address": "info@example.com"}],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["uscc"] == "91350100M000100Y43" and body["custom"] == {"level": "gold"}
    assert [t["name"] for t in body["tags"]] == ["VIP"]
    assert body["phone"] == "+862****1234"  # the primary one, masked
    assert {p["number"] for p in body["phones"]} == {"138****5678", body["phone"]}
    assert "13812345678" not in response.content.decode()
    customer = Customer.objects.get(pk=body["id"])
    assert customer.phone == "+862168881234"
    detail = client.get(f"/customers/{customer.pk}").json()
    assert detail["contacts_count"] == 0 and detail["lifecycle_stage"] == "active"


def test_field_errors_are_422_with_field_names(org):
    CustomFieldFactory(key="stores", label="Stores", type="number")
    client = api_as(org.rep_a)
    CustomerFactory(owner=org.rep_b, kind="company", uscc="91350100M000100Y43")
    error = assert_error(
        client.post(
            "/customers/",
            {"name": "X", "kind": "company", "uscc": "91350100M000100Y43", "custom": {"stores": "many"}},
        ),
        422,
        "validation_error",
    )
    assert set(error["fields"]) == {"uscc", "custom.stores"}
    assert "Stores" in error["fields"]["custom.stores"][0]


def test_patch_changes_profile_and_keeps_masked_values(org):
    customer = CustomerFactory(owner=org.rep_a, phone="+8613812345678", id_number="E12345678")
    CustomFieldFactory(key="level", label="Level", type="text")
    client = api_as(org.rep_a)
    response = client.patch(f"/customers/{customer.pk}", {"gender": "female", "custom": {"level": "A"}, "tags": ["x"]})
    assert response.status_code == 200, response.content
    customer.refresh_from_db()
    assert customer.gender == "female" and customer.custom == {"level": "A"}
    assert customer.phone == "+8613812345678" and customer.id_number == "E12345678"
    assert response.json()["id_number"] == "E1*****78"


def test_contacts_sub_resource(org):
    customer = CustomerFactory(owner=org.rep_a, kind="company")
    client = api_as(org.rep_a)
    created = client.post(
        f"/customers/{customer.pk}/contacts", {"name": "张三", "phone": "13812345678", "role": "finance"}
    )
    assert created.status_code == 201, created.content
    contact_id = created.json()["id"]
    assert created.json()["phone"] == "138****5678" and created.json()["is_primary"] is True
    assert client.get(f"/customers/{customer.pk}/contacts").json()[0]["id"] == contact_id
    patched = client.patch(f"/customers/contacts/{contact_id}", {"title": "CFO"})
    assert patched.json()["title"] == "CFO"
    assert Contact.objects.get(pk=contact_id).phone == "+8613812345678"  # unsent masked field kept
    error = assert_error(client.patch(f"/customers/contacts/{contact_id}", {"email": "bad"}), 422, "validation_error")
    assert list(error["fields"]) == ["email"]
    reveal = client.post(f"/customers/contacts/{contact_id}/reveal", {"field": "phone"})
    assert reveal.json() == {"field": "phone", "value": "+8613812345678"}
    assert AuditEntry.objects.filter(action="reveal", object_type="customers.contact").count() == 1
    assert client.send("delete", f"/customers/contacts/{contact_id}").status_code == 204
    assert not Contact.objects.filter(pk=contact_id).exists()
    other = ContactFactory(customer=CustomerFactory(owner=org.rep_b))
    assert_error(client.get(f"/customers/contacts/{other.pk}"), 404, "not_found")
    assert_error(client.send("delete", f"/customers/contacts/{other.pk}"), 404, "not_found")
    assert Contact.objects.filter(pk=other.pk).exists()


def test_addresses_and_reveal_of_a_line(org):
    customer = CustomerFactory(owner=org.rep_a)
    client = api_as(org.rep_a)
    created = client.post(
        f"/customers/{customer.pk}/addresses", {"province": "广东省", "city": "广州市", "line": "天河路385号"}
    )
    assert created.status_code == 201, created.content
    address = created.json()
    assert address["line"] != "天河路385号" and address["is_primary"]
    assert client.patch(f"/customers/addresses/{address['id']}", {"district": "天河区"}).json()["district"] == "天河区"
    revealed = client.post(f"/customers/{customer.pk}/reveal", {"field": "address", "item": address["id"]})
    assert revealed.json()["value"] == "天河路385号"
    customer.refresh_from_db()
    assert customer.city == "广州市"
    assert client.get(f"/customers/{customer.pk}").json()["addresses"][0]["district"] == "天河区"
    other = AddressFactory(customer=CustomerFactory(owner=org.rep_b))
    assert_error(
        client.post(f"/customers/{other.customer_id}/reveal", {"field": "address", "item": other.pk}), 404, "not_found"
    )


def test_consents_history_and_current(org):
    customer = CustomerFactory(owner=org.rep_a)
    client = api_as(org.rep_a)
    for status in ("granted", "withdrawn"):
        response = client.post(
            f"/customers/{customer.pk}/consents", {"purpose": "marketing", "channel": "sms", "status": status}
        )
        assert response.status_code == 201, response.content
    body = client.get(f"/customers/{customer.pk}/consents").json()
    assert [c["status"] for c in body["current"]] == ["withdrawn"]
    assert len(body["history"]) == 2
    error = assert_error(
        client.post(f"/customers/{customer.pk}/consents", {"purpose": "x", "status": "granted"}),
        422,
        "validation_error",
    )
    assert list(error["fields"]) == ["purpose"]


def test_read_only_token_cannot_write_sub_resources(org):
    customer = CustomerFactory(owner=org.rep_a)
    client = api_as(org.rep_a, ("read",))
    assert_error(client.post(f"/customers/{customer.pk}/contacts", {"name": "x"}), 403, "forbidden")
    assert client.get(f"/customers/{customer.pk}/contacts").status_code == 200
    assert client.get("/customers/fields").status_code == 200
