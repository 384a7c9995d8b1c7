"""The customer record's services: profile fields, primary phone/email/address mirroring, tags, custom fields,
consent history, the USCC duplicate key."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from guanxi.audit.models import AuditEntry
from guanxi.core import crypto
from guanxi.customers import services
from guanxi.customers.customfields import validate_custom_values
from guanxi.customers.models import Address, Contact, Customer, CustomerPhone, CustomFieldDefinition, Tag
from guanxi.customers.profile import selectors as profile_selectors
from guanxi.customers.profile import services as profile_services
from guanxi.customers.search.keys import query_grams
from guanxi.customers.services import CustomerInput
from tests.factories import CustomerFactory
from tests.factories_profile import AddressFactory, ContactFactory, CustomFieldFactory

pytestmark = pytest.mark.django_db

USCC = "91350100M000100Y43"


def _company(org, **kwargs):
    return services.customer_create(
        actor=org.rep_a, data=CustomerInput(name=kwargs.pop("name", "星辰科技有限公司"), kind="company", **kwargs)
    )


# --- profile fields ---------------------------------------------------------------------------------------------------
def test_full_profile_is_saved_and_audited(org):
    customer = services.customer_create(
        actor=org.rep_a,
        data=CustomerInput(
            name="张三",
            gender="male",
            birthday=dt.date(1990, 5, 1),
            lunar_birth_month=4,
            lunar_birth_day=7,
            lunar_birth_leap=True,
            source="referral",
            lifecycle_stage="active",
            notes="Prefers WeChat",
            id_number="11010519491231002x",
            tags=["VIP", "vip", " 华东 "],
        ),
    )
    customer.refresh_from_db()
    assert (customer.gender, customer.birthday, customer.lunar_birth_month, customer.lunar_birth_day) == (
        "male",
        dt.date(1990, 5, 1),
        4,
        7,
    )
    assert customer.lunar_birth_leap and customer.lifecycle_stage == "active" and customer.source == "referral"
    assert customer.id_number == "11010519491231002X"
    assert customer.id_number_digest == crypto.digest("11010519491231002X")
    assert sorted(t.name for t in customer.tags.all()) == ["VIP", "华东"]
    entry = AuditEntry.objects.get(action="create", object_type="customers.customer", object_id=str(customer.pk))
    assert entry.changes["id_number"] == ["***", "***"]  # personal data never in the log
    assert entry.changes["lifecycle_stage"] == [None, "active"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"lunar_birth_month": 13, "lunar_birth_day": 1}, "lunar_birth_month"),
        ({"lunar_birth_month": 2, "lunar_birth_day": 31}, "lunar_birth_day"),
        ({"lunar_birth_month": 2}, "lunar_birth_day"),
        ({"lunar_birth_leap": True}, "lunar_birth_leap"),
        ({"birthday": dt.date(2999, 1, 1)}, "birthday"),
        ({"gender": "robot"}, "gender"),
        ({"lifecycle_stage": "asleep"}, "lifecycle_stage"),
        ({"source": "pigeon"}, "source"),
        ({"id_number": "110105194912310021"}, "id_number"),
        ({"uscc": USCC}, "uscc"),  # a person has no credit code
        ({"tags": ["x" * 51]}, "tags"),
    ],
)
def test_bad_profile_values_name_the_field(org, changes, field):
    with pytest.raises(ValidationError) as exc:
        services.customer_create(actor=org.rep_a, data=CustomerInput(name="李四", **changes))
    assert field in exc.value.message_dict
    assert not Customer.objects.exists() and not Tag.objects.exists()


def test_update_keeps_masked_id_number_unless_given(org):
    customer = services.customer_create(actor=org.rep_a, data=CustomerInput(name="A", id_number="E12345678"))
    services.customer_update(actor=org.rep_a, customer=customer, data=CustomerInput.from_customer(customer, notes="x"))
    customer.refresh_from_db()
    assert customer.id_number == "E12345678"
    services.customer_update(
        actor=org.rep_a, customer=customer, data=CustomerInput.from_customer(customer, id_number="")
    )
    customer.refresh_from_db()
    assert customer.id_number == "" and customer.id_number_digest == ""


# --- USCC -------------------------------------------------------------------------------------------------------------
def test_uscc_is_normalised_and_unique_across_all_owners(org):
    first = _company(org, uscc="91350100m000100y43")
    assert first.uscc == USCC
    with pytest.raises(ValidationError) as exc:
        services.customer_create(
            actor=org.rep_b, data=CustomerInput(name="Another name", kind="company", uscc=USCC)
        )  # rep_b cannot see rep_a's customer, but the code is still taken
    assert "unified social credit code" in exc.value.message_dict["uscc"][0]
    assert Customer.objects.count() == 1
    # Saving the holder itself again is fine.
    services.customer_update(actor=org.rep_a, customer=first, data=CustomerInput.from_customer(first, notes="n"))


def test_uscc_with_a_wrong_check_character_is_refused(org):
    with pytest.raises(ValidationError) as exc:
        _company(org, uscc="91350100M000100Y44")
    assert "last character" in exc.value.message_dict["uscc"][0]


# --- phones and emails ------------------------------------------------------------------------------------------------
def test_primary_phone_and_email_are_mirrored_with_search_keys_over_all_numbers(org):
    customer = services.customer_create(
        actor=org.rep_a, data=CustomerInput(name="王五", phone="13812345678", email="wang@example.com")
    )
    second = profile_services.phone_add(actor=org.rep_a, customer=customer, number="021-6888 1234", label="office")
    customer.refresh_from_db()
    assert customer.phone == "+8613812345678"  # still the primary
    assert customer.phone_digest == crypto.digest("+8613812345678")
    grams = set(customer.phone_grams.split())
    assert set(query_grams("68881234")) <= grams and set(query_grams("12345678")) <= grams
    profile_services.phone_update(actor=org.rep_a, phone=second, number=None, label="office", primary=True)
    customer.refresh_from_db()
    assert customer.phone == "+862168881234"
    assert list(CustomerPhone.objects.filter(customer=customer, is_primary=True)) == [second]
    profile_services.phone_remove(actor=org.rep_a, phone=second)
    customer.refresh_from_db()
    assert customer.phone == "+8613812345678"  # the remaining number became primary
    assert CustomerPhone.objects.get(customer=customer).is_primary
    profile_services.email_add(actor=org.rep_a, customer=customer, address="wang@work.example.com", primary=True)
    customer.refresh_from_db()
    assert customer.email == "wang@work.example.com"
    assert customer.email_digest == crypto.digest("wang@work.example.com")


def test_duplicate_and_bad_numbers_name_the_field(org):
    customer = services.customer_create(actor=org.rep_a, data=CustomerInput(name="A", phone="13812345678"))
    with pytest.raises(ValidationError) as exc:
        profile_services.phone_add(actor=org.rep_a, customer=customer, number="138 1234 5678")
    assert "already has this phone number" in exc.value.message_dict["number"][0]
    with pytest.raises(ValidationError) as exc:
        profile_services.phone_add(actor=org.rep_a, customer=customer, number="12")
    assert "number" in exc.value.message_dict


def test_customers_without_channel_rows_keep_their_number(org):
    legacy = CustomerFactory(owner=org.rep_a, phone="+8613911112222")  # written by a bulk path: no phone rows
    profile_services.email_add(actor=org.rep_a, customer=legacy, address="a@example.com")
    legacy.refresh_from_db()
    assert legacy.phone == "+8613911112222"
    assert CustomerPhone.objects.get(customer=legacy).number == "+8613911112222"


def test_replacing_all_phones_at_once_names_the_bad_row(org):
    customer = services.customer_create(actor=org.rep_a, data=CustomerInput(name="A", phone="13812345678"))
    rows = [{"number": "13900001111"}, {"number": "bad"}]
    with pytest.raises(ValidationError) as exc:
        services.customer_update(
            actor=org.rep_a, customer=customer, data=CustomerInput.from_customer(customer, phones=rows)
        )
    assert list(exc.value.message_dict) == ["phones.1"] and "Row 2" in exc.value.message_dict["phones.1"][0]
    rows = [{"number": "13900001111"}, {"number": "13900002222", "is_primary": True}]
    services.customer_update(
        actor=org.rep_a, customer=customer, data=CustomerInput.from_customer(customer, phones=rows)
    )
    customer.refresh_from_db()
    assert customer.phone == "+8613900002222"
    assert sorted(CustomerPhone.objects.filter(customer=customer).values_list("number", flat=True)) == [
        "+8613900001111",
        "+8613900002222",
    ]


# --- addresses and contacts -------------------------------------------------------------------------------------------
def test_primary_address_is_mirrored(org):
    customer = CustomerFactory(owner=org.rep_a)
    first = profile_services.address_create(
        actor=org.rep_a,
        customer=customer,
        data=profile_services.AddressInput(province="广东省", city="深圳市", district="南山区", line="科技园1号"),
    )
    customer.refresh_from_db()
    assert first.is_primary and (customer.province, customer.city) == ("广东省", "深圳市")
    second = profile_services.address_create(
        actor=org.rep_a,
        customer=customer,
        data=profile_services.AddressInput(province="上海市", city="上海市", is_primary=True),
    )
    customer.refresh_from_db()
    assert customer.city == "上海市"
    assert list(Address.objects.filter(customer=customer, is_primary=True)) == [second]
    profile_services.address_delete(actor=org.rep_a, address=second)
    customer.refresh_from_db()
    assert customer.city == "深圳市"
    with pytest.raises(ValidationError) as exc:
        profile_services.address_create(
            actor=org.rep_a, customer=customer, data=profile_services.AddressInput(province="", city="")
        )
    assert "province" in exc.value.message_dict
    abroad = profile_services.address_create(
        actor=org.rep_a, customer=customer, data=profile_services.AddressInput(country="us", line="1 Market St")
    )
    assert abroad.country == "US"


def test_contacts_have_one_primary_and_search_keys(org):
    customer = CustomerFactory(owner=org.rep_a, kind="company")
    first = profile_services.contact_create(
        actor=org.rep_a, customer=customer, data=profile_services.ContactInput(name="张三", phone="13812345678")
    )
    assert first.is_primary and first.name_pinyin == "zhangsan" and first.name_initials == "zs"
    assert first.phone_digest == crypto.digest("+8613812345678")
    second = profile_services.contact_create(
        actor=org.rep_a,
        customer=customer,
        data=profile_services.ContactInput(name="李四", role="decision_maker", is_primary=True),
    )
    assert list(Contact.objects.filter(customer=customer, is_primary=True)) == [second]
    profile_services.contact_update(
        actor=org.rep_a, contact=first, data=profile_services.ContactInput(name="张三", title="CTO", phone=None)
    )
    first.refresh_from_db()
    assert first.phone == "+8613812345678" and first.title == "CTO"  # None kept the masked phone
    with pytest.raises(ValidationError) as exc:
        profile_services.contact_create(
            actor=org.rep_a, customer=customer, data=profile_services.ContactInput(name="", email="nope")
        )
    assert set(exc.value.message_dict) == {"name", "email"}


def test_related_writes_outside_the_scope_are_not_found(org):
    theirs = ContactFactory(customer=CustomerFactory(owner=org.rep_b))
    with pytest.raises(Http404):
        profile_services.contact_update(actor=org.rep_a, contact=theirs, data=profile_services.ContactInput(name="x"))
    address = AddressFactory(customer=CustomerFactory(owner=org.rep_b))
    with pytest.raises(Http404):
        profile_services.address_delete(actor=org.rep_a, address=address)
    with pytest.raises(PermissionDenied):
        profile_services.tag_add(actor=org.viewer, customer=theirs.customer, name="x")
    assert Address.objects.filter(pk=address.pk).exists()


# --- custom fields ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("type_", "choices", "good", "stored", "bad"),
    [
        ("text", [], " hello ", "hello", "x" * 1001),
        ("number", [], "1,200.50", 1200.5, "twelve"),
        ("number", [], 7, 7, True),
        ("date", [], "2025-03-31", "2025-03-31", "31/03/2025"),
        ("choice", ["gold", "silver"], "gold", "gold", "bronze"),
        ("multi_choice", ["a", "b", "c"], ["c", "a", "c"], ["a", "c"], ["a", "z"]),
        ("boolean", [], "yes", True, "perhaps"),
    ],
)
def test_custom_values_are_checked_by_type(type_, choices, good, stored, bad, db):
    definition = CustomFieldFactory(key="level", label="Contract level", type=type_, choices=choices)
    assert validate_custom_values([definition], {"level": good}) == {"level": stored}
    with pytest.raises(ValidationError) as exc:
        validate_custom_values([definition], {"level": bad})
    assert "Contract level" in exc.value.message_dict["level"][0]


def test_custom_fields_required_unknown_and_partial_updates(org):
    CustomFieldFactory(key="level", label="Contract level", type="choice", choices=["gold", "silver"], required=True)
    CustomFieldFactory(key="stores", label="Stores", type="number")
    CustomFieldFactory(key="old", label="Retired", type="text", active=False)
    with pytest.raises(ValidationError) as exc:
        services.customer_create(actor=org.rep_a, data=CustomerInput(name="A", custom={"stores": "x", "nope": 1}))
    assert set(exc.value.message_dict) == {"custom.level", "custom.stores", "custom.nope"}
    assert "Contract level" in exc.value.message_dict["custom.level"][0]
    customer = services.customer_create(
        actor=org.rep_a, data=CustomerInput(name="A", custom={"level": "gold", "stores": "3"})
    )
    Customer.objects.filter(pk=customer.pk).update(custom={**customer.custom, "old": "kept"})
    customer.refresh_from_db()
    services.customer_update(
        actor=org.rep_a, customer=customer, data=CustomerInput.from_customer(customer, custom={"stores": None})
    )
    customer.refresh_from_db()
    assert customer.custom == {"level": "gold", "old": "kept"}  # only the key sent changed; retired values stay
    entry = AuditEntry.objects.filter(action="update", object_id=str(customer.pk)).latest("id")
    assert entry.changes["custom"][1] == {"level": "gold", "old": "kept"}


def test_field_definitions_need_the_permission_and_keep_key_and_type(org):
    with pytest.raises(PermissionDenied):
        profile_services.custom_field_create(
            actor=org.rep_a, data=profile_services.FieldDefinitionInput(key="level", label="Level")
        )
    definition = profile_services.custom_field_create(
        actor=org.admin,
        data=profile_services.FieldDefinitionInput(key="level", label="Level", type="choice", choices=["a", " a", "b"]),
    )
    assert definition.choices == ["a", "b"]
    with pytest.raises(ValidationError) as exc:
        profile_services.custom_field_update(
            actor=org.admin,
            definition=definition,
            data=profile_services.FieldDefinitionInput(key="level", label="Level", type="number"),
        )
    assert "type" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        profile_services.custom_field_create(
            actor=org.admin, data=profile_services.FieldDefinitionInput(key="pick", label="Pick", type="choice")
        )
    assert "choices" in exc.value.message_dict
    assert CustomFieldDefinition.objects.count() == 1


# --- consent ----------------------------------------------------------------------------------------------------------
def test_consent_is_an_append_only_history_with_a_current_state(org):
    customer = CustomerFactory(owner=org.rep_a)
    now = timezone.now()
    for status, minutes, channel in (("granted", 30, "sms"), ("withdrawn", 10, "sms"), ("granted", 20, "email")):
        profile_services.consent_record(
            actor=org.rep_a,
            customer=customer,
            data=profile_services.ConsentInput(
                purpose="marketing", channel=channel, status=status, recorded_at=now - dt.timedelta(minutes=minutes)
            ),
        )
    history = profile_selectors.consents_of(actor=org.rep_a, customer_id=customer.pk)
    assert len(history) == 3
    current = {(c.purpose, c.channel): c.status for c in profile_selectors.consent_current(history)}
    assert current == {("marketing", "sms"): "withdrawn", ("marketing", "email"): "granted"}
    assert AuditEntry.objects.filter(object_type="customers.consent", action="create").count() == 3
    with pytest.raises(ValidationError) as exc:
        profile_services.consent_record(
            actor=org.rep_a,
            customer=customer,
            data=profile_services.ConsentInput(
                purpose="spam", status="granted", recorded_at=now + dt.timedelta(days=1)
            ),
        )
    assert set(exc.value.message_dict) == {"purpose", "recorded_at"}
