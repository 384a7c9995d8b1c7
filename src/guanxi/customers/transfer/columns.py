"""The columns a customer file may hold: their keys, labels, the header words that name them in en, zh-Hans and
zh-Hant, and the parsing of choice and date cells. Shared by import (mapping, validation) and export (headers).

Custom fields appear as `custom:<key>` and are matched by their label or key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.customers.customfields import custom_field_definitions
from guanxi.customers.models import (
    CompanySize,
    Customer,
    CustomFieldDefinition,
    Gender,
    Industry,
    LifecycleStage,
    Source,
)
from guanxi.customers.search.keys import normalize_text

CUSTOM_PREFIX = "custom:"


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise | str
    aliases_text: str = ""  # header words, separated by |
    choices: type[models.TextChoices] | None = None
    extra_choice_words: str = ""  # word=value pairs, separated by |

    @property
    def aliases(self) -> list[str]:
        return [word for word in self.aliases_text.split("|") if word]

    @property
    def extra_choices(self) -> dict[str, str]:
        return dict(pair.split("=", 1) for pair in self.extra_choice_words.split("|") if "=" in pair)


# Header words people use for each column, beside the field's own label in every language (added automatically).
STANDARD_COLUMNS: tuple[Column, ...] = (
    Column(
        "name",
        gettext_lazy("Name"),
        "name|customer|customer name|company name|full name|姓名|名称|客户|客户名称|客户名|公司名称|企业名称|名稱|客戶|"
        "客戶名稱|客戶名|企業名稱",
    ),
    Column(
        "kind",
        gettext_lazy("Type"),
        "type|kind|customer type|类型|客户类型|類型|客戶類型",
        choices=Customer.Kind,
        extra_choice_words="个人=person|個人=person|individual=person|企业=company|企業=company|公司=company|"
        "organisation=company|organization=company",
    ),
    Column(
        "phone",
        gettext_lazy("Phone"),
        "phone|mobile|telephone|tel|cell|phone number|mobile phone|手机|手机号|手机号码|电话|电话号码|联系电话|手機|"
        "手機號|手機號碼|電話|電話號碼|聯絡電話|聯繫電話",
    ),
    Column(
        "email",
        gettext_lazy("Email"),
        "email|e-mail|mail|email address|邮箱|电子邮箱|电子邮件|邮件|郵箱|電子郵件|電子信箱|電郵|信箱",
    ),
    Column("owner", gettext_lazy("Owner"), "owner|sales rep|account owner|负责人|所有人|销售|業務|負責人|擁有者"),
    Column(
        "gender",
        gettext_lazy("gender"),
        "gender|sex|性别|性別",
        choices=Gender,
        extra_choice_words="男=male|女=female|m=male|f=female",
    ),
    Column("birthday", gettext_lazy("birthday"), "birthday|date of birth|birth date|dob|生日|出生日期"),
    Column("industry", gettext_lazy("industry"), "industry|sector|行业|所属行业|行業|產業", choices=Industry),
    Column(
        "company_size",
        gettext_lazy("company size"),
        "company size|size|employees|公司规模|规模|人员规模|公司規模|規模",
        choices=CompanySize,
    ),
    Column(
        "source",
        gettext_lazy("source"),
        "source|channel|lead source|来源|客户来源|渠道|來源|客戶來源|管道",
        choices=Source,
    ),
    Column(
        "lifecycle_stage",
        gettext_lazy("lifecycle stage"),
        "lifecycle stage|stage|lifecycle|生命周期阶段|阶段|生命週期階段|階段",
        choices=LifecycleStage,
    ),
    Column(
        "uscc",
        gettext_lazy("unified social credit code"),
        "uscc|credit code|unified social credit code|统一社会信用代码|信用代码|統一社會信用代碼|統一編號|税号|稅號",
    ),
    Column("province", gettext_lazy("province"), "province|state|省|省份|省/直辖市|省市"),
    Column("city", gettext_lazy("city"), "city|town|城市|市|所在城市"),
    Column("notes", gettext_lazy("notes"), "notes|note|remarks|comment|备注|備註|說明|说明"),
)
COLUMNS_BY_KEY = {column.key: column for column in STANDARD_COLUMNS}
# Export has a few read-only columns beside the importable ones.
EXPORT_ONLY: tuple[Column, ...] = (
    Column("id", "ID"),
    Column("value_tier", gettext_lazy("value tier")),
    Column("tags", gettext_lazy("tags")),
    Column("created_at", gettext_lazy("created")),
)


def custom_definitions() -> list[CustomFieldDefinition]:
    """The active custom fields, in display order."""
    return custom_field_definitions()


def _label_words(label: Promise | str) -> set[str]:
    words = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            words.add(normalize_text(str(label)))
    return words


def normalize_header(value: str) -> str:
    return normalize_text(value)


def header_signature(headers: Iterable[str]) -> str:
    """The same for every file whose header row reads the same (ignoring case, width, spaces and punctuation)."""
    normalised = [normalize_header(h) for h in headers]
    return hashlib.sha256(json.dumps(normalised, ensure_ascii=False).encode()).hexdigest()


def header_words(definitions: Iterable[CustomFieldDefinition]) -> dict[str, str]:
    """normalised header word → column key."""
    words: dict[str, str] = {}
    for definition in definitions:
        key = CUSTOM_PREFIX + definition.key
        words.setdefault(normalize_text(definition.label), key)
        words.setdefault(normalize_text(definition.key), key)
    for column in STANDARD_COLUMNS:
        for word in (*column.aliases, column.key):
            words[normalize_text(word)] = column.key
        for word in _label_words(column.label):
            words.setdefault(word, column.key)
    return words


def guess_mapping(headers: list[str], definitions: Iterable[CustomFieldDefinition]) -> dict[str, str]:
    """{column index: field key} for the headers we recognise; each field at most once (the leftmost column wins)."""
    words = header_words(definitions)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for index, header in enumerate(headers):
        key = words.get(normalize_text(header))
        if key and key not in used:
            mapping[str(index)] = key
            used.add(key)
    return mapping


def field_choices(definitions: Iterable[CustomFieldDefinition]) -> list[tuple[str, str]]:
    """(key, label) of every column a file may be mapped to, standard first."""
    out = [(column.key, _first_upper(str(column.label))) for column in STANDARD_COLUMNS]
    out += [(CUSTOM_PREFIX + d.key, d.label) for d in definitions]
    return out


def field_label(key: str, definitions: Iterable[CustomFieldDefinition] = ()) -> str:
    if key.startswith(CUSTOM_PREFIX):
        for definition in definitions:
            if CUSTOM_PREFIX + definition.key == key:
                return definition.label
        return key[len(CUSTOM_PREFIX) :]
    column = COLUMNS_BY_KEY.get(key) or next((c for c in EXPORT_ONLY if c.key == key), None)
    return _first_upper(str(column.label)) if column else key


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def clean_mapping(
    raw: dict[str, Any], headers: list[str], definitions: Iterable[CustomFieldDefinition]
) -> dict[str, str]:
    """A mapping the import can use: known columns and fields only, each field once, and the name mapped."""
    allowed = {key for key, _label in field_choices(definitions)}
    mapping: dict[str, str] = {}
    seen: dict[str, str] = {}
    errors: list[str] = []
    for index_text, key in (raw or {}).items():
        if not key:
            continue
        try:
            index = int(index_text)
        except (TypeError, ValueError):
            errors.append(_("Unknown column “%(column)s”.") % {"column": index_text})
            continue
        if not 0 <= index < len(headers):
            errors.append(_("Unknown column “%(column)s”.") % {"column": index_text})
            continue
        if key not in allowed:
            errors.append(_("“%(field)s” is not a customer field.") % {"field": key})
            continue
        if key in seen:
            errors.append(
                _("“%(field)s” is chosen for two columns: “%(first)s” and “%(second)s”.")
                % {"field": field_label(key, definitions), "first": seen[key], "second": headers[index]}
            )
            continue
        seen[key] = headers[index]
        mapping[str(index)] = key
    if "name" not in seen and not errors:
        errors.append(_("Choose the column that holds the customer's name."))
    if errors:
        raise ValidationError({"mapping": errors})
    return mapping


# --- cells ------------------------------------------------------------------------------------------------------------
def choice_words(column: Column) -> dict[str, str]:
    assert column.choices is not None
    words: dict[str, str] = {}
    for value, label in column.choices.choices:
        if value:
            words[normalize_text(str(value))] = str(value)
            for word in _label_words(label):
                words.setdefault(word, str(value))
    for word, value in column.extra_choices.items():
        words.setdefault(normalize_text(word), value)
    return words


_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*(?:[ T].*)?$")


def parse_date(value: str) -> dt.date:
    match = _DATE.match(value)
    if match:
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise ValueError(value)
