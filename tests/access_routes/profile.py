"""Access-matrix entries of the customer record and its 360 page (customers.profile)."""

from __future__ import annotations

from tests.access_specs import ListRoute, ObjectRoute, SearchRoute
from tests.factories_profile import make_address, make_contact, make_email, make_phone

SCOPED: dict[str, ListRoute | ObjectRoute | SearchRoute] = {
    # pages and htmx fragments
    "customers:timeline": ObjectRoute("get", "pk", (200,)),
    "customers:contact_create": ObjectRoute("get", "pk", (200,)),
    "customers:contact_edit": ObjectRoute("get", "contact_id", (200,), make=make_contact),
    "customers:contact_delete": ObjectRoute("post", "contact_id", (302,), make=make_contact),
    "customers:contact_reveal": ObjectRoute("post", "contact_id", (200,), extra={"field": "phone"}, make=make_contact),
    "customers:phone_create": ObjectRoute("get", "pk", (200,)),
    "customers:phone_edit": ObjectRoute("get", "phone_id", (200,), make=make_phone),
    "customers:phone_delete": ObjectRoute("post", "phone_id", (302,), make=make_phone),
    "customers:email_create": ObjectRoute("get", "pk", (200,)),
    "customers:email_edit": ObjectRoute("get", "email_id", (200,), make=make_email),
    "customers:email_delete": ObjectRoute("post", "email_id", (302,), make=make_email),
    "customers:address_create": ObjectRoute("get", "pk", (200,)),
    "customers:address_edit": ObjectRoute("get", "address_id", (200,), make=make_address),
    "customers:address_delete": ObjectRoute("post", "address_id", (302,), make=make_address),
    "customers:tag_add": ObjectRoute("post", "pk", (302,), form={"name": "VIP"}),
    "customers:tag_remove": ObjectRoute("post", "pk", (302,), extra={"tag_id": "1"}),
    "customers:consent_create": ObjectRoute("get", "pk", (200,)),
    # API
    "api-1:customer_contacts": ObjectRoute("get", "customer_id", (200,), api=True),
    "api-1:contact_create": ObjectRoute("post", "customer_id", (201,), body={"name": "王五"}, api=True),
    "api-1:contact_detail": ObjectRoute("get", "contact_id", (200,), api=True, make=make_contact),
    "api-1:contact_update": ObjectRoute(
        "patch", "contact_id", (200,), body={"title": "CEO"}, api=True, make=make_contact
    ),
    "api-1:contact_delete": ObjectRoute("delete", "contact_id", (204,), api=True, make=make_contact),
    "api-1:contact_reveal": ObjectRoute(
        "post", "contact_id", (200,), body={"field": "phone"}, api=True, make=make_contact
    ),
    "api-1:customer_addresses": ObjectRoute("get", "customer_id", (200,), api=True),
    "api-1:address_create": ObjectRoute(
        "post", "customer_id", (201,), body={"province": "上海市", "city": "上海市", "line": "世纪大道1号"}, api=True
    ),
    "api-1:address_update": ObjectRoute(
        "patch", "address_id", (200,), body={"district": "徐汇区"}, api=True, make=make_address
    ),
    "api-1:address_delete": ObjectRoute("delete", "address_id", (204,), api=True, make=make_address),
    "api-1:customer_consents": ObjectRoute("get", "customer_id", (200,), api=True),
    "api-1:consent_create": ObjectRoute(
        "post", "customer_id", (201,), body={"purpose": "marketing", "status": "granted"}, api=True
    ),
}

UNSCOPED: dict[str, str] = {
    "customers:field_list": "custom-field definitions, requires customers.manage_fields; no customer records",
    "customers:field_create": "custom-field definitions, requires customers.manage_fields; no customer records",
    "customers:field_edit": "custom-field definitions, requires customers.manage_fields; no customer records",
    "api-1:customer_fields": "the custom-field definitions (labels and types), no customer records",
}
