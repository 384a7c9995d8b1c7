"""The customer 360 walk in a real browser: search → open a customer → log a call → schedule a revisit → release it to
the public pool → another user claims it."""

from __future__ import annotations

import re

import pytest

from guanxi.customers.models import Customer, OwnershipEvent, Pool
from guanxi.customers.services import CustomerInput, customer_create
from guanxi.interactions.models import FollowUp, Interaction
from tests.browser.conftest import log_in, switch_language
from tests.factories import RoleFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("browser")]

PASSWORD = "correct-horse-battery"


@pytest.fixture
def setting(db):  # type: ignore[no-untyped-def]
    role = RoleFactory(name="Sales rep")
    alice = UserFactory(username="alice", password=PASSWORD, language="en", roles=[role])
    bob = UserFactory(username="bob", password=PASSWORD, language="en", roles=[role])
    pool = Pool.objects.create(name="Public pool East", is_default=True)
    pool.members.add(alice, bob)
    customer = customer_create(actor=alice, data=CustomerInput(name="王小明", phone="138 1234 5678"))
    return alice, bob, pool, customer


def test_search_log_a_call_plan_a_revisit_release_and_claim(page, setting):  # type: ignore[no-untyped-def]
    _alice, bob, pool, customer = setting
    log_in(page, "alice", PASSWORD)
    switch_language(page, "en")

    # Search from the top bar and open the customer.
    page.fill("#global-search", "小明")
    page.locator("#search-results a", has_text="王小明").first.click()
    page.wait_for_url(re.compile(rf"/customers/{customer.pk}/$"))

    # Log a call: a short form that stays on the page.
    page.get_by_role("button", name="Log interaction").click()
    form = page.locator("#interaction-form")
    form.wait_for()
    form.locator("select[name=kind]").select_option("call")
    form.locator("textarea[name=summary]").fill("Called about the renewal")
    form.locator("button[type=submit]").click()
    page.locator("#timeline", has_text="Called about the renewal").wait_for()
    assert Interaction.objects.filter(customer=customer, kind="call", summary="Called about the renewal").exists()

    # Schedule a revisit (the header's action; the logging form also offers one right away).
    page.get_by_role("button", name="Plan follow-up").first.click()
    follow_up = page.locator("#follow-up-form")
    follow_up.wait_for()
    follow_up.locator("input[name=title]").fill("Check the delivery went well")
    follow_up.locator("select[name=kind]").select_option("revisit")
    follow_up.locator("input[name=due_at]").fill("2030-01-15T10:00")
    follow_up.locator("button[type=submit]").click()
    page.locator("[data-panel=right]", has_text="Check the delivery went well").wait_for()
    assert FollowUp.objects.filter(customer=customer, kind="revisit", status="open").count() == 1

    # Release it to the public pool, with a reason.
    page.get_by_role("button", name="Release to pool").click()
    release = page.locator("#release-form")
    release.wait_for()
    release.locator("[name=reason]").fill("Moving to another region")
    release.locator("button[type=submit]").click()
    page.locator("[data-field=owner]", has_text="Public pool").wait_for()
    customer.refresh_from_db()
    assert customer.owner is None and customer.pool == pool

    # Bob claims it from the pool page.
    page.context.clear_cookies()
    log_in(page, "bob", PASSWORD)
    switch_language(page, "en")
    page.goto("/customers/pool/")
    page.locator(f"#claim-cell-{customer.pk} button[type=submit]").click()
    page.locator(f"[data-claimed='{customer.pk}']").wait_for()
    customer.refresh_from_db()
    assert customer.owner == bob
    kinds = list(OwnershipEvent.objects.filter(customer=customer).order_by("at", "id").values_list("kind", flat=True))
    assert kinds[-2:] == ["release", "claim"]
    assert Customer.objects.count() == 1
