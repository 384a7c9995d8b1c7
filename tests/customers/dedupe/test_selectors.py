"""The duplicate check: every kind of match, what it tells outside the actor's scope, and that it stays cheap."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.accounts import scoping
from guanxi.customers.dedupe.selectors import DuplicateCandidate, find_duplicates, match_query
from guanxi.customers.models import Customer
from tests.factories_dedupe import (
    ContactFactory,
    CustomerEmailFactory,
    CustomerPhoneFactory,
    KeyedCustomerFactory,
    PoolFactory,
)

pytestmark = pytest.mark.django_db

COMPANY = Customer.Kind.COMPANY
PERSON = Customer.Kind.PERSON


def check(actor, **fields):
    return find_duplicates(actor=actor, candidate=DuplicateCandidate.build(**fields))


def only(matches):
    assert len(matches) == 1, matches
    return matches[0]


@pytest.fixture
def other(org):
    """An unrelated customer of rep_a's, so that "no match" is not just an empty table."""
    return KeyedCustomerFactory(owner=org.rep_a, name="王五", city="北京市", phone="+8613700000001")


def test_same_uscc(org):
    existing = KeyedCustomerFactory(owner=org.rep_a, kind=COMPANY, name="星辰科技", uscc="91310000MA1FL8XQ3X")
    match = only(check(org.rep_a, kind=COMPANY, name="完全不同", uscc=" 91310000ma1fl8xq3x "))
    assert match.customer_id == existing.pk and match.reasons == ("uscc",) and match.strength == 100


def test_same_phone_in_any_format_on_the_customer_its_numbers_and_its_contacts(org):
    primary = KeyedCustomerFactory(owner=org.rep_a, phone="+8613812345678")
    second = CustomerPhoneFactory(customer=KeyedCustomerFactory(owner=org.rep_a), number="+8613912345678").customer
    via_contact = ContactFactory(customer=KeyedCustomerFactory(owner=org.rep_a), phone="+8613612345678").customer
    assert only(check(org.rep_a, phones=["138 1234 5678"])).customer_id == primary.pk
    assert only(check(org.rep_a, phones=["+86-139-1234-5678"])).customer_id == second.pk
    match = only(check(org.rep_a, phones=["136-1234-5678"]))
    assert match.customer_id == via_contact.pk and match.reasons == ("contact_phone",)


def test_same_email_on_the_customer_its_addresses_and_its_contacts(org):
    primary = KeyedCustomerFactory(owner=org.rep_a, email="li.lei@example.com")
    second = CustomerEmailFactory(customer=KeyedCustomerFactory(owner=org.rep_a), address="ll@corp.cn").customer
    via_contact = ContactFactory(customer=KeyedCustomerFactory(owner=org.rep_a), email="buyer@acme.cn").customer
    assert only(check(org.rep_a, emails=["li.lei@EXAMPLE.com"])).customer_id == primary.pk
    assert only(check(org.rep_a, emails=["LL@corp.cn"])).customer_id == second.pk
    assert only(check(org.rep_a, emails=["buyer@acme.cn"])).reasons == ("contact_email",)
    assert via_contact.pk


def test_same_id_number(org):
    existing = KeyedCustomerFactory(owner=org.rep_a, id_number="11010519491231002X")
    match = only(check(org.rep_a, id_number="110105 19491231 002x"))
    assert match.customer_id == existing.pk and match.reasons == ("id_number",)


def test_same_company_name_after_normalisation_in_any_city(org):
    existing = KeyedCustomerFactory(owner=org.rep_a, kind=COMPANY, name="上海星辰科技有限公司", city="上海市")
    match = only(check(org.rep_a, kind=COMPANY, name="星辰科技股份有限公司", city="杭州市"))
    assert match.customer_id == existing.pk and match.reasons == ("company_name",)


def test_same_person_name_counts_only_in_the_same_city(org):
    existing = KeyedCustomerFactory(owner=org.rep_a, name="张三", city="上海市")
    assert only(check(org.rep_a, name="张 三", city="上海市")).reasons == ("same_name_city",)
    assert only(check(org.rep_a, name="张三", city="上海市")).customer_id == existing.pk
    assert check(org.rep_a, name="张三", city="北京市") == []
    assert check(org.rep_a, name="张三") == []


def test_pinyin_match_finds_a_homophone(org):
    existing = KeyedCustomerFactory(owner=org.rep_a, name="章三", city="上海市")
    match = only(check(org.rep_a, name="张三", city="上海市"))
    assert match.customer_id == existing.pk and match.reasons == ("pinyin",)
    company = KeyedCustomerFactory(owner=org.rep_a, kind=COMPANY, name="杭州新晨贸易有限公司", city="杭州市")
    match = only(check(org.rep_a, kind=COMPANY, name="杭州新辰贸易有限公司"))
    assert match.customer_id == company.pk and "pinyin" in match.reasons


def test_similar_name_in_the_same_city(org):
    existing = KeyedCustomerFactory(owner=org.rep_a, kind=COMPANY, name="星辰网络科技有限公司", city="杭州市")
    KeyedCustomerFactory(owner=org.rep_a, kind=COMPANY, name="星辰餐饮管理有限公司", city="杭州市")  # same prefix only
    match = only(check(org.rep_a, kind=COMPANY, name="星辰网络科技服务有限公司", city="杭州市"))
    assert match.customer_id == existing.pk and match.reasons == ("similar_name_city",)
    assert check(org.rep_a, kind=COMPANY, name="星辰网络科技服务有限公司", city="苏州市") == []


def test_unrelated_input_finds_nothing(org, other):
    assert (
        check(org.rep_a, kind=COMPANY, name="月亮食品", phones=["13800000000"], emails=["x@y.cn"], city="北京市") == []
    )
    assert check(org.rep_a) == []
    assert check(org.rep_a, phones=["not a number"], emails=["not an email"]) == []


def test_the_customer_being_edited_is_not_its_own_duplicate(org):
    existing = KeyedCustomerFactory(owner=org.rep_a, phone="+8613812345678")
    candidate = DuplicateCandidate.build(phones=["13812345678"])
    assert find_duplicates(actor=org.rep_a, candidate=candidate, exclude_id=existing.pk) == []


def test_several_reasons_are_one_match_strongest_first(org):
    strong = KeyedCustomerFactory(owner=org.rep_a, name="李雷", city="上海市", phone="+8613812345678")
    weak = KeyedCustomerFactory(owner=org.rep_a, name="李雷", city="上海市")
    matches = check(org.rep_a, name="李雷", city="上海市", phones=["13812345678"])
    assert [m.customer_id for m in matches] == [strong.pk, weak.pk]
    assert matches[0].reasons == ("phone", "same_name_city") and matches[0].fields == ("phone", "name")


def test_outside_the_scope_only_the_owner_is_told(org):
    hidden = KeyedCustomerFactory(owner=org.rep_b, name="韩梅梅", phone="+8613812345678", email="hmm@example.com")
    match = only(check(org.rep_a, phones=["13812345678"]))
    assert not match.in_scope
    assert match.customer_id is None and match.name == "" and match.url == ""
    assert match.owner_name == str(org.rep_b)
    assert "韩梅梅" not in match.summary and str(hidden.pk) not in match.summary
    assert str(org.rep_b) in match.summary
    # The owner's manager sees it with its name and link.
    seen = only(check(org.sales_head, phones=["13812345678"]))
    assert seen.in_scope and seen.customer_id == hidden.pk and seen.name == "韩梅梅"
    assert seen.url == f"/customers/{hidden.pk}/"


def test_a_match_in_the_pool_tells_the_pool(org):
    pool = PoolFactory(name="华东公海")
    pooled = KeyedCustomerFactory(owner=None, pool=pool, kind=COMPANY, name="云帆物流有限公司")
    match = only(check(org.rep_a, kind=COMPANY, name="云帆物流"))
    assert not match.in_scope and match.pool_name == "华东公海" and match.owner_name == ""
    assert "华东公海" in match.holder
    pool.members.add(org.rep_a)  # pool members see the pool's customers
    scoping.forget(org.rep_a)  # (a user's pools are read once per request, like their roles)
    match = only(check(org.rep_a, kind=COMPANY, name="云帆物流"))
    assert match.in_scope and match.customer_id == pooled.pk


def test_limit_keeps_the_strongest(org):
    KeyedCustomerFactory.create_batch(5, owner=org.rep_a, name="赵六", city="上海市")
    best = KeyedCustomerFactory(owner=org.rep_a, name="赵六", city="上海市", phone="+8613812345678")
    candidate = DuplicateCandidate.build(name="赵六", city="上海市", phones=["13812345678"])
    matches = find_duplicates(actor=org.rep_a, candidate=candidate, limit=3)
    assert len(matches) == 3 and matches[0].customer_id == best.pk


def _count(actor, candidate) -> int:
    with CaptureQueriesContext(connection) as ctx:
        find_duplicates(actor=actor, candidate=candidate)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["director", "sales_head", "rep_a"])
def test_query_count_is_constant(org, persona):
    actor = getattr(org, persona)
    candidate = DuplicateCandidate.build(
        kind=COMPANY,
        name="星辰科技有限公司",
        phones=["13812345678", "13912345678"],
        emails=["a@b.cn"],
        uscc="91310000MA1FL8XQ3X",
        id_number="11010519491231002X",
        city="上海市",
    )
    KeyedCustomerFactory(owner=org.rep_b, kind=COMPANY, name="星辰科技", city="上海市", phone="+8613812345678")
    find_duplicates(actor=actor, candidate=candidate)  # warm-up: the actor's roles are read once per request
    few = _count(actor, candidate)
    for i in range(30):
        owner = org.rep_a if i % 2 else org.rep_b
        customer = KeyedCustomerFactory(owner=owner, kind=COMPANY, name=f"星辰科技{i}号", city="上海市")
        ContactFactory(customer=customer, phone="+8613912345678")
        KeyedCustomerFactory(owner=owner, name=f"无关{i}", city="上海市")
    many = _count(actor, candidate)
    assert few == many <= 3


def test_every_check_uses_an_index(org):
    """With sequential scans priced out (PostgreSQL) or in SQLite's plan, no table of the check is scanned whole."""
    candidate = DuplicateCandidate.build(
        kind=COMPANY,
        name="星辰科技有限公司",
        phones=["13812345678"],
        emails=["a@b.cn"],
        uscc="91310000MA1FL8XQ3X",
        id_number="11010519491231002X",
        city="上海市",
    )
    query = match_query(candidate)
    assert query is not None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        plan = query.explain()
        assert "Seq Scan" not in plan, plan
    else:
        plan = query.explain()
        scans = [line for line in plan.splitlines() if " SCAN " in f" {line.split(' ', 1)[-1]}" and "INDEX" not in line]
        assert not scans, plan
    for table in ("customers_customer", "customers_customerphone", "customers_customeremail", "customers_contact"):
        assert table in plan


def test_check_or_raise_blocks_strong_matches_safely(org):
    from django.core.exceptions import ValidationError

    from guanxi.customers.dedupe.services import duplicate_check_or_raise

    KeyedCustomerFactory(owner=org.rep_b, name="韩梅梅", city="上海市", phone="+8613812345678")
    strong = DuplicateCandidate.build(name="韩梅梅", city="上海市", phones=["13812345678"])
    with pytest.raises(ValidationError) as exc:
        duplicate_check_or_raise(actor=org.rep_a, candidate=strong)
    error = exc.value
    assert list(error.error_dict) == ["phone"]
    (item,) = error.error_dict["phone"]
    assert item.code == "duplicate"
    message = " ".join(error.messages)
    assert message.startswith("Possible duplicate") and str(org.rep_b) in message and "韩梅梅" not in message
    assert duplicate_check_or_raise(actor=org.rep_a, candidate=strong, allow=True) == []
    # A same name in the same city only warns: it does not block an API call or an import row.
    weak = DuplicateCandidate.build(name="韩梅梅", city="上海市")
    (match,) = duplicate_check_or_raise(actor=org.rep_a, candidate=weak)
    assert match.reasons == ("same_name_city",)
