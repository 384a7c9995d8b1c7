from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from guanxi.customers.validators import (
    is_valid_uscc,
    normalize_id_number,
    normalize_uscc,
    uscc_check_char,
)

# Computed by hand with GB 32100-2015 (weights 1,3,9,27,…; check = 31 − sum mod 31).
VALID = ["91350100M000100Y43", "91110000600037341L", "12100000400000624D", "91310115MA1H7GXQ8X"]


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_pass(code):
    assert is_valid_uscc(code)
    assert normalize_uscc(code) == code


def test_check_character_worked_example():
    # The weighted sum of the first 17 characters is 1640 = 52·31 + 28; 31 − 28 = 3.
    assert uscc_check_char("91350100M000100Y4") == "3"


def test_pasted_forms_are_normalised():
    assert normalize_uscc(" 9135 0100-m000100y43 ") == "91350100M000100Y43"
    assert normalize_uscc("９１３５０１００Ｍ０００１００Ｙ４３") == "91350100M000100Y43"  # full-width


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91350100M000100Y44", "last character"),  # wrong check character
        ("91350100M000100Y4", "18 characters"),
        ("91350100I000100Y43", "without I, O, Z, S"),  # I is not in the alphabet
        ("91350100M00010OY43", "without I, O, Z, S"),
    ],
)
def test_invalid_codes_name_the_problem(code, fragment):
    assert not is_valid_uscc(code)
    with pytest.raises(ValidationError) as exc:
        normalize_uscc(code)
    assert fragment in exc.value.message_dict["uscc"][0]


def test_every_single_character_change_is_caught():
    code = VALID[0]
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for i in range(17):
        for char in alphabet:
            if char != code[i]:
                assert not is_valid_uscc(code[:i] + char + code[i + 1 :])


def test_resident_id_check_character():
    assert normalize_id_number("11010519491231002x") == "11010519491231002X"
    with pytest.raises(ValidationError) as exc:
        normalize_id_number("110105194912310021")
    assert "id_number" in exc.value.message_dict
    assert normalize_id_number("E12345678") == "E12345678"  # a passport
    with pytest.raises(ValidationError):
        normalize_id_number("12")
