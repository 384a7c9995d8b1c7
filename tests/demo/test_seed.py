"""`guanxi seed` and `guanxi demo_logins` on a database: organisation, roles and scopes, customers, idempotency."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import phonenumbers
import pytest
from django.core.management import call_command
from django.db import connection

from guanxi.accounts import scoping
from guanxi.accounts.models import Department, Role, Team, User
from guanxi.accounts.permissions import DOMAINS, PERMISSIONS
from guanxi.audit.models import AuditEntry
from guanxi.core import crypto
from guanxi.customers.models import Customer
from guanxi.customers.services import normalize_email, normalize_phone
from guanxi.demo import organisation as spec
from guanxi.demo.generators import generate_customers
from guanxi.demo.services import demo_customers_create, demo_organisation_ensure

pytestmark = pytest.mark.django_db

N = 300


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed", *args, stdout=out, verbosity=0)
    return out.getvalue()


@pytest.fixture
def seeded() -> str:
    return seed("--customers", str(N), "--seed", "5")


def test_seed_creates_the_department_tree(seeded: str) -> None:
    hq = Department.objects.get(name="总部", parent=None)
    sales = Department.objects.get(name="销售部", parent=hq)
    regions = Department.objects.filter(parent=sales)
    assert {d.name for d in regions} == {"华东区", "华南区", "华北区"}
    for region in regions:
        assert region.path == f"{sales.path}{region.pk}/"  # maintained by accounts.services.department_create
        assert region.depth == 2
    assert set(Department.objects.filter(parent=hq).values_list("name", flat=True)) == {"销售部", "客服部", "市场部"}
    assert set(Team.objects.get(name="华东一组").members.values_list("username", flat=True)) == {"lead", "rep", "rep2"}


def test_seed_creates_roles_with_the_intended_permissions_and_scopes(seeded: str) -> None:
    admin_role = Role.objects.get(name=spec.ADMINISTRATOR)
    assert set(admin_role.permissions) == set(PERMISSIONS)
    assert admin_role.data_scopes == dict.fromkeys(DOMAINS, "all")
    director = Role.objects.get(name=spec.SALES_DIRECTOR)
    assert set(director.permissions) == {code for code in PERMISSIONS if code.startswith("customers.")}
    assert director.data_scopes == {"customers": "all"}
    assert Role.objects.get(name=spec.REGIONAL_MANAGER).data_scopes == {"customers": "department"}
    assert Role.objects.get(name=spec.TEAM_LEAD).data_scopes == {"customers": "team"}
    rep = Role.objects.get(name=spec.SALES_REP)
    assert rep.data_scopes == {"customers": "own"}
    assert sorted(rep.permissions) == ["customers.change", "customers.create", "customers.view"]
    assert Role.objects.get(name=spec.SERVICE_AGENT).permissions == ["customers.view"]


def test_demo_users_log_in_with_the_demo_password(seeded: str) -> None:
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert admin.check_password(spec.DEMO_PASSWORD)
    assert User.objects.get(username="rep").check_password(spec.DEMO_PASSWORD)
    assert User.objects.filter(username__in=[u.username for u in spec.USERS]).count() == len(spec.USERS)


def test_each_persona_sees_what_its_scope_allows(seeded: str) -> None:
    users = {u.username: u for u in User.objects.all()}
    visible = {
        name: set(scoping.scope(users[name], Customer.objects.all()).values_list("pk", flat=True))
        for name in ("admin", "director", "manager", "lead", "rep", "agent")
    }
    everything = set(Customer.objects.values_list("pk", flat=True))
    assert visible["admin"] == visible["director"] == visible["agent"] == everything
    # The sales department are members of the public pool: they see its customers as well as their scope's.
    pool = set(Customer.objects.filter(owner__isnull=True, pool__name="公海").values_list("pk", flat=True))
    assert pool and pool == set(Customer.objects.filter(owner__isnull=True).values_list("pk", flat=True))
    east = Department.objects.get(name="华东区")
    assert visible["manager"] == pool | set(
        Customer.objects.filter(owner__department__path__startswith=east.path).values_list("pk", flat=True)
    )
    assert visible["lead"] == pool | set(
        Customer.objects.filter(owner__username__in=["lead", "rep", "rep2"]).values_list("pk", flat=True)
    )
    assert visible["rep"] == pool | set(Customer.objects.filter(owner=users["rep"]).values_list("pk", flat=True))
    assert visible["rep"] and visible["rep"] < visible["lead"] < visible["manager"] < everything
    assert not users["agent"].has_perm("customers.change")
    assert users["rep"].has_perm("customers.create") and not users["rep"].has_perm("customers.delete")


def test_seed_creates_n_customers_with_valid_contact_data_and_digests(seeded: str) -> None:
    customers = list(Customer.objects.select_related("owner"))
    assert len(customers) == N
    with_phone = [c for c in customers if c.phone]
    assert len(with_phone) > 0.9 * N
    for customer in with_phone:
        number = phonenumbers.parse(customer.phone)
        assert phonenumbers.is_valid_number(number)
        assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == customer.phone
        assert normalize_phone(customer.phone) == customer.phone
        assert customer.phone_digest == crypto.digest(customer.phone)
    for customer in customers:
        if customer.email:
            assert normalize_email(customer.email) == customer.email
        assert customer.email_digest == crypto.digest(customer.email.lower())
        if not customer.phone:
            assert customer.phone_digest == ""
    # A customer can be found by phone the way the duplicate check looks it up.
    probe = with_phone[0]
    assert Customer.objects.filter(phone_digest=crypto.digest(normalize_phone(probe.phone))).first() == probe


def test_contact_data_is_encrypted_at_rest(seeded: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, email FROM customers_customer WHERE phone <> '' AND email <> ''")
        phone, email = cursor.fetchone()
    assert phone.startswith(crypto.PREFIX) and email.startswith(crypto.PREFIX)
    assert "+86" not in phone and "@" not in email


def test_about_five_percent_are_in_the_public_pool_and_owners_are_sales_people(seeded: str) -> None:
    unowned = Customer.objects.filter(owner__isnull=True).count()
    assert 0.01 * N <= unowned <= 0.10 * N
    owners = set(Customer.objects.exclude(owner=None).values_list("owner__username", flat=True))
    assert owners <= {name for name, _weight in spec.customer_owners()}
    assert {"rep", "rep5", "rep8"} <= owners
    assert not Customer.objects.filter(owner__username__in=["admin", "agent"]).exists()


def test_created_at_spreads_over_two_years(seeded: str) -> None:
    now = dt.datetime.now(dt.UTC)
    oldest = Customer.objects.order_by("created_at").first()
    newest = Customer.objects.order_by("-created_at").first()
    assert oldest is not None and newest is not None
    assert now - dt.timedelta(days=731) <= oldest.created_at < now - dt.timedelta(days=365)
    assert newest.created_at <= now
    assert oldest.updated_at == oldest.created_at  # the timestamps were written, not replaced by "now"


def test_bulk_insert_is_audited_once(seeded: str) -> None:
    entry = AuditEntry.objects.get(object_type="customers.customer", detail="demo seed")
    assert entry.actor_name == spec.SEED_ACTOR
    assert entry.changes == {"count": N, "seed": 5}


def test_database_rows_are_the_generated_rows() -> None:
    """Same seed, same clock → same customers (what two fresh databases would both get)."""
    demo_organisation_ensure()
    now = dt.datetime(2025, 1, 15, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    demo_customers_create(count=40, seed=99, now=now, batch_size=7)
    expected = list(generate_customers(40, seed=99, owners=spec.customer_owners(), now=now))
    fields = ("name", "phone", "email", "owner__username", "created_at")
    stored = list(Customer.objects.order_by("id").values_list(*fields))
    assert stored == [(r.name, r.phone, r.email, r.owner, r.created_at) for r in expected]


def test_if_empty_does_nothing_when_customers_exist(seeded: str) -> None:
    counts = (Department.objects.count(), Role.objects.count(), User.objects.count(), Team.objects.count())
    out = seed("--customers", "50", "--if-empty")
    assert str(N) in out
    assert Customer.objects.count() == N
    assert (Department.objects.count(), Role.objects.count(), User.objects.count(), Team.objects.count()) == counts


def test_organisation_part_is_idempotent(seeded: str) -> None:
    counts = (Department.objects.count(), Role.objects.count(), User.objects.count(), Team.objects.count())
    org = demo_organisation_ensure()
    assert sum(org.created.values()) == 0
    seed("--customers", "20", "--seed", "6")  # without --if-empty: more customers, same organisation
    assert Customer.objects.count() == N + 20
    assert (Department.objects.count(), Role.objects.count(), User.objects.count(), Team.objects.count()) == counts


def test_if_empty_seeds_an_empty_database() -> None:
    seed("--customers", "25", "--if-empty")
    assert Customer.objects.count() == 25
    assert User.objects.filter(username="admin", is_superuser=True).exists()


def test_demo_logins_lists_the_personas(seeded: str) -> None:
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    lines = text.splitlines()
    for username in ("admin", "director", "manager", "lead", "rep", "agent"):
        assert any(line.split()[0] == username for line in lines[2:] if line.strip()), username
    admin_line = next(line for line in lines if line.startswith("admin "))
    assert spec.DEMO_PASSWORD in admin_line
    assert spec.ADMINISTRATOR in admin_line
    assert f"{N:,}" in admin_line  # the admin sees every customer
    assert "rep8" in text  # the other demo users are named below the table


def test_demo_logins_hides_a_changed_password(seeded: str) -> None:
    rep = User.objects.get(username="rep")
    rep.set_password("something-else-entirely")
    rep.save()
    out = StringIO()
    call_command("demo_logins", stdout=out)
    rep_line = next(line for line in out.getvalue().splitlines() if line.startswith("rep "))
    assert spec.DEMO_PASSWORD not in rep_line


def test_demo_logins_before_seeding_says_what_to_do() -> None:
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "seed" in out.getvalue()
    assert "admin" not in out.getvalue()
