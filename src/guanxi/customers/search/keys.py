"""Keys that make customers findable and comparable: pinyin and initials of Chinese names, a normalised company name,
keyed digests of phone-number fragments (partial-digit search without storing numbers in clear), and the search text
that the full-text indexes read.

The services call `customer_keys(...)` on every write and bulk paths (seed, import) call it per row; nothing here
touches the database.

`Customer.search_text` is a bag of space-separated tokens, each either lower-case letters/digits or one or two Han
characters, so that PostgreSQL's parser and SQLite's FTS5 tokenizer cut it into exactly the same words:

- the words of the name (accents removed); Chinese runs as single characters and overlapping pairs (星辰科技 →
  星 辰 科 技 星辰 辰科 科技), so any part of a Chinese name of two or more characters is found;
- for Chinese names: the full pinyin (zhangsan), the initials (zs) and each syllable (zhang san);
- for companies: the company key (the name without region and legal form) and its pinyin and initials;
- every 4-digit run of every phone number as a keyed digest written as 15 decimal digits (never the digits themselves);
- the same for each contact of the customer (name words, pinyin, initials, syllables, phone fragments).

A query is cut the same way (`parse_query`): letters are matched as word prefixes, Chinese characters and digits
exactly, and a run of four or more digits becomes the digests of its 4-digit runs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pypinyin import Style, lazy_pinyin

from guanxi.core import crypto

# Legal-form words that do not distinguish companies (上海星辰科技有限公司 ≈ 星辰科技 in Shanghai).
_COMPANY_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "有限責任公司",
    "有限公司",
    "集团公司",
    "集團公司",
    "集团",
    "集團",
    "公司",
    "分公司",
    "总公司",
    "總公司",
    "工作室",
    "事务所",
    "事務所",
    "商行",
    "厂",
    "廠",
    "co.,ltd.",
    "co., ltd.",
    "co.,ltd",
    "co., ltd",
    "co. ltd",
    "company limited",
    "corporation",
    "limited",
    "corp.",
    "corp",
    "inc.",
    "inc",
    "llc",
    "ltd.",
    "ltd",
    "gmbh",
    "plc",
    "co.",
    "co",
)
_REGION_PREFIXES = (
    "北京市",
    "上海市",
    "天津市",
    "重庆市",
    "重慶市",
    "北京",
    "上海",
    "天津",
    "重庆",
    "重慶",
    "广州",
    "廣州",
    "深圳",
    "杭州",
    "南京",
    "苏州",
    "蘇州",
    "成都",
    "武汉",
    "武漢",
    "西安",
    "长沙",
    "長沙",
    "青岛",
    "青島",
    "宁波",
    "寧波",
    "厦门",
    "廈門",
    "香港",
    "台北",
    "臺北",
)
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_HAN = re.compile(r"[\u3400-\u9fff]")
_DIGITS = re.compile(r"\D+")
GRAM = 4  # phone fragments of four digits: "5678" finds 138 1234 5678


def normalize_text(value: str) -> str:
    """Full-width to half-width, lower case, no spaces or punctuation."""
    return _PUNCT.sub("", unicodedata.normalize("NFKC", value or "").lower())


def company_key(name: str) -> str:
    """The company name without region prefix, legal form and punctuation, for the duplicate check."""
    key = unicodedata.normalize("NFKC", name or "").lower().strip()
    changed = True
    while changed:
        changed = False
        for suffix in _COMPANY_SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix) + 1:
                key = key[: -len(suffix)].rstrip(" ,.")
                changed = True
    for prefix in _REGION_PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix) + 1:
            key = key[len(prefix) :]
            break
    return normalize_text(key)


def has_han(value: str) -> bool:
    return bool(_HAN.search(value or ""))


@lru_cache(maxsize=65536)
def _raw_syllables(name: str) -> tuple[str, ...]:
    """pypinyin's toneless reading of the Chinese characters of `name`, one syllable per character."""
    if not has_han(name):
        return ()
    return tuple(s for s in lazy_pinyin(name, style=Style.NORMAL, errors="ignore") if s)


def pinyin_keys(name: str) -> tuple[str, str]:
    """("zhangsan", "zs") for 张三; empty strings for names without Chinese characters."""
    syllables = _raw_syllables(name)
    if not syllables:
        return "", ""
    full = normalize_text("".join(syllables))
    initials = normalize_text("".join(s[0] for s in syllables))
    return full[:400], initials[:100]


def national_digits(number: str) -> str:
    """The digits of a stored number without the mainland country code (+86 / 0086)."""
    raw = (number or "").strip()
    digits = _DIGITS.sub("", raw)
    if digits.startswith("0086"):
        return digits[4:]
    if (raw.startswith("+") and digits.startswith("86")) or (digits.startswith("86") and len(digits) == 13):
        return digits[2:]
    return digits


def query_digits(text: str) -> str:
    """The digits a user typed, as they appear in `national_digits` of a number: no +86/0086, and no trunk 0 in front
    of a full national number (021 1234 5678 → 2112345678)."""
    digits = national_digits(text)
    if len(digits) >= 10 and digits.startswith("0"):
        digits = digits[1:]
    return digits


@lru_cache(maxsize=16384)
def _gram_digest(key: str, run: str) -> str:
    # `key` (the digest key in force) is only part of the cache key: a changed key never reuses an old digest.
    return crypto.digest("g:" + run)[:12]


def _gram_digests(digits: str) -> set[str]:
    if len(digits) < GRAM:
        return set()
    key = crypto.digest("g:")  # names the key in force, cheaply
    return {_gram_digest(key, digits[i : i + GRAM]) for i in range(len(digits) - GRAM + 1)}


def phone_grams(*numbers: str) -> str:
    """Space-separated keyed digests of every 4-digit run in the national digits of each number."""
    grams: set[str] = set()
    for number in numbers:
        grams |= _gram_digests(national_digits(number))
    return " ".join(sorted(grams))


def query_grams(digits: str) -> list[str]:
    """The digests a partial-digit query must all match (every 4-digit run of the query)."""
    return sorted(_gram_digests(_DIGITS.sub("", digits or "")))


def gram_token(gram: str) -> str:
    """A phone-fragment digest as a search-text token: 15 decimal digits, which no word prefix of a query can reach
    (queries match digit words exactly)."""
    return f"{int(gram, 16):015d}"


# --- search text ----------------------------------------------------------------------------------------------------
_HAN_CHARS = "\u3400-\u9fff\uf900-\ufaff"
_WORD_RUNS = re.compile(rf"[{_HAN_CHARS}]+|[^\W_{_HAN_CHARS}]+", re.UNICODE)
_MAX_WORD = 60


def _fold(text: str) -> str:
    """NFKC, lower case, accents removed (José → jose)."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


_HAN_START = re.compile(rf"[{_HAN_CHARS}]")


def _is_han(run: str) -> bool:
    return bool(_HAN_START.match(run))


def word_runs(text: str) -> list[str]:
    """The runs of Chinese characters and of other letters/digits in `text`, folded."""
    return _WORD_RUNS.findall(_fold(text))


def han_tokens(run: str) -> list[str]:
    """Single characters and overlapping pairs of a run of Chinese characters."""
    return list(run) + [run[i : i + 2] for i in range(len(run) - 1)]


def name_tokens(name: str) -> list[str]:
    tokens: list[str] = []
    for run in word_runs(name):
        if _is_han(run):
            tokens.extend(han_tokens(run))
        else:
            tokens.append(run[:_MAX_WORD])
    return tokens


def pinyin_syllables(name: str) -> tuple[str, ...]:
    """("zhang", "san") for 张三; empty for names without Chinese characters."""
    return tuple(s for s in (normalize_text(p) for p in _raw_syllables(name)) if s)


def _part_pinyin(name: str, part: str) -> tuple[str, str]:
    """pinyin_keys(part) for a part of `name`, read from the name's syllables when they line up with its characters
    (one pypinyin call per name instead of two; the reading in context is the better one anyway)."""
    syllables = _raw_syllables(name)
    han = "".join(ch for ch in name if _HAN.match(ch))
    part_han = "".join(ch for ch in part if _HAN.match(ch))
    if part_han and len(han) == len(syllables) and part_han == part and (at := han.find(part_han)) >= 0:
        chosen = syllables[at : at + len(part_han)]
        return normalize_text("".join(chosen))[:400], normalize_text("".join(s[0] for s in chosen))[:100]
    return pinyin_keys(part)


def person_tokens(name: str) -> list[str]:
    """The tokens that find one name: its words, and for Chinese names full pinyin, initials and syllables."""
    tokens = name_tokens(name)
    full, initials = pinyin_keys(name)
    if full:
        tokens += [full[:_MAX_WORD], initials[:_MAX_WORD], *pinyin_syllables(name)]
    return tokens


def gram_tokens(*numbers: str) -> list[str]:
    grams = phone_grams(*numbers)
    return [gram_token(g) for g in grams.split()] if grams else []


def _contact_parts(contact: Any) -> tuple[str, str]:
    if isinstance(contact, tuple | list):
        return str(contact[0] or ""), str(contact[1] or "") if len(contact) > 1 else ""
    return str(getattr(contact, "name", "") or ""), str(getattr(contact, "phone", "") or "")


def contact_tokens(name: str, phone: str = "") -> list[str]:
    return person_tokens(name) + gram_tokens(phone)


def build_search_text(
    *, kind: str, name: str, phones: Iterable[str] = (), contacts: Iterable[Any] = (), grams: str | None = None
) -> str:
    """The value of Customer.search_text (see the module's docstring); `contacts` are objects with `name` and `phone`
    (clear text) or (name, phone) pairs; `grams` is phone_grams(*phones) when the caller has it already."""
    tokens = person_tokens(name)
    if kind == "company":
        key = company_key(name)
        if key:
            tokens += name_tokens(key)
            tokens.append(key[:_MAX_WORD])
            key_full, key_initials = _part_pinyin(name, key)
            if key_full:
                tokens += [key_full[:_MAX_WORD], key_initials[:_MAX_WORD]]
    if grams is None:
        grams = phone_grams(*[p for p in phones if p])
    tokens += [gram_token(g) for g in grams.split()]
    for contact in contacts:
        contact_name, contact_phone = _contact_parts(contact)
        tokens += contact_tokens(contact_name, contact_phone)
    return " ".join(dict.fromkeys(t for t in tokens if t))


def search_text_for(customer: Any, *, contacts: Iterable[Any] = (), phones: Iterable[str] | None = None) -> str:
    """Customer.search_text for `customer` (kind, name, phone) with its `contacts` and, when given, all its phone
    numbers (default: the customer's own number)."""
    numbers = list(phones) if phones is not None else [str(getattr(customer, "phone", "") or "")]
    return build_search_text(kind=customer.kind, name=customer.name, phones=numbers, contacts=contacts)


def customer_keys(
    *, kind: str, name: str, phones: list[str] | tuple[str, ...] = (), contacts: Iterable[Any] = ()
) -> dict[str, str]:
    """The values of Customer.name_key, name_pinyin, name_initials, phone_grams and search_text for these inputs.

    `contacts` (objects with `name` and `phone`, or pairs) go into the search text; callers that do not pass them
    (a customer's own edit) are followed by `search.services.search_refresh`, which reads them from the database.
    """
    full, initials = pinyin_keys(name)
    grams = phone_grams(*phones)
    return {
        "name_key": (company_key(name) if kind == "company" else normalize_text(name))[:200],
        "name_pinyin": full,
        "name_initials": initials,
        "phone_grams": grams,
        "search_text": build_search_text(kind=kind, name=name, phones=phones, contacts=contacts, grams=grams),
    }


# --- queries --------------------------------------------------------------------------------------------------------
_PHONE_LIKE = re.compile(r"^\+?[\d\s\-().]+$")


@dataclass(frozen=True)
class Atom:
    """One token a match must contain: exactly, or (prefix=True) as the start of a token."""

    token: str
    prefix: bool = False


@dataclass(frozen=True)
class SearchQuery:
    """What a user typed, cut into what the indexes can look up."""

    text: str  # the query, trimmed, spaces collapsed
    mode: str  # "text", "phone", "email" or "" (nothing to search)
    atoms: tuple[Atom, ...] = ()
    verify: tuple[str, ...] = ()  # digit runs of 5+ digits a phone number must contain (the digests only say "maybe")
    email: str = ""  # normalised address (email mode)
    phone: str = ""  # the query as a whole number in E.164, if it is one (phone mode)

    @property
    def substring(self) -> str:
        """The text to find inside names (only for 3+ characters: shorter ones go through the tokens)."""
        return self.text if len(self.text) >= 3 else ""

    @property
    def latin_word(self) -> str:
        """The query as one pinyin-like word (letters only), for prefix matching on name_pinyin/name_initials."""
        word = self.text.lower().replace(" ", "")
        return word if word.isascii() and word.isalpha() else ""


def _digit_atoms(digits: str) -> list[Atom]:
    return [Atom(gram_token(g)) for g in query_grams(digits)]


def parse_query(q: str) -> SearchQuery:
    text = " ".join((q or "").split())[:100]
    if not text:
        return SearchQuery(text="", mode="")
    if "@" in text and " " not in text and "." in text.rsplit("@", 1)[-1]:
        return SearchQuery(text=text, mode="email", email=text)
    if _PHONE_LIKE.match(text):
        digits = query_digits(text)
        if len(digits) >= GRAM:
            return SearchQuery(
                text=text,
                mode="phone",
                atoms=tuple(_digit_atoms(digits)),
                verify=(digits,) if len(digits) > GRAM else (),
                phone=text,
            )
    atoms: list[Atom] = []
    verify: list[str] = []
    for run in word_runs(text):
        if _is_han(run):
            atoms += [Atom(t) for t in (run if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)])]
        elif run.isdigit():
            if len(run) >= GRAM:
                atoms += _digit_atoms(run)
                if len(run) > GRAM:
                    verify.append(run)
            else:
                atoms.append(Atom(run))
        else:
            atoms.append(Atom(run[:_MAX_WORD], prefix=True))
    if not atoms:
        return SearchQuery(text=text, mode="")
    return SearchQuery(text=text, mode="text", atoms=tuple(dict.fromkeys(atoms)), verify=tuple(verify))


def tokens_match(tokens: Iterable[str], atoms: Iterable[Atom]) -> bool:
    """Whether a bag of tokens contains every atom (the rule both full-text indexes apply)."""
    bag = set(tokens)
    for atom in atoms:
        if atom.prefix:
            if not any(t.startswith(atom.token) for t in bag):
                return False
        elif atom.token not in bag:
            return False
    return True
