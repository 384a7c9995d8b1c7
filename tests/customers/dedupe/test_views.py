"""The duplicate warning under the customer form, the merge screen and the merge record page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.customers.models import Customer, MergeRecord
from tests.conftest import login
from tests.factories_dedupe import ContactFactory, KeyedCustomerFactory, PoolFactory

pytestmark = pytest.mark.django_db

CHECK = "customers:duplicate_check"


def test_warning_links_a_match_in_scope(client, org):
    mine = KeyedCustomerFactory(owner=org.rep_a, name="李雷", phone="+8613812345678")
    login(client, org.rep_a)
    body = client.get(reverse(CHECK), {"name": "", "phone": "138 1234 5678"}).content.decode()
    assert "Possible duplicate" in body
    assert f'href="/customers/{mine.pk}/"' in body and "李雷" in body and "same phone number" in body


def test_warning_outside_the_scope_tells_only_the_owner(client, org):
    theirs = KeyedCustomerFactory(
        owner=org.rep_b, kind=Customer.Kind.COMPANY, name="韩氏贸易有限公司", phone="+8613812345678"
    )
    ContactFactory(customer=theirs, name="韩梅梅", email="hmm@hanshi.cn")
    login(client, org.rep_a)
    response = client.get(
        reverse(CHECK), {"kind": "company", "name": "韩氏贸易", "phone": "13812345678", "email": "hmm@hanshi.cn"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Possible duplicate" in body and str(org.rep_b) in body
    for secret in ("韩氏贸易有限公司", "韩梅梅", "13812345678", "1234", "hmm@", f"/customers/{theirs.pk}/"):
        assert secret not in body
    assert f'data-customer-id="{theirs.pk}"' not in body


def test_warning_tells_the_pool(client, org):
    KeyedCustomerFactory(owner=None, pool=PoolFactory(name="华南公海"), email="buyer@shop.cn", name="某商店")
    login(client, org.rep_a)
    body = client.get(reverse(CHECK), {"email": "BUYER@shop.cn"}).content.decode()
    assert "in the public pool 华南公海" in body and "某商店" not in body


def test_no_warning_without_a_match_and_the_edited_customer_is_excluded(client, org):
    me = KeyedCustomerFactory(owner=org.rep_a, phone="+8613812345678")
    login(client, org.rep_a)
    assert client.get(reverse(CHECK), {"phone": "13899999999", "name": "无名"}).content.decode().strip() == ""
    body = client.get(reverse(CHECK), {"phone": "13812345678", "exclude": me.pk}).content.decode()
    assert body.strip() == ""


def test_editing_offers_a_merge_to_those_who_may(client, mergers):
    org = mergers
    a = KeyedCustomerFactory(owner=org.rep_a, phone="+8613812345678")
    b = KeyedCustomerFactory(owner=org.rep_a, phone="+8613912345678")
    login(client, org.rep_a)
    body = client.get(reverse(CHECK), {"phone": "13812345678", "exclude": b.pk}).content.decode()
    assert f"/customers/{a.pk}/merge/?other={b.pk}" in body


def test_the_check_needs_a_create_or_change_permission(client, org):
    login(client, org.viewer)
    assert client.get(reverse(CHECK), {"name": "x"}).status_code == 403


def test_the_check_query_count_does_not_grow(client, org):
    login(client, org.rep_a)
    client.get(reverse("core:home"))  # the once-per-session second-factor check
    params = {"kind": "company", "name": "星辰科技", "phone": "13812345678", "email": "a@b.cn", "city": "上海市"}
    KeyedCustomerFactory(owner=org.rep_b, kind=Customer.Kind.COMPANY, name="星辰科技", phone="+8613812345678")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(CHECK), params).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(25):
        KeyedCustomerFactory(owner=org.rep_b, kind=Customer.Kind.COMPANY, name="星辰科技", city="上海市")
        KeyedCustomerFactory(owner=org.rep_a, name=f"客户{i}", email=f"c{i}@b.cn")
    assert count() == few


# --- merge ------------------------------------------------------------------------------------------------------------
def test_merge_screen_compares_and_merges(client, mergers):
    org = mergers
    kept = KeyedCustomerFactory(owner=org.rep_a, name="星辰科技", phone="+8613812345678", email="")
    gone = KeyedCustomerFactory(owner=org.rep_a, name="星辰科技有限公司", phone="+8613912345678", email="x@xc.cn")
    login(client, org.rep_a)
    url = reverse("customers:merge", args=[kept.pk])
    page = client.get(url, {"other": gone.pk}).content.decode()
    assert "星辰科技有限公司" in page and 'name="choice_name"' in page
    assert "138****5678" in page and "13812345678" not in page  # personal data masked
    response = client.post(url, {"other": gone.pk, "choice_name": "merged", "choice_phone": "survivor"})
    assert response.status_code == 302 and response["Location"] == f"/customers/{kept.pk}/"
    kept.refresh_from_db()
    assert kept.name == "星辰科技有限公司" and kept.email == "x@xc.cn"
    assert not Customer.objects.filter(pk=gone.pk).exists()
    record = MergeRecord.objects.get()
    page = client.get(reverse("customers:merge_record", args=[record.pk])).content.decode()
    assert str(gone.pk) in page and "139****5678" in page and "13912345678" not in page


def test_merge_picker_finds_only_customers_in_scope(client, mergers):
    org = mergers
    kept = KeyedCustomerFactory(owner=org.rep_a, name="甲公司")
    mine = KeyedCustomerFactory(owner=org.rep_a, name="甲公司分部")
    theirs = KeyedCustomerFactory(owner=org.rep_b, name="甲公司总部")
    login(client, org.rep_a)
    body = client.get(reverse("customers:merge", args=[kept.pk]), {"q": "甲公司"}).content.decode()
    assert f"?other={mine.pk}" in body and f"?other={theirs.pk}" not in body and "总部" not in body


def test_merge_screen_refuses_out_of_scope_same_customer_and_no_permission(client, mergers):
    org = mergers
    mine = KeyedCustomerFactory(owner=org.rep_a)
    theirs = KeyedCustomerFactory(owner=org.rep_b)
    login(client, org.rep_a)
    url = reverse("customers:merge", args=[mine.pk])
    assert client.get(url, {"other": theirs.pk}).status_code == 404
    assert client.post(url, {"other": theirs.pk}).status_code == 404
    assert client.get(reverse("customers:merge", args=[theirs.pk]), {"other": mine.pk}).status_code == 404
    response = client.post(url, {"other": mine.pk})
    assert response.status_code == 302 and response["Location"] == url
    assert Customer.objects.filter(pk__in=[mine.pk, theirs.pk]).count() == 2
    login(client, org.lead)  # sees rep_a's customers, may not merge
    assert client.get(url).status_code == 403
