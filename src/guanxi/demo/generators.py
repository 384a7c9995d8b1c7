"""Plausible customers, generated without touching the database: same seed and same `now` → same rows.

Everything random comes from one `random.Random(seed)`, so a run can be reproduced exactly (tests compare two runs).
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

from guanxi.demo import data

PERSON = "person"
COMPANY = "company"

# Shares of the generated population.
COMPANY_SHARE = 0.3
ENGLISH_PERSON_SHARE = 0.08
ENGLISH_COMPANY_SHARE = 0.12
SINGLE_CHAR_GIVEN_SHARE = 0.25
NO_PHONE_SHARE = 0.02
NO_EMAIL_SHARE = 0.12
POOL_SHARE = 0.05  # customers without an owner: the public pool
HISTORY_DAYS = 730


@dataclass(frozen=True, slots=True)
class CustomerRow:
    kind: str
    name: str
    phone: str  # E.164 ("+8613812345678") or ""
    email: str
    owner: str | None  # username of the owner; None puts the customer in the public pool
    created_at: dt.datetime


class _Weighted:
    """Weighted choice with the cumulative table built once (random.choices rebuilds it on every call)."""

    def __init__(self, items: Sequence[tuple[str, float]]) -> None:
        self.values = [value for value, _weight in items]
        self.cumulative = list(itertools.accumulate(weight for _value, weight in items))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random) -> str:
        return self.values[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


_SURNAMES = _Weighted(data.SURNAMES)
_MALE = _Weighted(data.GIVEN_MALE)
_FEMALE = _Weighted(data.GIVEN_FEMALE)
_CITIES = _Weighted(data.CITIES)
_INDUSTRIES = _Weighted(data.INDUSTRIES)
_COMPANY_FORMS = _Weighted(data.COMPANY_FORMS)
_MOBILE = _Weighted(data.MOBILE_PREFIXES)
_PERSONAL_DOMAINS = _Weighted(data.PERSONAL_EMAIL_DOMAINS)
_ENGLISH_DOMAINS = _Weighted(data.ENGLISH_EMAIL_DOMAINS)
_TLDS = _Weighted(data.COMPANY_TLDS)


# Customers are mostly created in business hours (09:00-19:00 take 85% of the day's share).
_HOUR_WEIGHTS = [8.5 if 9 <= hour < 19 else 15 / 14 for hour in range(24)]
_HOUR_CUMULATIVE = list(itertools.accumulate(_HOUR_WEIGHTS))


def _time_of_day(fraction: float) -> float:
    """Seconds after midnight for `fraction` of a day's creations (an increasing function of `fraction`)."""
    x = fraction * _HOUR_CUMULATIVE[-1]
    hour = min(bisect.bisect_right(_HOUR_CUMULATIVE, x), 23)
    before = _HOUR_CUMULATIVE[hour - 1] if hour else 0.0
    return (hour + min((x - before) / _HOUR_WEIGHTS[hour], 1.0)) * 3600


@lru_cache(maxsize=1024)
def _char_pinyin(char: str) -> str:
    return "".join(lazy_pinyin(char, style=Style.NORMAL, errors="ignore"))


def pinyin_of(text: str, *, surname: bool = False) -> str:
    """Toneless pinyin of `text` read character by character ("张伟" → "zhangwei"), with surname readings."""
    if surname and text in data.SURNAME_PINYIN:
        return data.SURNAME_PINYIN[text]
    return "".join(_char_pinyin(char) for char in text)


class CustomerGenerator:
    """Yields `CustomerRow`s; phones and emails are unique within one generator."""

    def __init__(
        self,
        *,
        seed: int,
        owners: Sequence[tuple[str, float]],
        now: dt.datetime,
        pool_share: float = POOL_SHARE,
    ) -> None:
        self.rng = random.Random(seed)
        self.owners = _Weighted(owners) if owners else None
        self.now = now
        self.pool_share = pool_share
        self._phones: set[str] = set()
        self._emails: set[str] = set()

    # --- pieces -------------------------------------------------------------------------------------------------------
    def phone(self) -> str:
        while True:
            number = f"+86{_MOBILE.pick(self.rng)}{self.rng.randrange(10**8):08d}"
            if number not in self._phones:
                self._phones.add(number)
                return number

    def _unique_email(self, local: str, domain: str) -> str:
        email = f"{local}@{domain}"
        while email in self._emails:
            email = f"{local}{self.rng.randrange(10, 1000)}@{domain}"
        self._emails.add(email)
        return email

    def chinese_person(self) -> tuple[str, str]:
        rng = self.rng
        surname = _SURNAMES.pick(rng)
        pool = _MALE if rng.random() < 0.5 else _FEMALE
        given = pool.pick(rng) if rng.random() < SINGLE_CHAR_GIVEN_SHARE else pool.pick(rng) + pool.pick(rng)
        sur_py, given_py = pinyin_of(surname, surname=True), pinyin_of(given)
        year = rng.randrange(1960, 2004)
        style = rng.random()
        if style < 0.2:
            return surname + given, self._unique_email(str(rng.randrange(10**5, 10**10)), "qq.com")
        if style < 0.45:
            local = f"{sur_py}{given_py}{rng.randrange(1, 100) if rng.random() < 0.6 else ''}"
        elif style < 0.65:
            local = f"{given_py}.{sur_py}"
        elif style < 0.85:
            initials = "".join(pinyin_of(ch)[:1] for ch in given)
            local = f"{sur_py}{initials}{year}"
        else:
            local = f"{sur_py[:1]}{given_py}{year % 100:02d}"
        return surname + given, self._unique_email(local, _PERSONAL_DOMAINS.pick(rng))

    def english_person(self) -> tuple[str, str]:
        rng = self.rng
        first, last = rng.choice(data.ENGLISH_FIRST), rng.choice(data.ENGLISH_LAST)
        local_last = last.lower().replace("ü", "ue")
        local = f"{first.lower()}.{local_last}" if rng.random() < 0.6 else f"{first[0].lower()}{local_last}"
        return f"{first} {last}", self._unique_email(local, _ENGLISH_DOMAINS.pick(rng))

    def chinese_company(self) -> tuple[str, str]:
        rng = self.rng
        brand = rng.choice(data.BRAND_CHARS) + rng.choice(data.BRAND_CHARS)
        name = f"{_CITIES.pick(rng)}{brand}{_INDUSTRIES.pick(rng)}{_COMPANY_FORMS.pick(rng)}"
        domain = f"{pinyin_of(brand)}{rng.choice(('', 'tech', 'group', 'gs', str(rng.randrange(1, 99))))}"
        return name, self._unique_email(rng.choice(data.COMPANY_MAILBOXES), domain + _TLDS.pick(rng))

    def english_company(self) -> tuple[str, str]:
        rng = self.rng
        first, second = rng.sample(data.ENGLISH_COMPANY_WORDS, 2)
        trade = rng.choice(data.ENGLISH_COMPANY_TRADES)
        name = f"{first} {second} {trade} {rng.choice(data.ENGLISH_COMPANY_FORMS)}"
        domain = f"{first}{second}".lower() + rng.choice((".com", ".com", ".net", ".co", ".com.hk", ".sg"))
        return name, self._unique_email(rng.choice(data.COMPANY_MAILBOXES), domain)

    def created_at(self, fraction: float) -> dt.datetime:
        """The moment `fraction` of the way through the last two years (0 → oldest, 1 → now); monotonic in `fraction`.

        The whole part of the position picks the day, the rest the time of day, mostly in business hours.
        """
        position = fraction * HISTORY_DAYS
        day = min(int(position), HISTORY_DAYS)
        midnight = self.now.replace(hour=0, minute=0, second=0, microsecond=0) - dt.timedelta(days=HISTORY_DAYS - day)
        seconds = _time_of_day(position - day) if day < HISTORY_DAYS else 0
        return min(midnight + dt.timedelta(seconds=int(seconds)), self.now)

    # --- rows ---------------------------------------------------------------------------------------------------------
    def row(self, fraction: float) -> CustomerRow:
        rng = self.rng
        if rng.random() < COMPANY_SHARE:
            kind = COMPANY
            name, email = self.english_company() if rng.random() < ENGLISH_COMPANY_SHARE else self.chinese_company()
        else:
            kind = PERSON
            name, email = self.english_person() if rng.random() < ENGLISH_PERSON_SHARE else self.chinese_person()
        phone = "" if rng.random() < NO_PHONE_SHARE else self.phone()
        if rng.random() < NO_EMAIL_SHARE:
            email = ""
        owner = None if self.owners is None or rng.random() < self.pool_share else self.owners.pick(rng)
        return CustomerRow(
            kind=kind, name=name, phone=phone, email=email, owner=owner, created_at=self.created_at(fraction)
        )

    def rows(self, count: int) -> Iterator[CustomerRow]:
        """`count` rows in creation order (oldest first); newer customers are more frequent, as in a growing firm."""
        # Square roots of sorted uniforms are sorted too and lean towards 1 (recent): the book grew over time.
        fractions = sorted(self.rng.random() for _ in range(count))
        for fraction in fractions:
            yield self.row(fraction**0.5)


def generate_customers(
    count: int, *, seed: int, owners: Sequence[tuple[str, float]], now: dt.datetime, pool_share: float = POOL_SHARE
) -> Iterator[CustomerRow]:
    """`count` customers owned by `owners` ((username, weight) pairs); ~`pool_share` of them have no owner."""
    return CustomerGenerator(seed=seed, owners=owners, now=now, pool_share=pool_share).rows(count)
