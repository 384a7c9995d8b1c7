"""The customer list page: default view, sort links, columns, saved views, mobile cards, errors, query counts."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.customers.models import Customer, CustomFieldDefinition, SavedView
from tests.conftest import login
from tests.factories import CustomerFactory
from tests.factories_lists import CustomFieldFactory, SavedViewFactory, TagFactory

pytestmark = pytest.mark.django_db
URL = "/customers/"


def ids(response) -> list[int]:
    return [int(i) for i in re.findall(r'data-customer-id="(\d+)"', response.content.decode())]


def test_url_name():
    assert reverse("customers:list") == URL


def test_bare_url_opens_my_customers_and_owner_blank_shows_the_scope(client, org):
    mine = CustomerFactory(owner=org.lead)
    teams = CustomerFactory(owner=org.rep_a)
    login(client, org.lead)
    assert ids(client.get(URL)) == [mine.pk]
    assert set(ids(client.get(URL, {"owner": ""}))) == {mine.pk, teams.pk}
    assert set(ids(client.get(URL, {"size": 50}))) == {mine.pk, teams.pk}  # any parameter: the URL says it all


def test_my_default_view_replaces_mine(client, org):
    CustomerFactory(owner=org.lead, kind=Customer.Kind.PERSON)
    company = CustomerFactory(owner=org.rep_a, kind=Customer.Kind.COMPANY)
    SavedViewFactory(user=org.lead, name="Companies", params={"kind": ["company"]}, is_default=True)
    login(client, org.lead)
    body = client.get(URL).content.decode()
    assert ids(client.get(URL)) == [company.pk]
    assert "Companies" in body


def test_someone_elses_default_does_not_apply(client, org):
    mine = CustomerFactory(owner=org.lead)
    SavedViewFactory(user=org.rep_a, name="Companies", params={"kind": ["company"]}, is_default=True, shared=True)
    login(client, org.lead)
    assert ids(client.get(URL)) == [mine.pk]


def test_sort_links_flip_and_keep_the_filters(client, org):
    login(client, org.rep_a)
    b = CustomerFactory(owner=org.rep_a, name="Beta")
    a = CustomerFactory(owner=org.rep_a, name="Alpha")
    response = client.get(URL, {"owner": "me", "sort": "name"})
    assert ids(response) == [a.pk, b.pk]
    body = response.content.decode()
    link = re.search(r'<th[^>]*data-column="name"[^>]*>\s*<a href="([^"]+)"', body)
    assert link is not None
    href = link.group(1).replace("&amp;", "&")
    assert "sort=-name" in href and "owner=me" in href
    assert ids(client.get(href)) == [b.pk, a.pk]
    assert 'aria-sort="ascending"' in body


def test_every_standard_column_sorts(client, org):
    login(client, org.director)
    CustomerFactory.create_batch(3, owner=org.rep_a)
    from guanxi.customers.lists.columns import STANDARD

    for column in STANDARD:
        if column.sort:
            for sort in (column.sort, f"-{column.sort}"):
                response = client.get(URL, {"owner": "", "sort": sort, "cols": column.key})
                assert response.status_code == 200 and len(ids(response)) == 3, sort


def test_keyset_pages_through_the_page(client, org):
    login(client, org.rep_a)
    made = CustomerFactory.create_batch(30, owner=org.rep_a)
    first = client.get(URL, {"owner": "me"})
    assert len(ids(first)) == 25
    next_url = re.search(r'href="([^"]+)"[^>]*rel="next"', first.content.decode()).group(1).replace("&amp;", "&")
    second = client.get(next_url)
    assert len(ids(second)) == 5
    assert set(ids(first)) | set(ids(second)) == {c.pk for c in made}
    assert "30 customers" in first.content.decode()


def test_large_counts_are_capped(client, org, monkeypatch):
    from guanxi.customers.lists import paging

    monkeypatch.setattr(paging, "COUNT_CAP", 4)
    CustomerFactory.create_batch(6, owner=org.rep_a)
    login(client, org.rep_a)
    assert "4+ customers" in client.get(URL, {"owner": "me"}).content.decode()


def test_columns_choice_with_tags_and_custom_fields(client, org):
    CustomFieldFactory(key="budget", label="Budget", type=CustomFieldDefinition.Type.NUMBER)
    CustomFieldFactory(key="secret", label="Secret", show_in_list=False)
    customer = CustomerFactory(owner=org.rep_a, custom={"budget": 1200, "secret": "x"}, city="Hangzhou")
    customer.tags.set([TagFactory(name="vip")])
    login(client, org.rep_a)
    body = client.get(URL, {"owner": "me", "cols": "name,tags,cf_budget,city,cf_secret"}).content.decode()
    headers = re.findall(r'data-column="([^"]+)"', body)
    assert headers == ["name", "tags", "cf_budget", "city"]
    assert ">vip<" in body and "1200" in body and "Hangzhou" in body
    # The column chooser offers custom fields marked "show in lists" only.
    assert 'value="cf_budget"' in body and 'value="cf_secret"' not in body


def test_saved_view_keeps_its_columns(client, org):
    CustomerFactory(owner=org.rep_a, city="Ningbo")
    view = SavedViewFactory(user=org.rep_a, params={"owner": ["me"]}, columns=["name", "city"])
    login(client, org.rep_a)
    body = client.get(URL, {"view": view.pk}).content.decode()
    assert re.findall(r'<th[^>]*data-column="([^"]+)"', body) == ["name", "city"]
    assert "Ningbo" in body


def test_rows_are_cards_on_phones_and_actions_are_a_menu(client, org):
    CustomerFactory(owner=org.rep_a)
    login(client, org.rep_a)
    body = client.get(URL).content.decode()
    assert 'class="table table-vcenter card-table table-cards"' in body
    assert 'data-label="Name"' in body
    assert 'class="dropdown-menu' in body  # views and saving them sit in menus
    assert "data-bulk-bar" in body


def test_bad_filter_values_are_explained_not_fatal(client, org):
    CustomerFactory(owner=org.rep_a, city="Wuhan")
    login(client, org.rep_a)
    response = client.get(URL, {"created_from": "last tuesday", "city": "Wuhan"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-filter-error="created_from"' in body and "YYYY-MM-DD" in body
    assert len(ids(response)) == 1


def test_empty_states(client, org):
    login(client, org.lead)
    assert "No customers yet." in client.get(URL).content.decode()
    CustomerFactory(owner=org.rep_a)
    body = client.get(URL).content.decode()  # "mine" is empty but the team has customers
    assert "No customers match these filters." in body


def test_htmx_answers_the_table_only(client, org):
    CustomerFactory(owner=org.rep_a, name="Alpha Ltd", kind=Customer.Kind.COMPANY)
    login(client, org.rep_a)
    body = client.get(URL, {"kind": "company"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in body and "Alpha Ltd" in body and "customer-filters" not in body


def test_filter_form_pushes_the_url(client, org):
    login(client, org.rep_a)
    body = client.get(URL).content.decode()
    form = re.search(r'<form id="customer-filters"[^>]*>', body, re.S).group(0)
    assert 'hx-push-url="true"' in form


def _queries(client, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["director", "sales_head", "lead", "rep_a"])
def test_query_count_is_constant(client, org, persona):
    user = getattr(org, persona)
    CustomFieldFactory(key="budget", type=CustomFieldDefinition.Type.NUMBER)
    tags = [TagFactory(name="vip"), TagFactory(name="key")]
    SavedViewFactory(user=user, name="Mine")
    login(client, user)
    client.get(reverse("core:home"))  # once-per-session work (the second-factor check) is not part of the list
    params = {"owner": "", "cols": "name,owner,pool,tags,cf_budget,phone,lifecycle_stage", "size": 100}
    for c in CustomerFactory.create_batch(2, owner=user, custom={"budget": 1}):
        c.tags.set(tags)
    few, few_bare = _queries(client, params), _queries(client, {})
    for c in CustomerFactory.create_batch(40, owner=user, custom={"budget": 2}):
        c.tags.set(tags)
    many, many_bare = _queries(client, params), _queries(client, {})
    assert few == many and few_bare == many_bare
    # An unfiltered all-scope view on PostgreSQL first asks the planner for the table size (one more query).
    assert many <= 14 and many_bare <= 13
    assert SavedView.objects.count() == 1
