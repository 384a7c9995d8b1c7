"""The 360 page: header, panels and actions from the registry, one merged timeline with paging, in-place edits,
masking and reveal, the custom-field admin, and a query count that does not grow with the record."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guanxi.audit.models import AuditEntry
from guanxi.core.registry import TimelineEntry, registry
from guanxi.customers.models import Contact, Customer, CustomFieldDefinition
from tests.conftest import login
from tests.factories import CustomerFactory, RoleFactory, UserFactory
from tests.factories_profile import AddressFactory, ConsentFactory, ContactFactory, CustomFieldFactory

pytestmark = pytest.mark.django_db
BASE = timezone.now().replace(microsecond=0)


def _calls(customer, kinds, before, limit):
    if kinds is not None and "call" not in kinds:
        return []
    entries = [
        TimelineEntry(at=BASE - dt.timedelta(hours=2 * i), kind="call", title=f"Call {i}", key=f"call:{i}")
        for i in range(25)
    ]
    return [e for e in entries if before is None or e.at < before][:limit]


@pytest.fixture
def contributed():
    """A timeline provider, a panel and an action registered the way another app would (and removed afterwards)."""

    def provider(actor, customer, kinds, before, limit):
        return _calls(customer, kinds, before, limit)

    def panel(request, customer):
        return {
            "title": "Open follow-ups",
            "template": "customers/_revealed.html",
            "context": {"value": "PANEL-42", "field": "x"},
            "column": "right",
        }

    def action(request, customer):
        return [{"label": "Log a call", "url": f"/interactions/new/?customer={customer.pk}", "hx": True}]

    registry.timeline_providers.append(provider)
    kinds_before = dict(registry.timeline_kinds)
    registry.timeline_kinds["call"] = "Calls"
    registry.customer_panels.append(panel)
    registry.customer_actions.append(action)
    yield
    registry.timeline_providers.remove(provider)
    registry.timeline_kinds.clear()
    registry.timeline_kinds.update(kinds_before)
    registry.customer_panels.remove(panel)
    registry.customer_actions.remove(action)


def _keys(body: str) -> list[str]:
    return re.findall(r'data-entry-key="([^"]+)"', body)


def test_360_page_shows_header_panels_actions_and_one_merged_timeline(client, org, contributed):
    customer = CustomerFactory(owner=org.rep_a, phone="+8613812345678", lifecycle_stage="loyal")
    ConsentFactory(customer=customer, recorded_at=BASE - dt.timedelta(hours=3))  # between call 1 and call 2
    ContactFactory(customer=customer, name="联系人甲")
    login(client, org.rep_a)
    body = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert 'data-badge="lifecycle">Loyal' in body
    assert "PANEL-42" in body and 'data-panel="right"' in body
    assert "Log a call" in body and 'hx-get="/interactions/new/?customer=' in body
    assert "138****5678" in body and "13812345678" not in body
    assert 'data-key-number="contacts">1<' in body and "联系人甲" in body
    keys = _keys(body)
    assert keys[:4] == ["call:0", "call:1", "consent:" + str(customer.consents.get().pk), "call:2"]
    assert len(keys) == 20  # one page
    assert 'hx-trigger="revealed"' in body and 'data-kind="call"' in body


def test_timeline_pages_by_time_and_filters_by_kind(client, org, contributed):
    customer = CustomerFactory(owner=org.rep_a)
    consent = ConsentFactory(customer=customer, recorded_at=BASE - dt.timedelta(hours=41))
    login(client, org.rep_a)
    url = reverse("customers:timeline", args=[customer.pk])
    first = client.get(url).content.decode()
    more = re.search(r'hx-get="([^"]+before=[^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get(more).content.decode()
    seen = _keys(first) + _keys(second)
    assert len(seen) == len(set(seen)) == 26  # 25 calls + 1 consent, none twice, none lost
    assert f"consent:{consent.pk}" in _keys(second)
    assert "hx-trigger" not in second  # the last page has no sentinel
    only_consent = client.get(url, {"kind": "consent"}).content.decode()
    assert _keys(only_consent) == [f"consent:{consent.pk}"]
    assert client.get(url, {"before": "yesterday"}).status_code == 400


def test_360_page_query_count_does_not_grow_with_the_record(client, org, contributed):
    login(client, org.rep_a)
    client.get(reverse("core:home"))  # once-per-session work
    small = CustomerFactory(owner=org.rep_a)
    ContactFactory(customer=small)
    AddressFactory(customer=small)
    big = CustomerFactory(owner=org.rep_a)
    ContactFactory.create_batch(12, customer=big)
    AddressFactory.create_batch(6, customer=big)
    ConsentFactory.create_batch(30, customer=big)
    big.tags.create(name="A")
    big.tags.create(name="B")

    def count(customer: Customer) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("customers:detail", args=[customer.pk])).status_code == 200
        return len(ctx.captured_queries)

    assert count(small) == count(big)


def test_in_place_contact_add_edit_remove(client, org):
    customer = CustomerFactory(owner=org.rep_a, kind="company")
    login(client, org.rep_a)
    url = reverse("customers:contact_create", args=[customer.pk])
    form = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="contacts-form"' in form and "<html" not in form
    bad = client.post(url, {"name": "", "email": "nope"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422 and bad["HX-Retarget"] == "#contacts-form"
    assert 'data-field-error="name"' in bad.content.decode() and 'value="nope"' in bad.content.decode()
    ok = client.post(url, {"name": "赵六", "phone": "13812345678", "role": "purchaser"}, HTTP_HX_REQUEST="true")
    assert ok.status_code == 200 and 'id="contacts-section"' in ok.content.decode() and "赵六" in ok.content.decode()
    contact = Contact.objects.get(customer=customer)
    edit = client.post(
        reverse("customers:contact_edit", args=[contact.pk]),
        {"name": "赵六", "title": "采购经理"},
        HTTP_HX_REQUEST="true",
    )
    assert edit.status_code == 200
    contact.refresh_from_db()
    assert (
        contact.title == "采购经理" and contact.phone == ""
    )  # rep_a may reveal, so the form showed the phone; it was cleared
    removed = client.post(reverse("customers:contact_delete", args=[contact.pk]))
    assert removed.status_code == 302 and not Contact.objects.filter(pk=contact.pk).exists()


def test_in_place_phone_address_tag_and_consent(client, org):
    customer = CustomerFactory(owner=org.rep_a, phone="+8613812345678")
    login(client, org.rep_a)
    htmx = {"HTTP_HX_REQUEST": "true"}
    response = client.post(
        reverse("customers:phone_create", args=[customer.pk]), {"number": "13900001111", "is_primary": "on"}, **htmx
    )
    assert response.status_code == 200 and "139****1111" in response.content.decode()
    customer.refresh_from_db()
    assert customer.phone == "+8613900001111"
    response = client.post(
        reverse("customers:address_create", args=[customer.pk]),
        {"kind": "office", "country": "CN", "province": "浙江省", "city": "杭州市", "line": "文三路100号"},
        **htmx,
    )
    assert response.status_code == 200 and "文三路100号" not in response.content.decode()
    customer.refresh_from_db()
    assert customer.city == "杭州市"
    response = client.post(reverse("customers:tag_add", args=[customer.pk]), {"name": "重点客户"}, **htmx)
    assert 'data-tag="重点客户"' in response.content.decode()
    tag = customer.tags.get()
    response = client.post(reverse("customers:tag_remove", args=[customer.pk, tag.pk]), **htmx)
    assert not customer.tags.exists()
    response = client.post(
        reverse("customers:consent_create", args=[customer.pk]),
        {"purpose": "marketing", "channel": "sms", "status": "granted", "evidence": "signed form"},
        **htmx,
    )
    assert 'data-consent="marketing:sms" data-status="granted"' in response.content.decode()


def test_customer_form_edits_profile_and_custom_fields(client, org):
    CustomFieldFactory(key="level", label="Contract level", type="choice", choices=["gold", "silver"])
    CustomFieldFactory(key="vip", label="VIP", type="boolean")
    login(client, org.rep_a)
    data = {"kind": "company", "name": "星辰科技", "uscc": "91350100M000100Y44", "custom_level": "gold", "tags": "A, B"}
    response = client.post(reverse("customers:create"), data)
    assert response.status_code == 422
    body = response.content.decode()
    assert 'data-field-error="uscc"' in body and 'value="星辰科技"' in body
    data["uscc"] = "91350100M000100Y43"
    data["custom_vip"] = "true"
    data["lifecycle_stage"] = "new"
    assert client.post(reverse("customers:create"), data).status_code == 302
    customer = Customer.objects.get()
    assert customer.custom == {"level": "gold", "vip": True} and customer.lifecycle_stage == "new"
    assert sorted(customer.tags.values_list("name", flat=True)) == ["A", "B"]
    detail = client.get(customer.get_absolute_url()).content.decode()
    assert 'data-custom="level">gold' in detail and "91350100M000100Y43" in detail
    edit = client.post(reverse("customers:edit", args=[customer.pk]), {**data, "custom_level": "bronze"})
    assert edit.status_code == 422 and 'data-field-error="custom_level"' in edit.content.decode()


def test_reveal_of_id_number_address_and_contact_is_audited_and_needs_permission(client, org):
    customer = CustomerFactory(owner=org.rep_a, id_number="11010519491231002X")
    address = AddressFactory(customer=customer, line="世纪大道88号")
    contact = ContactFactory(customer=customer, phone="+8613811112222")
    login(client, org.rep_a)
    body = client.get(customer.get_absolute_url()).content.decode()
    assert "11010519491231002X" not in body and "110105********002X" in body
    assert "世纪大道88号" not in body and "138****2222" in body
    assert (
        "11010519491231002X"
        in client.post(reverse("customers:reveal", args=[customer.pk, "id_number"])).content.decode()
    )
    response = client.post(reverse("customers:reveal", args=[customer.pk, "address"]), {"item": address.pk})
    assert "世纪大道88号" in response.content.decode()
    response = client.post(reverse("customers:contact_reveal", args=[contact.pk, "phone"]))
    assert "+8613811112222" in response.content.decode()
    details = set(AuditEntry.objects.filter(action="reveal").values_list("object_type", "detail"))
    assert details == {
        ("customers.customer", "id_number"),
        ("customers.customer", f"address #{address.pk}"),
        ("customers.contact", "phone"),
    }
    looker = UserFactory(
        username="looker",
        roles=[
            RoleFactory(
                name="looker", permissions=["customers.view", "customers.change"], data_scopes={"customers": "all"}
            )
        ],
    )
    login(client, looker)
    assert client.post(reverse("customers:contact_reveal", args=[contact.pk, "phone"])).status_code == 403
    edit = client.get(reverse("customers:contact_edit", args=[contact.pk])).content.decode()
    assert "8613811112222" not in edit and "138****2222" in edit  # the form does not leak masked data
    client.post(reverse("customers:contact_edit", args=[contact.pk]), {"name": contact.name, "title": "new"})
    contact.refresh_from_db()
    assert contact.phone == "+8613811112222" and contact.title == "new"  # empty kept the value it could not see
    assert AuditEntry.objects.filter(action="reveal").count() == 3


def test_custom_field_admin_needs_its_permission(client, org):
    login(client, org.rep_a)
    assert client.get(reverse("customers:field_list")).status_code == 403
    login(client, org.admin)
    response = client.post(
        reverse("customers:field_create"),
        {
            "key": "level",
            "label": "Contract level",
            "type": "choice",
            "choices": "gold\nsilver",
            "order": 1,
            "active": "on",
        },
    )
    assert response.status_code == 302
    definition = CustomFieldDefinition.objects.get()
    assert definition.choices == ["gold", "silver"]
    page = client.get(reverse("customers:field_list")).content.decode()
    assert 'data-field-key="level"' in page
    bad = client.post(reverse("customers:field_create"), {"key": "level", "label": "Again", "type": "text", "order": 0})
    assert bad.status_code == 422 and 'data-field-error="key"' in bad.content.decode()
