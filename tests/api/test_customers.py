"""Customer endpoints: scoping per persona, the list filters, create and patch through the services, masking, reveal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guanxi.audit.models import AuditEntry
from guanxi.customers.models import Customer
from tests.api.helpers import api_as, assert_error
from tests.factories import CustomerFactory, RoleFactory, UserFactory

pytestmark = pytest.mark.django_db

# Whose customers (keys of `customers_by_owner`) each persona sees.
VISIBLE = {
    "admin": {"admin", "director", "sales_head", "lead", "rep_a", "rep_b", "agent", "pool"},
    "director": {"admin", "director", "sales_head", "lead", "rep_a", "rep_b", "agent", "pool"},
    "sales_head": {"sales_head", "lead", "rep_a", "rep_b"},  # Sales and East below it
    "lead": {"lead", "rep_a"},  # team A
    "rep_a": {"rep_a"},
    "rep_b": {"rep_b"},
    "agent": {"agent"},
}


def _all_ids(client, **params) -> list[int]:
    ids: list[int] = []
    cursor = None
    while True:
        query = {**params, "limit": 3, **({"cursor": cursor} if cursor else {})}
        response = client.get("/customers/", query)
        assert response.status_code == 200, response.content
        body = response.json()
        ids += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return ids


@pytest.mark.parametrize("persona", sorted(VISIBLE))
def test_list_and_detail_are_scoped(org, customers_by_owner, persona):
    client = api_as(org.personas()[persona])
    expected = {c.pk for key in VISIBLE[persona] for c in customers_by_owner[key]}
    ids = _all_ids(client)
    assert len(ids) == len(set(ids))
    assert set(ids) == expected
    for key, customers in customers_by_owner.items():
        status = client.get(f"/customers/{customers[0].pk}").status_code
        assert status == (200 if key in VISIBLE[persona] else 404), (persona, key)


def test_viewer_may_not_list(org, customers_by_owner):
    assert_error(api_as(org.viewer).get("/customers/"), 403, "forbidden")
    assert_error(api_as(org.viewer).get(f"/customers/{customers_by_owner['agent'][0].pk}"), 403, "forbidden")


def test_personal_data_is_masked(org):
    customer = CustomerFactory(owner=org.rep_a, phone="+8613812345678", email="zhang.san@example.com")
    client = api_as(org.rep_a)
    detail = client.get(f"/customers/{customer.pk}").json()
    listed = client.get("/customers/").json()["items"][0]
    for body in (detail, listed):
        assert body["phone"] == "138****5678"
        assert body["email"] == "z***@example.com"
        assert body["owner"] == {"id": org.rep_a.pk, "username": "rep_a", "name": str(org.rep_a)}
    assert "13812345678" not in str(client.get("/customers/").content)


# --- filters ----------------------------------------------------------------------------------------------------------
def test_list_filters_match_the_ui(org):
    person = CustomerFactory(owner=org.rep_a, name="Zhang San", kind=Customer.Kind.PERSON, phone="+8613900001111")
    company = CustomerFactory(owner=org.lead, name="Acme Trading", kind=Customer.Kind.COMPANY, email="info@acme.cn")
    pooled = CustomerFactory(owner=None, name="Pool Ltd", kind=Customer.Kind.COMPANY)
    old = CustomerFactory(owner=org.lead, name="Old Friend")
    Customer.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=30))
    lead = api_as(org.lead)
    director = api_as(org.director)

    def ids(client, **params):
        return set(_all_ids(client, **params))

    assert ids(lead) == {person.pk, company.pk, old.pk}
    assert ids(lead, q="zhang") == {person.pk}
    assert ids(lead, q="139 0000 1111") == {person.pk}
    assert ids(lead, q="info@acme.cn") == {company.pk}
    assert ids(lead, kind="company") == {company.pk}
    assert ids(lead, owner="me") == {company.pk, old.pk}
    assert ids(lead, owner=str(org.rep_a.pk)) == {person.pk}
    assert ids(lead, owner=str(org.rep_b.pk)) == set()  # filtering never widens the scope
    assert ids(director, owner="none") == {pooled.pk}
    today = timezone.localdate()
    assert ids(lead, created_from=str(today)) == {person.pk, company.pk}
    assert ids(lead, created_to=str(today - dt.timedelta(days=1))) == {old.pk}
    names = [item["name"] for item in lead.get("/customers/", {"sort": "name"}).json()["items"]]
    assert names == ["Acme Trading", "Old Friend", "Zhang San"]


def test_bad_filter_values_are_422(org):
    client = api_as(org.rep_a)
    for params, field in [
        ({"kind": "robot"}, "kind"),
        ({"owner": "someone"}, "owner"),
        ({"created_from": "yesterday"}, "created_from"),
        ({"sort": "-phone"}, "sort"),
    ]:
        error = assert_error(client.get("/customers/", params), 422, "validation_error")
        assert set(error["fields"]) == {field}, params


# --- create -----------------------------------------------------------------------------------------------------------
def test_create_goes_through_the_service(org):
    response = api_as(org.rep_a).post(
        "/customers/", {"name": " 张三 ", "phone": "138 1234-5678", "email": "Zhang@Example.COM"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    customer = Customer.objects.get(pk=body["id"])
    assert (customer.name, customer.phone, customer.email) == ("张三", "+8613812345678", "Zhang@example.com")
    assert customer.owner == org.rep_a and customer.created_by == org.rep_a
    assert body["phone"] == "138****5678"
    assert body["kind"] == "person"
    assert AuditEntry.objects.filter(action="create", object_id=str(customer.pk), actor=org.rep_a).exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "X", "phone": "12345"}, "phone"),
        ({"name": "X", "phone": "not a phone"}, "phone"),
        ({"name": "X", "email": "not-an-email"}, "email"),
        ({"name": "X", "email": "a@"}, "email"),
    ],
)
def test_create_with_bad_contact_data_is_422(org, payload, field):
    error = assert_error(api_as(org.rep_a).post("/customers/", payload), 422, "validation_error")
    assert list(error["fields"]) == [field]
    assert not Customer.objects.exists()
    assert not AuditEntry.objects.filter(action="create", object_type="customers.customer").exists()


def test_create_for_an_owner_outside_the_scope_is_422(org):
    client = api_as(org.lead)
    error = assert_error(client.post("/customers/", {"name": "X", "owner": org.rep_b.pk}), 422, "validation_error")
    assert list(error["fields"]) == ["owner"]
    error = assert_error(client.post("/customers/", {"name": "X", "owner": 999999}), 422, "validation_error")
    assert list(error["fields"]) == ["owner"]
    assert not Customer.objects.exists()
    created = client.post("/customers/", {"name": "X", "owner": org.rep_a.pk})
    assert created.status_code == 201
    assert created.json()["owner"]["id"] == org.rep_a.pk


# --- patch ------------------------------------------------------------------------------------------------------------
def test_patch_changes_only_what_was_sent(org):
    customer = CustomerFactory(owner=org.rep_a, name="Before", phone="+8613812345678", email="a@example.com")
    response = api_as(org.rep_a).patch(f"/customers/{customer.pk}", {"name": "After"})
    assert response.status_code == 200, response.content
    customer.refresh_from_db()
    assert (customer.name, customer.phone, customer.email) == ("After", "+8613812345678", "a@example.com")
    entry = AuditEntry.objects.get(action="update", object_id=str(customer.pk))
    assert entry.changes == {"name": ["Before", "After"]}


def test_patch_can_clear_phone_but_refuses_null(org):
    customer = CustomerFactory(owner=org.rep_a, name="Keep", phone="+8613812345678")
    client = api_as(org.rep_a)
    error = assert_error(client.patch(f"/customers/{customer.pk}", {"name": None}), 422, "validation_error")
    assert list(error["fields"]) == ["name"]
    assert client.patch(f"/customers/{customer.pk}", {"phone": ""}).status_code == 200
    customer.refresh_from_db()
    assert (customer.name, customer.phone) == ("Keep", "")


def test_patch_with_bad_data_is_422_and_changes_nothing(org):
    customer = CustomerFactory(owner=org.rep_a, name="Keep", phone="+8613812345678")
    error = assert_error(
        api_as(org.rep_a).patch(f"/customers/{customer.pk}", {"name": "New", "phone": "999"}), 422, "validation_error"
    )
    assert list(error["fields"]) == ["phone"]
    customer.refresh_from_db()
    assert (customer.name, customer.phone) == ("Keep", "+8613812345678")


def test_patch_out_of_scope_is_404_and_changes_nothing(org):
    theirs = CustomerFactory(owner=org.rep_b, name="Theirs")
    before = Customer.objects.get(pk=theirs.pk)
    response = api_as(org.rep_a).patch(f"/customers/{theirs.pk}", {"name": "Mine now", "owner": org.rep_a.pk})
    assert_error(response, 404, "not_found")
    after = Customer.objects.get(pk=theirs.pk)
    assert (after.name, after.owner_id, after.updated_at) == (before.name, before.owner_id, before.updated_at)
    assert not AuditEntry.objects.filter(object_id=str(theirs.pk), action="update").exists()


def test_patch_hands_over_within_scope_only(org):
    customer = CustomerFactory(owner=org.rep_a)
    client = api_as(org.lead)
    error = assert_error(client.patch(f"/customers/{customer.pk}", {"owner": org.rep_b.pk}), 422, "validation_error")
    assert list(error["fields"]) == ["owner"]
    assert client.patch(f"/customers/{customer.pk}", {"owner": org.lead.pk}).json()["owner"]["id"] == org.lead.pk


# --- reveal -----------------------------------------------------------------------------------------------------------
def test_reveal_returns_the_clear_value_and_is_audited(org):
    customer = CustomerFactory(owner=org.rep_a, phone="+8613812345678", email="zhang@example.com")
    client = api_as(org.rep_a, ("read",))
    response = client.post(f"/customers/{customer.pk}/reveal", {"field": "phone"})
    assert response.status_code == 200, response.content
    assert response.json() == {"field": "phone", "value": "+8613812345678"}
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.REVEAL)
    assert (entry.actor, entry.object_type, entry.object_id, entry.detail) == (
        org.rep_a,
        "customers.customer",
        str(customer.pk),
        "phone",
    )
    assert client.post(f"/customers/{customer.pk}/reveal", {"field": "email"}).json()["value"] == "zhang@example.com"
    assert AuditEntry.objects.filter(action="reveal").count() == 2


def test_reveal_needs_the_permission(org):
    role = RoleFactory(name="Looker", permissions=["customers.view"], data_scopes={"customers": "all"})
    looker = UserFactory(username="looker", roles=[role])
    customer = CustomerFactory(owner=org.rep_a)
    client = api_as(looker)
    assert client.get(f"/customers/{customer.pk}").status_code == 200
    assert_error(client.post(f"/customers/{customer.pk}/reveal", {"field": "phone"}), 403, "forbidden")
    assert not AuditEntry.objects.filter(action="reveal").exists()


def test_reveal_out_of_scope_is_404_and_not_audited(org):
    theirs = CustomerFactory(owner=org.rep_b)
    assert_error(api_as(org.rep_a).post(f"/customers/{theirs.pk}/reveal", {"field": "phone"}), 404, "not_found")
    assert not AuditEntry.objects.filter(action="reveal").exists()


# --- query count ------------------------------------------------------------------------------------------------------
def test_list_query_count_does_not_grow_with_the_page(org, django_assert_num_queries):
    owners = [UserFactory(username=f"owner{i}") for i in range(12)]
    for i in range(60):
        CustomerFactory(owner=owners[i % len(owners)])
    client = api_as(org.director)
    assert client.get("/customers/", {"limit": 1}).status_code == 200  # warm up: token's last_used_at is written once
    with CaptureQueriesContext(connection) as small:
        response = client.get("/customers/", {"limit": 10})
    assert len(response.json()["items"]) == 10
    with django_assert_num_queries(len(small)):
        response = client.get("/customers/", {"limit": 50})
    assert len(response.json()["items"]) == 50
    assert len({item["owner"]["id"] for item in response.json()["items"]}) == len(owners)
    cursor = response.json()["next_cursor"]
    with django_assert_num_queries(len(small)):
        response = client.get("/customers/", {"limit": 50, "cursor": cursor})
    assert len(response.json()["items"]) == 10


def test_date_filters_use_the_token_users_time_zone(org):
    customer = CustomerFactory(owner=org.rep_a)
    # 20:00 UTC on 1 May is 2 May in Shanghai and still 1 May in Los Angeles.
    Customer.objects.filter(pk=customer.pk).update(created_at=dt.datetime(2024, 5, 1, 20, 0, tzinfo=dt.UTC))
    org.rep_a.timezone = "Asia/Shanghai"
    org.rep_a.save(update_fields=["timezone"])
    shanghai = api_as(org.rep_a)
    assert [i["id"] for i in shanghai.get("/customers/", {"created_from": "2024-05-02"}).json()["items"]] == [
        customer.pk
    ]
    org.rep_a.timezone = "America/Los_Angeles"
    org.rep_a.save(update_fields=["timezone"])
    assert shanghai.get("/customers/", {"created_from": "2024-05-02"}).json()["items"] == []
    assert [i["id"] for i in shanghai.get("/customers/", {"created_to": "2024-05-01"}).json()["items"]] == [customer.pk]


def test_a_token_users_time_zone_ends_with_the_request(org):
    org.rep_a.timezone = "America/Los_Angeles"
    org.rep_a.save(update_fields=["timezone"])
    assert api_as(org.rep_a).get("/customers/").status_code == 200
    assert timezone.get_current_timezone_name() != "America/Los_Angeles"
