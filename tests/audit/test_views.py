"""The audit log page and the object history fragment: access, filters, ordering, paging, diffs, links, query count."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.audit import registry
from guanxi.audit.models import AuditEntry
from guanxi.audit.services import audit_record
from tests.conftest import login
from tests.factories import CustomerFactory, RoleFactory, UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
HTMX = {"HTTP_HX_REQUEST": "true"}


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def record(when: dt.datetime | None = None, **kwargs: Any) -> AuditEntry:
    """An entry written at `when` (the log stamps entries itself, so the clock is set for the write)."""
    if when is None:
        return audit_record(**kwargs)
    with mock.patch("django.utils.timezone.now", return_value=when):
        return audit_record(**kwargs)


def ids(response) -> list[int]:
    """The entries shown, in page order."""
    return [int(pk) for pk in re.findall(r'data-audit-id="(\d+)"', response.content.decode())]


@pytest.fixture
def auditor(org):
    return UserFactory(
        username="auditor", department=org.hq, roles=[RoleFactory(name="Auditor", permissions=["audit.view"])]
    )


@pytest.fixture
def customer_links(monkeypatch) -> None:
    """What customers registers in its AppConfig.ready (audit may not import customers)."""
    monkeypatch.setitem(
        registry._URLS, "customers.customer", lambda object_id: reverse("customers:detail", args=[object_id])
    )


@pytest.fixture
def sample(org) -> dict[str, AuditEntry]:
    """Entries that differ in one property each, so that each filter keeps a known subset."""
    acme = CustomerFactory(owner=org.rep_a, name="Acme Trading")
    bolt = CustomerFactory(owner=org.rep_b, name="Bolt Logistics")
    return {
        "create_acme": record(
            at(2026, 1, 10, 9),
            actor=org.rep_a,
            action=AuditEntry.Action.CREATE,
            obj=acme,
            changes={"name": [None, "Acme Trading"]},
        ),
        "update_acme": record(
            at(2026, 1, 11, 23, 30),
            actor=org.lead,
            action=AuditEntry.Action.UPDATE,
            obj=acme,
            changes={"name": ["Acme Trading", "Acme Trading Ltd"], "phone": ["***", "***"]},
        ),
        # 01:00 on the 12th in Shanghai is still the 11th in UTC: date filters follow the user's time zone.
        "reveal_bolt": record(
            at(2026, 1, 12, 1), actor=org.rep_b, action=AuditEntry.Action.REVEAL, obj=bolt, detail="phone"
        ),
        "export": record(
            at(2026, 1, 13, 15),
            actor=org.director,
            action=AuditEntry.Action.EXPORT,
            object_type="customers.customer",
            detail="export of 120 customers (phone masked)",
        ),
        "login": record(at(2026, 1, 14, 8), actor=org.rep_a, action=AuditEntry.Action.LOGIN, obj=org.rep_a),
    }


# --- access ----------------------------------------------------------------------------------------------------------
def test_admin_sees_the_log(client, org, sample):
    response = login(client, org.admin).get(reverse("audit:log"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="audit-filters"' in body
    assert set(ids(response)) >= {e.pk for e in sample.values()}


def test_a_role_with_audit_view_sees_the_log(client, auditor, sample):
    response = login(client, auditor).get(reverse("audit:log"))
    assert response.status_code == 200
    assert sample["export"].pk in ids(response)


@pytest.mark.parametrize("persona", ["rep_a", "director", "viewer"])
def test_personas_without_audit_view_are_refused(client, org, sample, persona):
    user = getattr(org, persona)
    assert not user.has_perm("audit.view")
    login(client, user)
    assert client.get(reverse("audit:log")).status_code == 403
    history = reverse("audit:object_history", args=["customers.customer", sample["create_acme"].object_id])
    assert client.get(history).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("audit:log"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_menu_shows_the_log_only_to_those_who_may_read_it(client, org):
    url = reverse("audit:log")
    assert f'href="{url}"' in login(client, org.admin).get(reverse("customers:list")).content.decode()
    assert f'href="{url}"' not in login(client, org.rep_a).get(reverse("customers:list")).content.decode()


# --- listing ---------------------------------------------------------------------------------------------------------
def test_newest_first(client, org, sample):
    shown = ids(login(client, org.admin).get(reverse("audit:log")))
    ours = [pk for pk in shown if pk in {e.pk for e in sample.values()}]
    expected = [sample[k].pk for k in ("login", "export", "reveal_bolt", "update_acme", "create_acme")]
    assert ours == expected


def test_entries_written_in_the_same_instant_keep_their_order(client, org):
    when = at(2026, 2, 1)
    first = record(when, actor=org.admin, action=AuditEntry.Action.EXPORT, detail="same-instant")
    second = record(when, actor=org.admin, action=AuditEntry.Action.EXPORT, detail="same-instant")
    shown = ids(login(client, org.admin).get(reverse("audit:log"), {"q": "same-instant"}))
    assert shown == [second.pk, first.pk]


FILTERS: list[tuple[str, Callable[[Any], dict[str, str]], set[str]]] = [
    ("actor", lambda org: {"actor": "rep_a"}, {"create_acme", "login"}),
    ("action", lambda org: {"action": "update"}, {"update_acme"}),
    (
        "object type",
        lambda org: {"object_type": "customers.customer"},
        {"create_acme", "update_acme", "reveal_bolt", "export"},
    ),
    ("object id", lambda org: {"object_type": "accounts.user", "object_id": str(org.rep_a.pk)}, {"login"}),
    ("text in object", lambda org: {"q": "bolt"}, {"reveal_bolt"}),
    ("text in detail", lambda org: {"q": "120 customers"}, {"export"}),
    # Entries written "now" by the fixtures are later than the sample, so "from" is checked among customers' entries.
    (
        "date from",
        lambda org: {"object_type": "customers.customer", "date_from": "2026-01-12"},
        {"reveal_bolt", "export"},
    ),
    ("date to", lambda org: {"date_to": "2026-01-11"}, {"create_acme", "update_acme"}),
    ("one day", lambda org: {"date_from": "2026-01-12", "date_to": "2026-01-12"}, {"reveal_bolt"}),
    ("combined", lambda org: {"actor": "rep_a", "action": "create"}, {"create_acme"}),
]


@pytest.mark.parametrize(("params", "expected"), [(f[1], f[2]) for f in FILTERS], ids=[f[0] for f in FILTERS])
def test_each_filter_narrows_the_log(client, org, sample, params, expected):
    login(client, org.admin)
    everything = set(ids(client.get(reverse("audit:log"), {"size": 100})))
    response = client.get(reverse("audit:log"), {**params(org), "size": 100}, **HTMX)
    assert response.status_code == 200
    shown = set(ids(response))
    assert shown == {sample[key].pk for key in expected}
    assert shown < everything


def test_a_filter_that_matches_nothing_says_so(client, org, sample):
    response = login(client, org.admin).get(reverse("audit:log"), {"actor": "nobody"}, **HTMX)
    assert ids(response) == []
    assert "No audit entries match these filters." in response.content.decode()


def test_unreadable_filter_values_are_ignored_and_the_rest_still_apply(client, org, sample):
    response = login(client, org.admin).get(
        reverse("audit:log"), {"action": "explode", "date_from": "not-a-date", "actor": "rep_b", "size": "7"}, **HTMX
    )
    assert response.status_code == 200
    assert set(ids(response)) == {sample["reveal_bolt"].pk}


def test_htmx_gets_only_the_table(client, org, sample):
    login(client, org.admin)
    fragment = client.get(reverse("audit:log"), {"action": "login"}, **HTMX).content.decode()
    assert "<html" not in fragment
    assert 'id="audit-filters"' not in fragment
    assert 'id="result-count"' in fragment
    page = client.get(reverse("audit:log"), {"action": "login"}).content.decode()
    assert "<html" in page
    # The filters are shown as chosen, so a bookmarked URL reopens the same view.
    assert '<option value="login" selected>' in page


def test_pages_of_the_chosen_size(client, org):
    for i in range(30):
        record(at(2026, 3, 1, 8, i), actor=org.admin, action=AuditEntry.Action.EXPORT, detail=f"paged {i}")
    login(client, org.admin)
    first = client.get(reverse("audit:log"), {"q": "paged", "size": 25})
    second = client.get(reverse("audit:log"), {"q": "paged", "size": 25, "page": 2})
    assert len(ids(first)) == 25
    assert len(ids(second)) == 5
    assert not set(ids(first)) & set(ids(second))
    assert "Page 1 of 2" in first.content.decode()
    assert "q=paged" in first.content.decode()  # the next-page link keeps the filters


def test_rows_expand_to_the_field_level_diff(client, org, sample):
    body = login(client, org.admin).get(reverse("audit:log"), {"action": "update"}, **HTMX).content.decode()
    pk = sample["update_acme"].pk
    assert f'id="audit-log-changes-{pk}"' in body
    assert f'data-bs-target="#audit-log-changes-{pk}"' in body
    name_row = re.search(r'<tr data-field="name">(.*?)</tr>', body, re.S).group(1)
    assert "Name" in name_row  # the field's label, not its column name
    assert "Acme Trading" in name_row
    assert "Acme Trading Ltd" in name_row
    phone_row = re.search(r'<tr data-field="phone">(.*?)</tr>', body, re.S).group(1)
    assert phone_row.count("***") == 2
    assert "2 changes" in body


def test_a_customer_entry_links_to_the_customer(client, org, sample, customer_links):
    body = login(client, org.admin).get(reverse("audit:log"), {"action": "reveal"}, **HTMX).content.decode()
    url = reverse("customers:detail", args=[sample["reveal_bolt"].object_id])
    assert f'<a href="{url}" data-object-link>Bolt Logistics</a>' in body


def test_without_a_registered_link_the_object_is_plain_text(client, org, sample, monkeypatch):
    from guanxi.audit import registry

    monkeypatch.delitem(registry._URLS, "customers.customer", raising=False)
    body = login(client, org.admin).get(reverse("audit:log"), {"action": "reveal"}, **HTMX).content.decode()
    assert "Bolt Logistics" in body
    assert "data-object-link" not in body


def test_an_entry_without_an_object_id_has_no_link(client, org, sample, customer_links):
    body = login(client, org.admin).get(reverse("audit:log"), {"action": "export"}, **HTMX).content.decode()
    assert sample["export"].pk in ids_from(body)
    assert "data-object-link" not in body


def ids_from(body: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-audit-id="(\d+)"', body)]


def test_query_count_does_not_grow_with_rows(client, org, customer_links):
    login(client, org.admin)
    customer = CustomerFactory(owner=org.rep_a)

    def count_queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("audit:log"), {"size": 100})
        assert response.status_code == 200
        return len(queries), len(ids(response))

    record(actor=org.admin, action=AuditEntry.Action.UPDATE, obj=customer, changes={"name": ["a", "b"]})
    client.get(reverse("core:home"))  # once-per-session work (the second-factor check) is not part of the page
    few_queries, few_rows = count_queries()
    for i in range(40):
        record(
            actor=org.rep_a if i % 2 else org.lead,
            action=AuditEntry.Action.UPDATE,
            obj=customer,
            changes={"name": [str(i), str(i + 1)], "owner": [org.rep_a.pk, org.lead.pk]},
        )
    many_queries, many_rows = count_queries()
    assert many_rows == few_rows + 40
    assert many_queries == few_queries


# --- object history --------------------------------------------------------------------------------------------------
def test_object_history_lists_the_entries_of_one_object(client, org, sample, customer_links):
    acme_id = sample["create_acme"].object_id
    url = reverse("audit:object_history", args=["customers.customer", acme_id])
    assert url == f"/audit/object/customers.customer/{acme_id}/"
    response = login(client, org.admin).get(url)
    assert response.status_code == 200
    assert ids(response) == [sample["update_acme"].pk, sample["create_acme"].pk]
    body = response.content.decode()
    assert "<html" in body
    assert reverse("customers:detail", args=[acme_id]) in body  # "Open the record"


def test_object_history_as_a_fragment(client, org, sample):
    url = reverse("audit:object_history", args=["accounts.user", str(org.rep_a.pk)])
    response = login(client, org.admin).get(url, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert body.lstrip().startswith('<div id="audit-history"')
    assert ids(response) == [sample["login"].pk]


def test_object_history_of_an_unknown_object_is_empty(client, org, sample):
    response = login(client, org.admin).get(reverse("audit:object_history", args=["customers.customer", "999999"]))
    assert response.status_code == 200
    assert ids(response) == []
    assert "Nothing has been recorded for this record yet." in response.content.decode()


def test_object_history_for_a_role_with_audit_view(client, auditor, sample):
    url = reverse("audit:object_history", args=["customers.customer", sample["reveal_bolt"].object_id])
    response = login(client, auditor).get(url, **HTMX)
    assert response.status_code == 200
    assert ids(response) == [sample["reveal_bolt"].pk]


# --- entries written by sign-in --------------------------------------------------------------------------------------
def test_sign_ins_and_failed_sign_ins_appear_in_the_log(client, org):
    login_url = reverse("accounts:login")
    response = client.post(login_url, {"username": "rep_b", "password": "wrong-password"}, REMOTE_ADDR="198.51.100.4")
    assert response.status_code == 200  # the form again, with its error
    response = client.post(
        login_url, {"username": "rep_b", "password": "correct-horse-battery"}, REMOTE_ADDR="198.51.100.4"
    )
    assert response.status_code == 302

    failed = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN_FAILED, detail="rep_b")
    signed_in = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN, actor=org.rep_b)
    assert failed.actor is None
    assert (failed.ip, signed_in.ip) == ("198.51.100.4", "198.51.100.4")

    client.logout()
    login(client, org.admin)
    shown = ids(client.get(reverse("audit:log"), {"action": "login", "actor": "rep_b"}, **HTMX))
    assert shown == [signed_in.pk]
    body = client.get(reverse("audit:log"), {"action": "login_failed"}, **HTMX).content.decode()
    assert ids_from(body) == [failed.pk]
    assert "Failed login" in body
    assert "198.51.100.4" in body
