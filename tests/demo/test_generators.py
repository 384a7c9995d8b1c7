"""The customer generator alone (no database): reproducible, plausible, valid contact data."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from zoneinfo import ZoneInfo

import phonenumbers
import pytest

from guanxi.customers.services import normalize_email, normalize_phone
from guanxi.demo import data
from guanxi.demo.generators import CustomerRow, generate_customers, pinyin_of
from guanxi.demo.organisation import customer_owners

NOW = dt.datetime(2025, 6, 1, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SURNAMES = {surname for surname, _weight in data.SURNAMES}
CJK = re.compile(r"^[\u4e00-\u9fff]+$")


def rows(count: int, seed: int = 7) -> list[CustomerRow]:
    return list(generate_customers(count, seed=seed, owners=customer_owners(), now=NOW))


@pytest.fixture(scope="module")
def sample() -> list[CustomerRow]:
    return rows(5000)


def test_same_seed_gives_the_same_rows_and_another_seed_does_not() -> None:
    assert rows(500, seed=11) == rows(500, seed=11)
    assert [r.name for r in rows(500, seed=11)] != [r.name for r in rows(500, seed=12)]


def test_about_a_third_are_companies() -> None:
    kinds = Counter(r.kind for r in rows(2000))
    assert 0.22 < kinds["company"] / 2000 < 0.38


def test_phones_are_valid_unique_mainland_mobiles_in_e164(sample: list[CustomerRow]) -> None:
    phones = [r.phone for r in sample if r.phone]
    assert len(phones) > 0.95 * len(sample)
    assert len(set(phones)) == len(phones)
    for phone in phones:
        assert re.fullmatch(r"\+861[3-9]\d{9}", phone), phone
        number = phonenumbers.parse(phone)
        assert phonenumbers.is_valid_number(number), phone
        assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE, phone
        assert normalize_phone(phone) == phone  # what customers.services would store


@pytest.mark.parametrize(("prefix", "_weight"), data.MOBILE_PREFIXES)
def test_every_mobile_prefix_makes_valid_numbers(prefix: str, _weight: int) -> None:
    for suffix in ("00000000", "12345678", "99999999"):
        assert phonenumbers.is_valid_number(phonenumbers.parse(f"+86{prefix}{suffix}")), prefix + suffix


def test_emails_are_valid_unique_and_pinyin_based(sample: list[CustomerRow]) -> None:
    emails = [r.email for r in sample if r.email]
    assert 0.8 * len(sample) < len(emails) < 0.95 * len(sample)
    assert len(set(emails)) == len(emails)
    for email in emails:
        assert normalize_email(email) == email
        assert email == email.lower()
    chinese = [r for r in sample if r.kind == "person" and CJK.match(r.name) and r.email]
    with_pinyin = [r for r in chinese if pinyin_of(r.name[0], surname=True) in r.email.split("@")[0]]
    assert len(with_pinyin) > 0.6 * len(chinese)  # the rest are numeric QQ addresses or initials


def test_pinyin_uses_surname_readings() -> None:
    assert pinyin_of("张伟") == "zhangwei"
    assert pinyin_of("曾", surname=True) == "zeng"
    assert pinyin_of("覃", surname=True) == "qin"


def test_names_look_real(sample: list[CustomerRow]) -> None:
    people = [r for r in sample if r.kind == "person"]
    chinese = [r.name for r in people if CJK.match(r.name)]
    english = [r.name for r in people if not CJK.match(r.name)]
    assert english and len(english) < 0.15 * len(people)
    assert all(re.fullmatch(r"[A-Z][a-z]+ [A-ZÜ][a-zü]+", name) for name in english), english[:5]
    for name in chinese:
        surname = name[:2] if name[:2] in SURNAMES else name[:1]
        assert surname in SURNAMES, name
        assert 1 <= len(name) - len(surname) <= 2, name
    # Surnames follow their real frequency: 王, 李 and 张 each far outnumber 翟.
    counts = Counter(name[0] for name in chinese)
    assert min(counts["王"], counts["李"], counts["张"]) > 5 * max(counts["翟"], 1)
    companies = [r.name for r in sample if r.kind == "company"]
    assert sum(name.endswith("有限公司") for name in companies) > 0.8 * len(companies)
    assert any(name.endswith(("Ltd.", "Limited", "Inc.", "Group", "GmbH")) for name in companies)


def test_owners_spread_with_about_five_percent_in_the_pool(sample: list[CustomerRow]) -> None:
    owners = Counter(r.owner for r in sample)
    assert 0.035 < owners[None] / len(sample) < 0.065
    expected = {name for name, _weight in customer_owners()}
    assert set(owners) - {None} == expected
    assert owners["rep"] > owners["lead"] > owners["manager"] > owners["director"]


def test_created_at_spreads_over_two_years_oldest_first(sample: list[CustomerRow]) -> None:
    moments = [r.created_at for r in sample]
    assert moments == sorted(moments)
    assert moments[0] >= NOW - dt.timedelta(days=731)
    assert moments[0] < NOW - dt.timedelta(days=600)
    assert moments[-1] <= NOW
    recent = sum(m > NOW - dt.timedelta(days=365) for m in moments)
    assert recent > 0.6 * len(moments)  # a growing business: more new customers lately
