"""Keys that make customers findable and comparable: pinyin and initials of Chinese names, a normalised company name,
and keyed digests of phone-number fragments (partial-digit search without storing numbers in clear).

The services call `customer_keys(...)` on every write and bulk paths (seed, import) call it per row; nothing here
touches the database.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

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
def pinyin_keys(name: str) -> tuple[str, str]:
    """("zhangsan", "zs") for 张三; empty strings for names without Chinese characters."""
    if not has_han(name):
        return "", ""
    syllables = [s for s in lazy_pinyin(name, style=Style.NORMAL, errors="ignore") if s]
    full = normalize_text("".join(syllables))
    initials = normalize_text("".join(s[0] for s in syllables))
    return full[:400], initials[:100]


def phone_grams(*numbers: str) -> str:
    """Space-separated keyed digests of every 4-digit run in the national digits of each number."""
    grams: set[str] = set()
    for number in numbers:
        digits = _DIGITS.sub("", number or "")
        if digits.startswith("86") and len(digits) == 13:
            digits = digits[2:]
        for i in range(len(digits) - GRAM + 1):
            grams.add(crypto.digest("g:" + digits[i : i + GRAM])[:12])
    return " ".join(sorted(grams))


def query_grams(digits: str) -> list[str]:
    """The digests a partial-digit query must all match (every 4-digit run of the query)."""
    digits = _DIGITS.sub("", digits or "")
    return sorted({crypto.digest("g:" + digits[i : i + GRAM])[:12] for i in range(len(digits) - GRAM + 1)})


def customer_keys(*, kind: str, name: str, phones: list[str] | tuple[str, ...] = ()) -> dict[str, str]:
    """The values of Customer.name_key, name_pinyin, name_initials and phone_grams for these inputs."""
    full, initials = pinyin_keys(name)
    return {
        "name_key": (company_key(name) if kind == "company" else normalize_text(name))[:200],
        "name_pinyin": full,
        "name_initials": initials,
        "phone_grams": phone_grams(*phones),
    }
