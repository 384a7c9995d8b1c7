"""Interactions and follow-ups in the API: the same services, scoped, 422 by field, constant query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guanxi.customers.models import Contact
from guanxi.interactions.models import FollowUp, Interaction
from tests.api.helpers import api_as, assert_error
from tests.factories import CustomerFactory
from tests.factories_interactions import AttachmentFactory, FollowUpFactory, InteractionFactory

pytestmark = pytest.mark.django_db


def test_create_list_detail_update(org):
    customer = CustomerFactory(owner=org.rep_a)
    contact = Contact.objects.create(customer=customer, name="Li Lei")
    api = api_as(org.rep_a)
    due = (timezone.now() + dt.timedelta(days=3)).replace(microsecond=0)
    response = api.post(
        "/interactions/",
        {
            "customer": customer.pk,
            "kind": "meeting",
            "channel": "in_person",
            "summary": "Demo went well",
            "contact": contact.pk,
            "participants": [org.lead.pk],
            "next_follow_up_at": due.isoformat(),
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["contact"], body["participants"]) == ("meeting", contact.pk, [org.lead.pk])
    assert body["created_by"]["id"] == org.rep_a.pk
    assert FollowUp.objects.get(customer=customer).due_at == due
    listed = api.get("/interactions/", {"customer": customer.pk}).json()
    assert [i["id"] for i in listed["items"]] == [body["id"]] and listed["next_cursor"] is None
    assert api.get(f"/interactions/{body['id']}").json()["summary"] == "Demo went well"
    patched = api.patch(f"/interactions/{body['id']}", {"outcome": "Asked for a quote"})
    assert patched.status_code == 200
    assert patched.json()["outcome"] == "Asked for a quote" and patched.json()["participants"] == [org.lead.pk]


def test_errors_are_422_by_field_and_out_of_scope_is_404(org):
    mine = CustomerFactory(owner=org.rep_a)
    theirs = CustomerFactory(owner=org.rep_b)
    api = api_as(org.rep_a)
    error = assert_error(api.post("/interactions/", {"customer": mine.pk, "summary": " "}), 422, "validation_error")
    assert "summary" in error["fields"]
    future = (timezone.now() + dt.timedelta(days=1)).isoformat()
    error = assert_error(
        api.post("/interactions/", {"customer": mine.pk, "summary": "x", "occurred_at": future}),
        422,
        "validation_error",
    )
    assert "occurred_at" in error["fields"]
    assert_error(api.post("/interactions/", {"customer": theirs.pk, "summary": "x"}), 404, "not_found")
    assert_error(
        api.post("/interactions/follow-ups", {"customer": theirs.pk, "title": "x", "due_at": future}), 404, "not_found"
    )
    assert not Interaction.objects.exists() and not FollowUp.objects.exists()
    read_only = api_as(org.rep_a, scopes=("read",))
    assert_error(read_only.post("/interactions/", {"customer": mine.pk, "summary": "x"}), 403, "forbidden")


def test_follow_ups_create_list_complete(org):
    customer = CustomerFactory(owner=org.rep_a)
    api = api_as(org.lead)
    due = (timezone.now() + dt.timedelta(days=1)).isoformat()
    created = api.post(
        "/interactions/follow-ups", {"customer": customer.pk, "title": "Revisit", "due_at": due, "kind": "revisit"}
    )
    assert created.status_code == 201, created.content
    task = created.json()
    assert task["assignee"]["id"] == org.rep_a.pk and task["status"] == "open"
    assert [f["id"] for f in api.get("/interactions/follow-ups").json()["items"]] == [task["id"]]
    assert api.get("/interactions/follow-ups", {"assignee": "me"}).json()["items"] == []
    error = assert_error(
        api.post(f"/interactions/follow-ups/{task['id']}/complete", {"satisfaction": 9}), 422, "validation_error"
    )
    assert "satisfaction" in error["fields"]
    done = api.post(f"/interactions/follow-ups/{task['id']}/complete", {"outcome": "Fine", "satisfaction": 4})
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["satisfaction"]) == ("done", 4)
    assert done.json()["interaction"] == Interaction.objects.get(customer=customer).pk
    error = assert_error(api.post(f"/interactions/follow-ups/{task['id']}/complete", {}), 422, "validation_error")
    assert "status" in error["fields"]
    assert [f["id"] for f in api.get("/interactions/follow-ups", {"status": "done"}).json()["items"]] == [task["id"]]


def test_cursor_paging_and_constant_queries(org):
    customer = CustomerFactory(owner=org.rep_a)
    api = api_as(org.rep_a)
    InteractionFactory.create_batch(2, customer=customer)
    FollowUpFactory.create_batch(2, customer=customer)
    api.get("/interactions/")  # warm-up: the token's last use is recorded at most once a minute
    with CaptureQueriesContext(connection) as few_i:
        assert api.get("/interactions/").status_code == 200
    with CaptureQueriesContext(connection) as few_f:
        assert api.get("/interactions/follow-ups").status_code == 200
    for interaction in InteractionFactory.create_batch(20, customer=customer):
        AttachmentFactory(interaction=interaction)
        interaction.participants.add(org.lead)
    FollowUpFactory.create_batch(20, customer=customer)
    with CaptureQueriesContext(connection) as many_i:
        page = api.get("/interactions/", {"limit": 10}).json()
    with CaptureQueriesContext(connection) as many_f:
        assert api.get("/interactions/follow-ups").status_code == 200
    assert len(many_i) == len(few_i) and len(many_f) == len(few_f)
    seen = [i["id"] for i in page["items"]]
    while page["next_cursor"]:
        page = api.get("/interactions/", {"limit": 10, "cursor": page["next_cursor"]}).json()
        seen += [i["id"] for i in page["items"]]
    assert len(seen) == len(set(seen)) == 22
    assert all(len(i["attachments"]) == 1 for i in api.get("/interactions/", {"limit": 5}).json()["items"])
