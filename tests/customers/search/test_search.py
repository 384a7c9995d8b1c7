"""Every kind of search, through the real selectors and the real indexes (FTS5 on SQLite, GIN on PostgreSQL): the same
assertions on both databases."""

from __future__ import annotations

import pytest
from django.db import connection

from guanxi.customers.models import Customer
from guanxi.customers.search import services as search_services
from guanxi.customers.search.selectors import apply_search, contact_search, customer_search
from tests.factories import CustomerFactory
from tests.factories_search import make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(org):  # type: ignore[no-untyped-def]
    """A small book of customers owned by the director (scope all sees them all)."""
    owner = org.rep_a
    return {
        "zhangsan": make_customer(
            name="张三",
            owner=owner,
            phone="+8613812345678",
            email="ZhangSan@Example.com",
            extra_phones=("+8613700002222",),
        ),
        "zhangsanfeng": make_customer(name="张三丰", owner=owner, phone="+8613912342345"),
        "lisi_person": make_customer(name="李四光", owner=owner, phone="+8615011112222"),
        "xingchen": make_customer(
            name="上海星辰科技有限公司",
            owner=owner,
            kind=Customer.Kind.COMPANY,
            phone="+862166668888",
            contacts=(
                {"name": "王五", "phone": "+8613600003333", "email": "wangwu@xingchen.cn", "title": "采购经理"},
                {"name": "Mary Jones", "phone": "+14155550100"},
            ),
        ),
        "acme": make_customer(name="Acme Trading Co., Ltd.", owner=owner, kind=Customer.Kind.COMPANY),
        "smith": make_customer(name="John Smith", owner=owner, phone="+8618800001234", email="john@smith.io"),
    }


def names(found: list[Customer]) -> set[str]:
    return {c.name for c in found}


def find(org, q: str) -> set[str]:  # type: ignore[no-untyped-def]
    return names(customer_search(actor=org.director, q=q, limit=50))


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        # full and partial names
        ("张三", {"张三", "张三丰"}),
        ("张三丰", {"张三丰"}),
        ("三丰", {"张三丰"}),
        ("星辰", {"上海星辰科技有限公司"}),
        ("辰科技", {"上海星辰科技有限公司"}),
        ("星辰科技", {"上海星辰科技有限公司"}),
        ("smi", {"John Smith"}),
        ("mith", {"John Smith"}),
        ("john smith", {"John Smith"}),
        ("JOHN", {"John Smith"}),
        # company names, with and without the legal form
        ("acme trading", {"Acme Trading Co., Ltd."}),
        ("acmetrading", {"Acme Trading Co., Ltd."}),
        ("Acme Trading Co", {"Acme Trading Co., Ltd."}),
        # pinyin and initials
        ("zhangsan", {"张三", "张三丰"}),
        ("zhang san", {"张三", "张三丰"}),
        ("zhangs", {"张三", "张三丰"}),
        ("zs", {"张三", "张三丰"}),
        ("zsf", {"张三丰"}),
        ("lsg", {"李四光"}),
        ("xingchen", {"上海星辰科技有限公司"}),
        ("xckj", {"上海星辰科技有限公司"}),
        ("zz", set()),
        ("不存在", set()),
        # phones: any format, any 4+ digits, the number verified
        ("5678", {"张三"}),
        ("1234 5678", {"张三"}),
        ("138-1234-5678", {"张三"}),
        ("+86 138 1234 5678", {"张三"}),
        ("13812345678", {"张三"}),
        ("12345", {"张三"}),  # 张三丰's 139 1234 2345 holds 1234 and 2345 but not 12345
        ("1234", {"张三", "张三丰", "John Smith"}),
        ("0000 2222", {"张三"}),  # a second number of the customer
        ("021 6666 8888", {"上海星辰科技有限公司"}),  # landline, with the trunk zero
        ("87654321", set()),
        # email: exact, case of the address ignored
        ("zhangsan@example.com", {"张三"}),
        ("ZHANGSAN@EXAMPLE.COM", {"张三"}),
        ("john@smith.io", {"John Smith"}),
        ("nobody@example.com", set()),
        # through a contact
        ("王五", {"上海星辰科技有限公司"}),
        ("wangwu", {"上海星辰科技有限公司"}),
        ("mary", {"上海星辰科技有限公司"}),
        ("0000 3333", {"上海星辰科技有限公司"}),
        ("wangwu@xingchen.cn", {"上海星辰科技有限公司"}),
    ],
)
def test_search_finds(org, book, q: str, expected: set[str]) -> None:  # type: ignore[no-untyped-def]
    assert find(org, q) == expected, connection.vendor


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("王五", {"王五"}),
        ("ww", {"王五"}),
        ("wangw", {"王五"}),
        ("0000 3333", {"王五"}),
        ("+86 136 0000 3333", {"王五"}),
        ("wangwu@xingchen.cn", {"王五"}),
        ("jones", {"Mary Jones"}),
        ("415 555 0100", {"Mary Jones"}),
        ("星辰", set()),  # the company matches, none of its contacts does
        ("张三", set()),
    ],
)
def test_contacts_are_found(org, book, q: str, expected: set[str]) -> None:  # type: ignore[no-untyped-def]
    found = contact_search(actor=org.director, q=q, limit=20)
    assert {c.name for c in found} == expected
    assert all(c.customer.name == "上海星辰科技有限公司" for c in found)


def test_empty_and_too_short_queries(org, book) -> None:  # type: ignore[no-untyped-def]
    assert customer_search(actor=org.director, q="   ", limit=10) == []
    assert find(org, "138") == set()  # three digits are not a phone fragment
    qs = Customer.objects.all()
    assert apply_search(qs, "") is qs
    assert not apply_search(qs, "?!").exists()


def test_limit_keeps_the_newest(org) -> None:  # type: ignore[no-untyped-def]
    made = [make_customer(name=f"王小明{i}", owner=org.rep_a) for i in range(5)]
    found = customer_search(actor=org.director, q="王小明", limit=3)
    assert [c.pk for c in found] == [c.pk for c in sorted(made, key=lambda c: (c.created_at, c.pk), reverse=True)][:3]


def test_apply_search_filters_a_list_queryset_and_verifies_digits(org, book) -> None:  # type: ignore[no-untyped-def]
    qs = Customer.objects.filter(owner=org.rep_a)
    assert set(apply_search(qs, "zs").values_list("name", flat=True)) == {"张三", "张三丰"}
    assert set(apply_search(qs, "12345").values_list("name", flat=True)) == {"张三"}
    assert apply_search(qs, "12345").count() == 1


def test_the_index_follows_updates_and_deletes(org, book) -> None:  # type: ignore[no-untyped-def]
    smith = book["smith"]
    Customer.objects.filter(pk=smith.pk).update(name="陈大文")
    search_services.search_refresh(smith.pk)
    assert find(org, "chendawen") == {"陈大文"}
    assert find(org, "smith") == set()
    Customer.objects.filter(pk=smith.pk).delete()
    assert find(org, "chendawen") == set()
    # Deleting one indexed row leaves the others findable (the FTS5 'delete' got the right old values).
    assert find(org, "zs") == {"张三", "张三丰"}


def test_bulk_inserts_are_indexed(org) -> None:  # type: ignore[no-untyped-def]
    from guanxi.customers.search.keys import customer_keys

    rows = [
        Customer(kind="person", name=name, owner=org.rep_a, **customer_keys(kind="person", name=name))
        for name in ("赵六", "钱七")
    ]
    Customer.objects.bulk_create(rows)
    assert find(org, "zl") == {"赵六"}
    assert find(org, "qianqi") == {"钱七"}


def test_customers_without_search_text_are_still_found_by_name(org) -> None:  # type: ignore[no-untyped-def]
    CustomerFactory(name="Plain Factory Customer", owner=org.rep_a, search_text="")
    assert find(org, "factory") == {"Plain Factory Customer"}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 triggers exist on SQLite only")
def test_lost_sqlite_triggers_are_put_back_after_migrate(org) -> None:  # type: ignore[no-untyped-def]
    """Django rebuilds a SQLite table to alter it, which drops its triggers; the post_migrate check restores them."""
    from guanxi.customers.search import indexes

    with connection.cursor() as cursor:
        for name in indexes.SQLITE_TRIGGERS:
            cursor.execute(f"DROP TRIGGER {name}")
    make_customer(name="孙悟空", owner=org.rep_a)  # written while the index does not follow
    assert find(org, "悟空") == set()
    indexes.ensure_after_migrate(using="default")
    assert indexes.missing_sqlite_triggers(connection) == []
    assert find(org, "悟空") == {"孙悟空"}
    make_customer(name="猪八戒", owner=org.rep_a)
    assert find(org, "八戒") == {"猪八戒"}
