"""The foundation seen through a real browser: log in, switch language, create a customer, see a field error."""

from __future__ import annotations

import re

import pytest

from guanxi.customers.models import Customer
from tests.browser.conftest import log_in, switch_language
from tests.factories import RoleFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("browser")]

PASSWORD = "correct-horse-battery"


@pytest.fixture
def rep(db):  # type: ignore[no-untyped-def]
    role = RoleFactory(name="Sales rep")
    return UserFactory(username="rep", password=PASSWORD, language="zh-hans", roles=[role])


def test_log_in_and_switch_language(page, rep):  # type: ignore[no-untyped-def]
    page.goto("/")
    assert "/accounts/login/" in page.url
    log_in(page, "rep", PASSWORD)
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    switch_language(page, "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Customers").first.is_visible()
    switch_language(page, "zh-hant")
    assert page.locator("html").get_attribute("lang") == "zh-hant"
    assert page.get_by_role("link", name="客戶").first.is_visible()
    rep.refresh_from_db()
    assert rep.language == "zh-hant"


def test_create_customer_and_see_field_error(page, rep):  # type: ignore[no-untyped-def]
    log_in(page, "rep", PASSWORD)
    switch_language(page, "en")
    page.goto("/customers/new/")
    page.fill("input[name=name]", "王小明")
    page.fill("input[name=phone]", "12345")
    page.click("#customer-form button[type=submit]")
    error = page.locator("[data-field-error=phone]")
    error.wait_for()
    assert "not a valid phone number" in error.inner_text()
    assert page.input_value("input[name=name]") == "王小明"  # what was typed is kept
    assert Customer.objects.count() == 0

    page.fill("input[name=phone]", "138 1234 5678")
    page.click("#customer-form button[type=submit]")
    page.wait_for_url(re.compile(r"/customers/\d+/$"))
    assert page.locator("h1").inner_text().startswith("王小明")
    assert "138****5678" in page.content()
    customer = Customer.objects.get()
    assert customer.phone == "+8613812345678"
    assert customer.owner == rep
