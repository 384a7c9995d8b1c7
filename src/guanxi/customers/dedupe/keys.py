"""The normalised keys the duplicate check compares. The customer services compute the stored digests the same way.

Nothing here touches the database.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata

from django.core.exceptions import ValidationError

from guanxi.core import crypto
from guanxi.customers.search.keys import has_han

_SPACES = re.compile(r"[\s\-]+")


def _plain(raw: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", raw or "")).upper()


def normalize_uscc(raw: str) -> str:
    """统一社会信用代码 as `validators.normalize_uscc` stores it (half-width, upper case, no spaces or dashes); a
    mistyped code is compared as typed and simply matches nothing."""
    return _plain(raw)


def normalize_id_number(raw: str) -> str:
    """An ID number as `validators.normalize_id_number` stores it before digesting (the check character X upper)."""
    return _plain(raw)


def phone_digest(raw: str) -> str:
    """The digest stored in Customer.phone_digest, CustomerPhone.digest and Contact.phone_digest ("" if invalid)."""
    from guanxi.customers.services import normalize_phone

    with contextlib.suppress(ValidationError):
        return crypto.digest(normalize_phone(raw))
    return ""


def email_digest(raw: str) -> str:
    """The digest stored in Customer.email_digest, CustomerEmail.digest and Contact.email_digest ("" if invalid)."""
    from guanxi.customers.services import normalize_email

    with contextlib.suppress(ValidationError):
        return crypto.digest(normalize_email(raw).lower())
    return ""


def id_number_digest(raw: str) -> str:
    """The digest stored in Customer.id_number_digest."""
    return crypto.digest(normalize_id_number(raw))


def _grams(key: str) -> set[str]:
    """Character bigrams for Chinese text, padded trigrams for everything else."""
    if not key:
        return set()
    n = 2 if has_han(key) else 3
    padded = key if n == 2 else f"  {key} "
    if len(padded) < n:
        return {padded}
    return {padded[i : i + n] for i in range(len(padded) - n + 1)}


def name_similarity(a: str, b: str) -> float:
    """Dice coefficient of the n-grams of two normalised names (1.0 = same grams), like pg_trgm's similarity."""
    ga, gb = _grams(a), _grams(b)
    if not ga or not gb:
        return 0.0
    return 2 * len(ga & gb) / (len(ga) + len(gb))


def name_prefix(key: str) -> str:
    """The indexed prefix under which similar names are looked for: two Chinese characters or four letters ("" if
    the name is too short to say anything)."""
    n = 2 if has_han(key[:2]) else 4
    return key[:n] if len(key) > n else ""
