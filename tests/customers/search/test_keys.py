"""The search keys: pinyin, initials, company key, phone fragments, the search text and how a query is cut."""

from __future__ import annotations

import pytest

from guanxi.customers.search import keys
from guanxi.customers.search.keys import Atom, parse_query


def test_pinyin_and_initials_of_chinese_names() -> None:
    assert keys.pinyin_keys("张三") == ("zhangsan", "zs")
    assert keys.pinyin_keys("欧阳娜娜") == ("ouyangnana", "oynn")
    assert keys.pinyin_syllables("张三") == ("zhang", "san")
    assert keys.pinyin_keys("John Smith") == ("", "")


def test_company_key_drops_region_and_legal_form() -> None:
    assert keys.company_key("上海星辰科技有限公司") == "星辰科技"
    assert keys.company_key("星辰科技股份有限公司") == "星辰科技"
    assert keys.company_key("Acme Trading Co., Ltd.") == "acmetrading"
    assert keys.company_key("ACME Trading Limited") == "acmetrading"


def test_phone_grams_cover_every_four_digit_run_without_the_country_code() -> None:
    grams = keys.phone_grams("+8613812345678").split()
    assert len(grams) == 8  # 11 digits → 8 runs of four
    assert all(len(g) == 12 for g in grams)
    assert set(keys.query_grams("5678")) <= set(grams)
    assert set(keys.query_grams("13812345678")) == set(grams)
    assert not set(keys.query_grams("8613")) & set(grams)  # the country code is not part of the number
    # Written any way, the same number has the same fragments.
    assert keys.phone_grams("+86 138-1234-5678") == keys.phone_grams("008613812345678") == " ".join(sorted(grams))


def test_landlines_are_found_with_or_without_the_trunk_zero() -> None:
    grams = set(keys.phone_grams("+862112345678").split())
    assert keys.query_digits("021 1234 5678") == "2112345678"
    assert set(keys.query_grams(keys.query_digits("021-1234-5678"))) <= grams
    assert set(keys.query_grams(keys.query_digits("+86 21 1234 5678"))) <= grams


def test_search_text_holds_name_pinyin_company_key_phone_fragments_and_contacts() -> None:
    text = keys.build_search_text(
        kind="company",
        name="上海星辰科技有限公司",
        phones=["+8613812345678"],
        contacts=[("李四", "+8613900001111")],
    )
    tokens = text.split()
    for expected in ("星辰", "辰科", "科技", "xingchenkeji", "xckj", "xing", "chen", "李四", "lisi", "ls"):
        assert expected in tokens, expected
    for gram in keys.query_grams("13812345678") + keys.query_grams("13900001111"):
        assert keys.gram_token(gram) in tokens
    # Digits never appear in clear: only 15-digit tokens of keyed digests.
    assert "5678" not in text and "1381" not in text
    assert len(tokens) == len(set(tokens))


def test_search_text_of_latin_names_folds_case_and_accents() -> None:
    assert keys.build_search_text(kind="person", name="José O'Brien-Smith") == "jose o brien smith"


def test_customer_keys_give_every_key_field() -> None:
    values = keys.customer_keys(kind="person", name="张三", phones=["+8613812345678"])
    assert values["name_pinyin"] == "zhangsan"
    assert values["name_initials"] == "zs"
    assert values["phone_grams"] == keys.phone_grams("+8613812345678")
    assert values["search_text"].startswith("张 三 张三 zhangsan zs zhang san ")


@pytest.mark.parametrize(
    ("q", "mode", "atoms"),
    [
        ("张三", "text", [Atom("张三")]),
        ("星辰科技", "text", [Atom("星辰"), Atom("辰科"), Atom("科技")]),
        ("星", "text", [Atom("星")]),
        ("zs", "text", [Atom("zs", prefix=True)]),
        ("Zhang San", "text", [Atom("zhang", prefix=True), Atom("san", prefix=True)]),
        ("101", "text", [Atom("101")]),
        ("a@b", "text", [Atom("a", prefix=True), Atom("b", prefix=True)]),
    ],
)
def test_queries_are_cut_like_the_search_text(q: str, mode: str, atoms: list[Atom]) -> None:
    query = parse_query(q)
    assert query.mode == mode
    assert list(query.atoms) == atoms


def test_phone_queries_need_four_digits_and_longer_ones_are_verified() -> None:
    assert parse_query("138").mode == "text"
    four = parse_query("5678")
    assert four.mode == "phone" and len(four.atoms) == 1 and four.verify == ()
    seven = parse_query("138-1234 5")
    assert seven.mode == "phone" and len(seven.atoms) == 5 and seven.verify == ("13812345",)
    assert parse_query("someone@example.com").mode == "email"
    assert parse_query("   ").mode == ""


def test_tokens_match_applies_prefixes_to_letters_only() -> None:
    tokens = ["zhangsan", "zs", "张三", "101"]
    assert keys.tokens_match(tokens, [Atom("zhang", prefix=True)])
    assert keys.tokens_match(tokens, [Atom("张三"), Atom("zs", prefix=True)])
    assert not keys.tokens_match(tokens, [Atom("10")])
    assert not keys.tokens_match(tokens, [Atom("zz", prefix=True)])
