"""Bulk actions: only customers in the actor's scope change; the rest are skipped with a reason."""

from __future__ import annotations

import sys
import types

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from guanxi.audit.models import AuditEntry
from guanxi.core.models import Job
from guanxi.customers.lists import services
from guanxi.customers.models import Customer
from tests.conftest import login
from tests.factories import CustomerFactory, RoleFactory, UserFactory
from tests.factories_lists import TagFactory

pytestmark = pytest.mark.django_db
BULK = "/customers/bulk/"


@pytest.fixture
def book(org):
    return {
        "mine": CustomerFactory.create_batch(2, owner=org.rep_a),
        "theirs": CustomerFactory.create_batch(2, owner=org.rep_b),
    }


def tag_names(customer: Customer) -> set[str]:
    return set(customer.tags.values_list("name", flat=True))


def test_url():
    assert reverse("customers:bulk") == BULK


def test_tag_changes_only_the_scope_and_reports_the_rest(org, book):
    vip = TagFactory(name="vip")
    ids = [c.pk for c in book["mine"] + book["theirs"]]
    result = services.customers_bulk_tag(actor=org.rep_a, ids=ids, tags=[vip])
    assert result.changed == 2
    assert {i for i, _ in result.skipped} == {c.pk for c in book["theirs"]}
    assert all("scope" in reason for _, reason in result.skipped)
    assert all(tag_names(c) == {"vip"} for c in book["mine"])
    assert all(tag_names(c) == set() for c in book["theirs"])
    assert AuditEntry.objects.filter(object_type="customers.customer", action="update").count() == 2
    again = services.customers_bulk_tag(actor=org.rep_a, ids=[book["mine"][0].pk], tags=[vip])
    assert again.changed == 0 and again.skipped[0][1] == "Already has these tags."
    removed = services.customers_bulk_untag(actor=org.rep_a, ids=ids, tags=[vip])
    assert removed.changed == 2 and all(tag_names(c) == set() for c in book["mine"])


def test_tagging_needs_the_change_permission(org, book):
    reader = UserFactory(username="reader", roles=[RoleFactory(name="Reader", permissions=["customers.view"])])
    with pytest.raises(PermissionDenied):
        services.customers_bulk_tag(actor=reader, ids=[book["mine"][0].pk], tags=[TagFactory()])


def test_delete_asks_for_confirmation_with_the_count(client, org, book):
    login(client, org.rep_a)
    ids = [c.pk for c in book["mine"] + book["theirs"]]
    response = client.post(BULK, {"action": "delete", "ids": ids}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-count="2"' in body and "Delete 2 customers?" in body
    assert Customer.objects.count() == 4  # nothing deleted yet
    response = client.post(BULK, {"action": "delete", "ids": ids, "confirm": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Trigger"] == "customers-changed"
    body = response.content.decode()
    assert 'data-changed="2"' in body and 'data-skipped="2"' in body
    assert set(Customer.objects.values_list("pk", flat=True)) == {c.pk for c in book["theirs"]}
    assert AuditEntry.objects.filter(action="delete", object_type="customers.customer").count() == 2


def test_delete_needs_the_delete_permission(client, org, book):
    editor = UserFactory(
        username="editor",
        roles=[RoleFactory(name="Editor", permissions=["customers.view", "customers.change"])],
    )
    login(client, editor)
    response = client.post(BULK, {"action": "delete", "ids": [book["mine"][0].pk], "confirm": "1"})
    assert response.status_code == 403
    assert Customer.objects.count() == 4


def test_select_all_matching_works_on_the_filter_not_the_page(client, org):
    login(client, org.director)
    cities = CustomerFactory.create_batch(30, owner=org.rep_a, city="Suzhou")
    other = CustomerFactory(owner=org.rep_a, city="Wuxi")
    vip = TagFactory(name="vip")
    response = client.post(
        BULK,
        {"action": "tag", "tags": [vip.pk], "all_matching": "1", "query": "city=Suzhou&size=25"},
        HTTP_HX_REQUEST="true",
    )
    assert 'data-changed="30"' in response.content.decode()
    assert all(tag_names(c) == {"vip"} for c in cities) and tag_names(other) == set()


def test_errors_are_shown_in_the_bar(client, org, book):
    login(client, org.rep_a)
    response = client.post(BULK, {"action": "tag", "ids": [book["mine"][0].pk]}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and "Choose at least one tag." in response.content.decode()
    response = client.post(BULK, {"action": "tag", "tags": [TagFactory().pk]}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and "tick their rows" in response.content.decode()


def test_large_actions_run_as_a_job_with_progress(client, org, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(services, "JOB_THRESHOLD", 3)
    monkeypatch.setattr(services, "CHUNK", 2)
    queued: list[int] = []
    monkeypatch.setattr("guanxi.customers.lists.tasks.customers_bulk_job", lambda job_id: queued.append(job_id))
    mine = CustomerFactory.create_batch(5, owner=org.rep_a)
    theirs = CustomerFactory(owner=org.rep_b)
    vip = TagFactory(name="vip")
    login(client, org.rep_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            BULK, {"action": "tag", "tags": [vip.pk], "ids": [c.pk for c in mine] + [theirs.pk]}, HTTP_HX_REQUEST="true"
        )
    job = Job.objects.get()
    assert queued == [job.pk]
    assert f"job-{job.pk}" in response.content.decode()
    assert all(tag_names(c) == set() for c in mine)  # nothing until the worker runs it
    services.bulk_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.done == job.total == 6
    assert job.result["changed"] == 5 and [i for i, _ in job.result["skipped"]] == [theirs.pk]
    assert all(tag_names(c) == {"vip"} for c in mine) and tag_names(theirs) == set()


def _fake_pools(monkeypatch, calls):
    module = types.ModuleType("guanxi.customers.pools.services")

    def customers_bulk_assign(*, actor, ids, owner, reason):
        calls.append(("assign", list(ids), owner, reason))
        return {"changed": len(ids) - 1, "skipped": [{"id": ids[-1], "reason": "Locked."}]}

    def customers_bulk_release(*, actor, ids, pool=None, reason):
        calls.append(("release", list(ids), pool, reason))
        return {"changed": len(ids), "skipped": []}

    module.customers_bulk_assign = customers_bulk_assign  # type: ignore[attr-defined]
    module.customers_bulk_release = customers_bulk_release  # type: ignore[attr-defined]
    import guanxi.customers.pools as pools_pkg

    monkeypatch.setitem(sys.modules, "guanxi.customers.pools.services", module)
    monkeypatch.setattr(pools_pkg, "services", module, raising=False)


def test_assign_and_release_go_through_the_pools_services(client, org, book, monkeypatch):
    calls: list = []
    _fake_pools(monkeypatch, calls)
    login(client, org.lead)
    ids = [c.pk for c in book["mine"]]
    response = client.post(
        BULK, {"action": "assign", "ids": ids, "owner": org.lead.pk, "reason": "cover"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert calls == [("assign", ids, org.lead, "cover")]
    assert 'data-changed="1"' in body and f'data-skipped-id="{ids[-1]}"' in body and "Locked." in body
    client.post(BULK, {"action": "release", "ids": ids, "reason": "cold"}, HTTP_HX_REQUEST="true")
    assert calls[-1] == ("release", ids, None, "cold")


def test_assign_refuses_an_owner_outside_the_scope(client, org, book):
    login(client, org.rep_a)
    response = client.post(
        BULK, {"action": "assign", "ids": [book["mine"][0].pk], "owner": org.rep_b.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert Customer.objects.get(pk=book["mine"][0].pk).owner == org.rep_a
