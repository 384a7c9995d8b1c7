"""Every filter of the customer list narrows to exactly the customers it names (selector level, both databases)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone

from guanxi.customers import selectors
from guanxi.customers.lists.filters import CustomerFilter, filter_from_query, filter_to_params
from guanxi.customers.models import Customer, CustomFieldDefinition
from tests.factories import CustomerFactory
from tests.factories_lists import CustomFieldFactory, PoolFactory, TagFactory

pytestmark = pytest.mark.django_db
Type = CustomFieldDefinition.Type


@pytest.fixture
def world(org):
    now = timezone.now()
    vip, key, cold = TagFactory(name="vip"), TagFactory(name="key"), TagFactory(name="cold")
    pool = PoolFactory(name="East pool")
    CustomFieldFactory(key="budget", type=Type.NUMBER)
    CustomFieldFactory(key="contract", type=Type.DATE)
    CustomFieldFactory(key="note", type=Type.TEXT)
    CustomFieldFactory(key="grade", type=Type.CHOICE, choices=["A", "B", "C"])
    CustomFieldFactory(key="channels", type=Type.MULTI_CHOICE, choices=["wechat", "email", "phone"])
    CustomFieldFactory(key="partner", type=Type.BOOLEAN)
    made: dict[str, Customer] = {}

    def make(name: str, tags=(), **fields) -> None:
        fields.setdefault("owner", org.rep_a)
        customer = CustomerFactory(name=name, **fields)
        customer.tags.set(tags)
        made[name] = customer

    make(
        "alpha",
        kind=Customer.Kind.COMPANY,
        lifecycle_stage="active",
        value_tier="gold",
        source="referral",
        industry="it",
        company_size="50-199",
        province="Guangdong",
        city="Shenzhen",
        tags=[vip, key],
        last_follow_up_at=now - dt.timedelta(days=2),
        next_contact_at=now - dt.timedelta(hours=3),
        locked=True,
        custom={"budget": 500, "contract": "2025-03-01", "note": "Big Deal", "grade": "A", "channels": ["wechat"]},
    )
    make(
        "beta",
        gender="female",
        lifecycle_stage="loyal",
        value_tier="silver",
        source="event",
        province="Zhejiang",
        city="Hangzhou",
        tags=[vip],
        last_follow_up_at=now - dt.timedelta(days=40),
        next_contact_at=now + dt.timedelta(days=30),
        phone="",
        phone_digest="",
        custom={"budget": 50, "contract": "2025-09-01", "grade": "B", "channels": ["email", "phone"], "partner": True},
    )
    make("gamma", owner=org.rep_b, email="", email_digest="", tags=[cold], custom={"partner": False})
    make("pooled", owner=None, pool=pool)
    Customer.objects.filter(pk=made["gamma"].pk).update(created_at=now - dt.timedelta(days=100))
    Customer.objects.filter(pk=made["gamma"].pk).update(updated_at=now - dt.timedelta(days=90))
    return org, made, {"vip": vip, "key": key, "cold": cold, "pool": pool}


def names(actor, params) -> set[str]:
    filters = filter_from_query(QueryDict(params) if isinstance(params, str) else params)
    return set(selectors.customer_list(actor=actor, filters=filters).values_list("name", flat=True))


EVERYONE = {"alpha", "beta", "gamma", "pooled"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ("", EVERYONE),
        ("kind=company", {"alpha"}),
        ("kind=person", {"beta", "gamma", "pooled"}),
        ("owner=none", {"pooled"}),
        ("lifecycle_stage=active", {"alpha"}),
        ("lifecycle_stage=active&lifecycle_stage=loyal", {"alpha", "beta"}),
        ("lifecycle_stage=active,loyal", {"alpha", "beta"}),
        ("value_tier=gold", {"alpha"}),
        ("source=event", {"beta"}),
        ("industry=it", {"alpha"}),
        ("company_size=50-199", {"alpha"}),
        ("gender=female", {"beta"}),
        ("gender=unknown", {"alpha", "gamma", "pooled"}),
        ("province=Zhejiang", {"beta"}),
        ("city=Shenzhen", {"alpha"}),
        ("next_contact=overdue", {"alpha"}),
        ("next_contact=none", {"gamma", "pooled"}),
        ("not_followed_up_days=30", {"beta", "gamma", "pooled"}),
        ("locked=yes", {"alpha"}),
        ("locked=no", {"beta", "gamma", "pooled"}),
        ("has_phone=no", {"beta"}),
        ("has_email=no", {"gamma"}),
        ("has_phone=yes&has_email=yes", {"alpha", "pooled"}),
        ("cf_budget_min=100", {"alpha"}),
        ("cf_budget_max=100", {"beta"}),
        ("cf_budget_min=10&cf_budget_max=1000", {"alpha", "beta"}),
        ("cf_contract_from=2025-06-01", {"beta"}),
        ("cf_contract_to=2025-06-01", {"alpha"}),
        ("cf_note=big", {"alpha"}),
        ("cf_grade=B", {"beta"}),
        ("cf_grade=A&cf_grade=B", {"alpha", "beta"}),
        ("cf_channels=phone", {"beta"}),
        ("cf_channels=wechat&cf_channels=phone", {"alpha", "beta"}),
        ("cf_partner=yes", {"beta"}),
        ("cf_partner=no", {"gamma"}),
        ("q=alp", {"alpha"}),
    ],
)
def test_each_filter_narrows(world, params, expected):
    org, _made, _things = world
    assert names(org.admin, params) == expected


def test_owner_me_and_user(world):
    org, _made, _things = world
    assert names(org.rep_a, "owner=me") == {"alpha", "beta"}
    assert names(org.admin, f"owner={org.rep_b.pk}") == {"gamma"}
    # A filter never widens the scope: rep_a asking for rep_b's customers gets nothing.
    assert names(org.rep_a, f"owner={org.rep_b.pk}") == set()


def test_pool_and_tags(world):
    org, _made, t = world
    assert names(org.admin, f"pool={t['pool'].pk}") == {"pooled"}
    assert names(org.admin, f"tags={t['vip'].pk}") == {"alpha", "beta"}
    assert names(org.admin, f"tags={t['key'].pk}&tags={t['cold'].pk}") == {"alpha", "gamma"}
    assert names(org.admin, f"tags={t['vip'].pk}&tags={t['key'].pk}&tags_mode=all") == {"alpha"}
    assert names(org.admin, f"tags={t['vip'].pk},{t['cold'].pk}&tags_mode=all") == set()
    # No duplicate rows when a customer has several of the chosen tags.
    filters = filter_from_query(QueryDict(f"tags={t['vip'].pk}&tags={t['key'].pk}"))
    assert selectors.customer_list(actor=org.admin, filters=filters).count() == 2


def test_date_ranges_follow_the_local_day(world):
    org, _made, _things = world
    today = timezone.localdate()
    assert names(org.admin, f"created_from={today}") == {"alpha", "beta", "pooled"}
    assert names(org.admin, f"created_to={today - dt.timedelta(days=50)}") == {"gamma"}
    assert names(org.admin, f"updated_to={today - dt.timedelta(days=50)}") == {"gamma"}
    assert names(org.admin, f"updated_from={today}") == {"alpha", "beta", "pooled"}
    assert names(org.admin, f"followed_up_after={today - dt.timedelta(days=10)}") == {"alpha"}
    assert names(org.admin, f"followed_up_before={today - dt.timedelta(days=10)}") == {"beta"}


def test_next_contact_today_and_week(world):
    org, made, _things = world
    midnight = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
    Customer.objects.filter(pk=made["gamma"].pk).update(next_contact_at=midnight + dt.timedelta(hours=12))
    Customer.objects.filter(pk=made["alpha"].pk).update(next_contact_at=midnight - dt.timedelta(hours=1))
    assert names(org.admin, "next_contact=today") == {"gamma"}
    assert names(org.admin, "next_contact=week") == {"gamma"}
    assert names(org.admin, "next_contact=overdue") == {"alpha"} | (
        {"gamma"} if timezone.now() > midnight + dt.timedelta(hours=12) else set()
    )


def test_bad_values_are_explained_by_parameter(world):
    with pytest.raises(ValidationError) as caught:
        filter_from_query(QueryDict("kind=robot&created_from=yesterday&sort=shoe-size&cf_budget_min=lots&cf_nope=1"))
    errors = caught.value.message_dict
    assert set(errors) == {"kind", "created_from", "sort", "cf_budget_min", "cf_nope"}
    assert "YYYY-MM-DD" in errors["created_from"][0]
    assert "Budget" in errors["cf_budget_min"][0]
    lenient = filter_from_query(QueryDict("kind=robot&city=Shanghai"), strict=False)
    assert lenient.kind == "" and lenient.city == "Shanghai" and "kind" in lenient.errors


def test_errors_are_translated(world):
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        filter_from_query(QueryDict("created_from=nope"))
    message = caught.value.message_dict["created_from"][0]
    assert "YYYY-MM-DD" in message  # the format itself is not translated; the sentence is (when the catalogue has it)


def test_params_round_trip(world):
    _org, _made, t = world
    query = QueryDict(
        f"kind=company&owner=me&lifecycle_stage=active&lifecycle_stage=loyal&tags={t['vip'].pk}&tags_mode=all"
        "&created_from=2025-01-02&locked=no&gender=unknown&cf_budget_min=5&cf_grade=A&sort=-name&q=li"
    )
    first = filter_from_query(query)
    again = filter_from_query(QueryDict("&".join(f"{k}={v}" for k, v in filter_to_params(first))))
    assert again == first
    assert CustomerFilter().is_empty() and not first.is_empty()


def test_a_plain_dict_works_like_a_query_string(world):
    org, _made, _things = world
    assert names(org.admin, {"lifecycle_stage": ["active", "loyal"], "locked": "no"}) == {"beta"}
