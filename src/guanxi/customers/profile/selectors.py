"""Reads for the customer record and its 360 page. Every related record is reached through its customer, and the
customer through the actor's scope (`customer_get`): outside it, the record does not exist (404)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.utils.translation import gettext as _

from guanxi.core.registry import TimelineEntry, registry
from guanxi.customers.customfields import custom_field_definitions, display_value
from guanxi.customers.models import Address, Consent, Contact, Customer, CustomerEmail, CustomerPhone
from guanxi.customers.selectors import customer_get

TIMELINE_PAGE = 20


def _related_get(actor: Any, model: Any, pk: Any) -> Any:
    """A contact, address, phone or email whose customer is in the actor's scope, with that customer attached."""
    row = model._default_manager.filter(pk=pk).first()
    if row is None:
        raise Http404
    row.customer = customer_get(actor=actor, pk=row.customer_id)
    return row


def contact_get(*, actor: Any, pk: Any) -> Contact:
    return _related_get(actor, Contact, pk)


def address_get(*, actor: Any, pk: Any) -> Address:
    return _related_get(actor, Address, pk)


def phone_get(*, actor: Any, pk: Any) -> CustomerPhone:
    return _related_get(actor, CustomerPhone, pk)


def email_get(*, actor: Any, pk: Any) -> CustomerEmail:
    return _related_get(actor, CustomerEmail, pk)


def contacts_of(*, actor: Any, customer_id: Any) -> list[Contact]:
    customer = customer_get(actor=actor, pk=customer_id)
    return list(Contact.objects.filter(customer=customer))


def addresses_of(*, actor: Any, customer_id: Any) -> list[Address]:
    customer = customer_get(actor=actor, pk=customer_id)
    return list(Address.objects.filter(customer=customer))


def consent_current(consents: list[Consent]) -> list[Consent]:
    """The latest record per purpose and channel (the state now), from a customer's history (newest first)."""
    latest: dict[tuple[str, str], Consent] = {}
    for consent in sorted(consents, key=lambda c: (c.recorded_at, c.pk), reverse=True):
        latest.setdefault((consent.purpose, consent.channel), consent)
    return sorted(latest.values(), key=lambda c: (c.purpose, c.channel))


def consents_of(*, actor: Any, customer_id: Any) -> list[Consent]:
    customer = customer_get(actor=actor, pk=customer_id)
    return list(Consent.objects.filter(customer=customer).select_related("recorded_by"))


@dataclass
class Profile:
    """Everything the 360 page shows about the record itself, read with a fixed number of queries."""

    customer: Customer
    phones: list[Any] = field(default_factory=list)
    emails: list[Any] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    tags: list[Any] = field(default_factory=list)
    consents: list[Consent] = field(default_factory=list)
    consent_state: list[Consent] = field(default_factory=list)
    custom: list[tuple[Any, str]] = field(default_factory=list)


def customer_profile(*, actor: Any, pk: Any, request: Any = None) -> Profile:
    customer = customer_get(actor=actor, pk=pk)
    prefetch_related_objects(
        [customer],
        "tags",
        "phones",
        "emails",
        "addresses",
        "contacts",
        Prefetch("consents", queryset=Consent.objects.select_related("recorded_by")),
    )
    loaded = customer
    phones: list[Any] = list(loaded.phones.all())
    emails: list[Any] = list(loaded.emails.all())
    # Records written before phones and emails had rows of their own show their primary from the customer.
    if not phones and customer.phone:
        phones = [CustomerPhone(customer=customer, number=customer.phone, is_primary=True)]
    if not emails and customer.email:
        emails = [CustomerEmail(customer=customer, address=customer.email, is_primary=True)]
    consents = list(loaded.consents.all())
    definitions = custom_field_definitions(request)
    return Profile(
        customer=customer,
        phones=phones,
        emails=emails,
        addresses=list(loaded.addresses.all()),
        contacts=list(loaded.contacts.all()),
        tags=list(loaded.tags.all()),
        consents=consents,
        consent_state=consent_current(consents),
        custom=[(d, display_value(d, customer.custom.get(d.key))) for d in definitions],
    )


# --- timeline ---------------------------------------------------------------------------------------------------------
@dataclass
class TimelinePage:
    entries: list[TimelineEntry]
    next_before: dt.datetime | None  # pass as `before` for the next page; None when there is no more


def timeline(
    *,
    actor: Any,
    customer: Customer,
    kinds: set[str] | None = None,
    before: dt.datetime | None = None,
    limit: int = TIMELINE_PAGE,
) -> TimelinePage:
    """One timeline merged from every registered provider, newest first, `limit` entries older than `before`.

    Each provider returns at most limit + 1 entries of its own; the merge keeps the newest `limit` and tells whether
    more exist. `customer` must already be the actor's (from `customer_get`).
    """
    wanted = {k for k in kinds if k in registry.timeline_kinds} if kinds else None
    if kinds and not wanted:
        return TimelinePage([], None)
    merged: list[TimelineEntry] = []
    for provider in registry.timeline_providers:
        merged.extend(provider(actor, customer, wanted, before, limit + 1))
    if wanted is not None:
        merged = [e for e in merged if e.kind in wanted]
    if before is not None:
        merged = [e for e in merged if e.at < before]
    merged.sort(key=lambda e: (e.at, e.key), reverse=True)
    page = merged[:limit]
    more = len(merged) > limit
    return TimelinePage(page, page[-1].at if (more and page) else None)


def consent_timeline(
    actor: Any, customer: Customer, kinds: set[str] | None, before: Any, limit: int
) -> list[TimelineEntry]:
    """The customers app's own timeline entries: consent granted or withdrawn."""
    if kinds is not None and "consent" not in kinds:
        return []
    qs = Consent.objects.filter(customer=customer).select_related("recorded_by").order_by("-recorded_at", "-id")
    if before is not None:
        qs = qs.filter(recorded_at__lt=before)
    entries = []
    for consent in qs[:limit]:
        title = (
            _("Consent granted: %(purpose)s")
            if consent.status == Consent.Status.GRANTED
            else _("Consent withdrawn: %(purpose)s")
        ) % {"purpose": consent.get_purpose_display()}
        entries.append(
            TimelineEntry(
                at=consent.recorded_at,
                kind="consent",
                title=title,
                body=consent.evidence,
                actor=str(consent.recorded_by) if consent.recorded_by else "",
                context={"channel": consent.get_channel_display(), "status": consent.status},
                key=f"consent:{consent.pk}",
            )
        )
    return entries
