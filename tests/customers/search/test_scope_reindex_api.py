"""Search results are scoped for every persona; the reindex; the API endpoint; the Contacts section of the global
search."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse

from guanxi.core import jobs
from guanxi.core.models import Job
from guanxi.core.registry import registry
from guanxi.customers.models import Customer, Pool
from guanxi.customers.search import sections
from guanxi.customers.search.selectors import contact_search, customer_search
from guanxi.customers.search.services import search_refresh, search_reindex
from tests.factories import CustomerFactory
from tests.factories_search import make_customer

pytestmark = pytest.mark.django_db
# What a bulk path that skips the keys leaves behind (the factory computes them unless told otherwise).
NO_KEYS = {"name_key": "", "name_pinyin": "", "name_initials": "", "phone_grams": "", "search_text": ""}

# Who sees whose customers (as in tests/test_access_matrix.py), written out by hand.
VISIBLE = {
    "admin": {"rep_a", "rep_b", "agent", "lead", "pool"},
    "director": {"rep_a", "rep_b", "agent", "lead", "pool"},
    "sales_head": {"rep_a", "rep_b", "lead"},
    "lead": {"rep_a", "lead"},
    "rep_a": {"rep_a"},
    "rep_b": {"rep_b"},
    "agent": {"agent"},
}


@pytest.fixture
def same_names(org):  # type: ignore[no-untyped-def]
    """One 王小明 (with a contact 李雷) per owner, and one in the pool."""
    owners = {"rep_a": org.rep_a, "rep_b": org.rep_b, "agent": org.agent, "lead": org.lead, "pool": None}
    made = {}
    for key, owner in owners.items():
        made[key] = make_customer(
            name="王小明",
            owner=owner,
            kind=Customer.Kind.COMPANY,
            phone=f"+86139{len(made):04d}8888",
            contacts=({"name": "李雷", "phone": f"+86137{len(made):04d}6666"},),
        )
    pool = Pool.objects.create(name="East pool")
    pool.members.add(org.rep_b)
    Customer.objects.filter(pk=made["pool"].pk).update(pool=pool)
    return made


@pytest.mark.parametrize("persona", sorted(VISIBLE))
@pytest.mark.parametrize("q", ["王小明", "wxm", "wangxiaoming", "8888", "李雷", "lilei", "6666"])
def test_results_are_scoped(org, same_names, persona: str, q: str) -> None:  # type: ignore[no-untyped-def]
    actor = org.personas()[persona]
    visible = set(VISIBLE[persona])
    if persona == "rep_b":
        visible.add("pool")  # a member of the pool the unowned customer is in
    expected = {same_names[key].pk for key in visible}
    assert {c.pk for c in customer_search(actor=actor, q=q, limit=50)} == expected
    if q in ("李雷", "lilei", "6666"):
        assert {c.customer_id for c in contact_search(actor=actor, q=q, limit=50)} == expected


def test_a_user_without_scope_finds_nothing(org, same_names) -> None:  # type: ignore[no-untyped-def]
    assert customer_search(actor=org.viewer, q="王小明", limit=50) == []
    assert contact_search(actor=org.viewer, q="李雷", limit=50) == []


def test_reindex_fills_keys_of_customers_written_without_them(org) -> None:  # type: ignore[no-untyped-def]
    bare = CustomerFactory.create_batch(3, name="欧阳娜娜", owner=org.rep_a, phone="+8613512349876", **NO_KEYS)
    assert customer_search(actor=org.director, q="oynn", limit=10) == []
    job = jobs.job_create(kind="customers.search_reindex", user=org.admin)
    assert search_reindex(batch=2, job=job) == Customer.objects.count()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.done == job.total == Customer.objects.count()
    assert {c.pk for c in customer_search(actor=org.director, q="oynn", limit=10)} == {c.pk for c in bare}
    assert {c.pk for c in customer_search(actor=org.director, q="4987", limit=10)} == {c.pk for c in bare}
    stored = Customer.objects.get(pk=bare[0].pk)
    assert (stored.name_pinyin, stored.name_initials) == ("ouyangnana", "oynn")


def test_reindex_of_some_ids_and_the_command(org) -> None:  # type: ignore[no-untyped-def]
    one = CustomerFactory(name="马小云", owner=org.rep_a, **NO_KEYS)
    other = CustomerFactory(name="马化腾", owner=org.rep_a, **NO_KEYS)
    assert search_reindex(customer_ids=[one.pk]) == 1
    assert [c.pk for c in customer_search(actor=org.director, q="mxy", limit=10)] == [one.pk]
    assert customer_search(actor=org.director, q="mht", limit=10) == []
    call_command("search_reindex", verbosity=0)
    assert [c.pk for c in customer_search(actor=org.director, q="mht", limit=10)] == [other.pk]


def test_refresh_picks_up_contact_changes(org) -> None:  # type: ignore[no-untyped-def]
    company = make_customer(name="Globex", owner=org.rep_a, kind=Customer.Kind.COMPANY, contacts=({"name": "韩梅梅"},))
    assert [c.pk for c in customer_search(actor=org.director, q="hmm", limit=10)] == [company.pk]
    company.contacts.all().delete()
    search_refresh(company.pk)
    assert customer_search(actor=org.director, q="hmm", limit=10) == []
    search_refresh(999_999)  # a customer deleted meanwhile: nothing to do


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_api_returns_customers_and_contacts_masked(org, same_names) -> None:  # type: ignore[no-untyped-def]
    response = _client(org.rep_a).get(reverse("api-1:customer_search"), {"q": "李雷"})
    assert response.status_code == 200
    body = response.json()
    assert [c["id"] for c in body["items"]] == [same_names["rep_a"].pk]
    assert body["items"][0]["phone"] == "139****8888"
    assert body["items"][0]["owner"]["id"] == org.rep_a.pk
    (contact,) = body["contacts"]
    assert contact["name"] == "李雷"
    assert contact["phone"] == "137****6666"
    assert contact["customer"] == {"id": same_names["rep_a"].pk, "name": "王小明"}


def test_api_limits_and_refuses(org, same_names) -> None:  # type: ignore[no-untyped-def]
    url = reverse("api-1:customer_search")
    assert len(_client(org.director).get(url, {"q": "王小明", "limit": 2}).json()["items"]) == 2
    assert _client(org.director).get(url, {"q": "王小明", "limit": 500}).status_code == 422
    assert _client(org.director).get(url, {"q": ""}).json() == {"items": [], "contacts": []}
    assert _client(org.viewer).get(url, {"q": "王小明"}).status_code == 403


def test_contacts_section_in_the_global_search(org, same_names, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/search/")
    request.user = org.rep_a
    section = sections.contact_search_section(request, "lilei")
    assert section is not None
    assert [item["url"] for item in section["items"]] == [same_names["rep_a"].get_absolute_url()]
    assert "137****6666" in section["items"][0]["detail"]
    assert sections.contact_search_section(request, "nobody") is None
    request.user = org.viewer
    assert sections.contact_search_section(request, "lilei") is None

    monkeypatch.setattr(registry, "search_providers", [*registry.search_providers, sections.contact_search_section])
    page = _client(org.rep_a).get(reverse("core:search"), {"q": "李雷"}).content.decode()
    assert "Contacts" in page and "137****6666" in page
