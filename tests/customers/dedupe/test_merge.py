"""Merging two customers: everything moves, phones and emails are de-duplicated, chosen fields are kept, the merge
is recorded and audited, and nobody merges what they may not see."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from guanxi.audit.models import AuditEntry
from guanxi.core import crypto
from guanxi.customers.dedupe import services as dedupe_services
from guanxi.customers.dedupe.handlers import merge_handlers
from guanxi.customers.dedupe.services import customers_merge
from guanxi.customers.models import (
    Address,
    Consent,
    Contact,
    Customer,
    CustomerEmail,
    CustomerPhone,
    MergeRecord,
    OwnershipEvent,
)
from tests.factories_dedupe import (
    AddressFactory,
    ConsentFactory,
    ContactFactory,
    CustomerEmailFactory,
    CustomerPhoneFactory,
    KeyedCustomerFactory,
    OwnershipEventFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

PHONE_A, PHONE_B, PHONE_C = "+8613811110001", "+8613811110002", "+8613811110003"


@pytest.fixture
def pair(mergers):
    org = mergers
    survivor = KeyedCustomerFactory(
        owner=org.rep_a,
        kind=Customer.Kind.COMPANY,
        name="星辰科技",
        phone=PHONE_A,
        email="a@xingchen.cn",
        custom={"level": "A"},
        notes="老客户",
        province="上海市",
        city="上海市",
    )
    merged = KeyedCustomerFactory(
        owner=org.rep_a,
        kind=Customer.Kind.COMPANY,
        name="上海星辰科技有限公司",
        phone=PHONE_B,
        email="b@xingchen.cn",
        uscc="91310000MA1FL8XQ3X",
        custom={"level": "B", "region": "east"},
        notes="展会认识",
        province="浙江省",
        city="杭州市",
    )
    t1, t2 = TagFactory(name="VIP"), TagFactory(name="展会")
    survivor.tags.add(t1)
    merged.tags.add(t1, t2)
    AddressFactory(customer=survivor, is_primary=True, city="上海市")
    CustomerPhoneFactory(customer=merged, number=PHONE_A)  # the survivor's number again: dropped as a duplicate
    CustomerPhoneFactory(customer=merged, number=PHONE_C)
    CustomerEmailFactory(customer=merged, address="A@xingchen.cn")  # same address, other case: a duplicate
    contacts = ContactFactory.create_batch(2, customer=merged)
    address = AddressFactory(customer=merged, is_primary=True, city="杭州市")
    consent = ConsentFactory(customer=merged)
    event = OwnershipEventFactory(customer=merged)
    return org, survivor, merged, {"contacts": contacts, "address": address, "consent": consent, "event": event}


def test_merge_moves_everything_dedupes_and_keeps_the_chosen_fields(pair):
    org, survivor, merged, rows = pair
    merged_pk = merged.pk
    record = customers_merge(
        actor=org.rep_a, survivor=survivor, merged=merged, choices={"phone": "merged", "notes": "both"}
    )
    assert not Customer.objects.filter(pk=merged_pk).exists()
    survivor.refresh_from_db()
    # Related rows moved.
    assert set(Contact.objects.filter(customer=survivor).values_list("pk", flat=True)) == {
        c.pk for c in rows["contacts"]
    }
    assert Address.objects.filter(customer=survivor).count() == 2
    assert Address.objects.get(pk=rows["address"].pk).is_primary is False  # the kept one's address stays primary
    assert Consent.objects.get(pk=rows["consent"].pk).customer_id == survivor.pk
    assert OwnershipEvent.objects.get(pk=rows["event"].pk).customer_id == survivor.pk
    # Phones and emails: every distinct one once; the chosen phone is the primary.
    phones = CustomerPhone.objects.filter(customer=survivor)
    assert sorted(p.number for p in phones) == [PHONE_A, PHONE_B, PHONE_C]
    assert phones.get(is_primary=True).number == PHONE_B
    assert survivor.phone == PHONE_B and survivor.phone_digest == crypto.digest(PHONE_B)
    emails = CustomerEmail.objects.filter(customer=survivor)
    assert sorted(e.address.lower() for e in emails) == ["a@xingchen.cn", "b@xingchen.cn"]
    assert survivor.email == "a@xingchen.cn"
    # Fields: chosen, or filled where the kept customer had nothing; tags united; notes joined.
    assert survivor.name == "星辰科技"
    assert survivor.uscc == "91310000MA1FL8XQ3X"
    assert survivor.custom == {"level": "A", "region": "east"}
    assert set(survivor.tags.values_list("name", flat=True)) == {"VIP", "展会"}
    assert survivor.notes == "老客户\n\n展会认识"
    # The search keys cover the numbers that came along.
    assert survivor.phone_grams and survivor.search_text
    # The record holds what is needed to recreate the merged customer.
    assert record.survivor_id == survivor.pk and record.merged_id == merged_pk and record.actor == org.rep_a
    snapshot = record.merged_snapshot
    assert snapshot["name"] == "上海星辰科技有限公司"
    assert PHONE_B not in str(snapshot) and crypto.decrypt(snapshot["phone"]) == PHONE_B
    assert sorted(snapshot["related"]["contacts"]) == sorted(c.pk for c in rows["contacts"])
    assert [crypto.decrypt(r["number"]) for r in snapshot["related"]["phones_removed"]] == [PHONE_A]
    assert snapshot["tags"] and snapshot["choices"]["phone"] == "merged"
    assert record.survivor_before["name"] == "星辰科技" and crypto.decrypt(record.survivor_before["phone"]) == PHONE_A
    assert record.moved["contacts"] == 2 and record.moved["phones"] == 1 and record.moved["phones_deduplicated"] == 1
    assert record.moved["phones_added"] == 1  # PHONE_B was only on the merged customer itself
    assert record.moved["emails_deduplicated"] == 1 and record.moved["tags_added"] == 1
    # Audit and ownership history.
    deleted = AuditEntry.objects.get(object_type="customers.customer", object_id=str(merged_pk))
    assert deleted.action == AuditEntry.Action.DELETE and f"#{survivor.pk}" in deleted.detail
    assert deleted.changes["phone"] == ["***", "***"]
    updated = AuditEntry.objects.get(object_id=str(survivor.pk), action=AuditEntry.Action.UPDATE)
    assert f"merge #{record.pk}" in updated.detail and "uscc" in updated.changes
    event = OwnershipEvent.objects.get(customer=survivor, kind=OwnershipEvent.Kind.MERGE)
    assert event.actor == org.rep_a and str(merged_pk) in event.reason


def test_the_default_keeps_the_survivors_values(pair):
    org, survivor, merged, _rows = pair
    customers_merge(actor=org.rep_a, survivor=survivor, merged=merged, choices={})
    survivor.refresh_from_db()
    assert survivor.phone == PHONE_A and survivor.notes == "老客户"
    assert CustomerPhone.objects.get(customer=survivor, is_primary=True).number == PHONE_A


def test_taking_the_other_region_makes_its_address_primary(pair):
    org, survivor, merged, rows = pair
    customers_merge(actor=org.rep_a, survivor=survivor, merged=merged, choices={"region": "merged", "name": "merged"})
    survivor.refresh_from_db()
    assert survivor.city == "杭州市" and survivor.name == "上海星辰科技有限公司"
    assert Address.objects.get(customer=survivor, is_primary=True).pk == rows["address"].pk


def test_an_earlier_merge_record_follows_the_survivor(pair):
    org, survivor, merged, _rows = pair
    old = MergeRecord.objects.create(survivor=merged, merged_id=999999)
    customers_merge(actor=org.rep_a, survivor=survivor, merged=merged, choices={})
    old.refresh_from_db()
    assert old.survivor_id == survivor.pk


def test_other_apps_handlers_run_inside_the_merge(pair):
    org, survivor, merged, _rows = pair
    calls = []

    def handler(kept, gone, actor):  # type: ignore[no-untyped-def]
        calls.append((kept.pk, gone.pk, actor.pk, Customer.objects.filter(pk=gone.pk).exists()))
        return {"widgets": 3}

    merge_handlers.append(handler)
    try:
        record = customers_merge(actor=org.rep_a, survivor=survivor, merged=merged, choices={})
    finally:
        merge_handlers.remove(handler)
    assert calls == [(survivor.pk, merged.pk, org.rep_a.pk, True)]
    assert record.moved["widgets"] == 3


def test_rows_of_models_without_a_handler_are_swept_along(pair, monkeypatch):
    """A model pointing at customers that nobody handles (here: consents, taken off the merge's own list)."""
    org, survivor, merged, rows = pair
    monkeypatch.setattr(dedupe_services, "_OWN_RELATIONS", dedupe_services._OWN_RELATIONS - {Consent})
    monkeypatch.setattr(dedupe_services, "_MOVES", tuple(m for m in dedupe_services._MOVES if m[1] is not Consent))
    record = customers_merge(actor=org.rep_a, survivor=survivor, merged=merged, choices={})
    assert Consent.objects.get(pk=rows["consent"].pk).customer_id == survivor.pk
    assert record.moved["customers.consent"] == 1
    assert record.merged_snapshot["related"]["customers.consent"] == [rows["consent"].pk]


def test_a_failing_handler_undoes_the_whole_merge(pair):
    org, survivor, merged, _rows = pair

    def broken(kept, gone, actor):  # type: ignore[no-untyped-def]
        Contact.objects.filter(customer=gone).update(customer=kept)
        raise ValidationError("no")

    merge_handlers.append(broken)
    try:
        with pytest.raises(ValidationError):
            customers_merge(actor=org.rep_a, survivor=survivor, merged=merged, choices={})
    finally:
        merge_handlers.remove(broken)
    assert Customer.objects.filter(pk=merged.pk).exists()
    assert Contact.objects.filter(customer=merged).count() == 2
    assert not MergeRecord.objects.exists()


def test_out_of_scope_customers_cannot_be_merged(mergers):
    org = mergers
    mine = KeyedCustomerFactory(owner=org.rep_a, name="甲")
    theirs = KeyedCustomerFactory(owner=org.rep_b, name="乙")
    ContactFactory(customer=theirs)
    for survivor, merged in ((mine, theirs), (theirs, mine)):
        with pytest.raises(Http404):
            customers_merge(actor=org.rep_a, survivor=survivor, merged=merged, choices={})
    assert Customer.objects.filter(pk__in=[mine.pk, theirs.pk]).count() == 2
    assert Contact.objects.get().customer_id == theirs.pk
    assert not MergeRecord.objects.exists() and not AuditEntry.objects.filter(action="delete").exists()
    # The head of Sales sees both and may merge them.
    customers_merge(actor=org.sales_head, survivor=mine, merged=theirs, choices={})
    assert not Customer.objects.filter(pk=theirs.pk).exists()


def test_same_customer_unknown_choices_and_missing_permission_are_refused(mergers):
    org = mergers
    a = KeyedCustomerFactory(owner=org.rep_a)
    b = KeyedCustomerFactory(owner=org.rep_a)
    with pytest.raises(ValidationError) as exc:
        customers_merge(actor=org.rep_a, survivor=a, merged=a, choices={})
    assert "merged" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        customers_merge(actor=org.rep_a, survivor=a, merged=b, choices={"password": "merged", "name": "mine"})
    assert len(exc.value.message_dict["choices"]) == 2
    with pytest.raises(PermissionDenied):
        customers_merge(actor=org.lead, survivor=a, merged=b, choices={})  # lead sees both but may not merge
    assert Customer.objects.filter(pk__in=[a.pk, b.pk]).count() == 2
