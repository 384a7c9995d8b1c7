"""Validators for identifiers customers carry: the unified social credit code (统一社会信用代码, GB 32100-2015) and the
mainland resident identity card number (GB 11643-1999). Pure functions; the services turn their errors into field
errors.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# GB 32100-2015: 31 characters, the letters I, O, Z, S and V are not used.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_SHAPE = re.compile(r"^[0-9A-HJ-NP-RTUW-Y]{18}$")

# GB 11643-1999: 17 digits and an ISO 7064 MOD 11-2 check character.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_RESIDENT_ID = re.compile(r"^\d{17}[\dX]$")
_OTHER_ID = re.compile(r"^[A-Z0-9-]{5,30}$")


def _plain(value: str) -> str:
    """Full-width to half-width, no spaces or dashes, upper case (codes are often pasted from PDFs)."""
    return re.sub(r"[\s-]+", "", unicodedata.normalize("NFKC", value or "")).upper()


def uscc_check_char(first17: str) -> str:
    """The check character for the first 17 characters of a unified social credit code."""
    total = sum(USCC_ALPHABET.index(char) * weight for char, weight in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(value: str) -> bool:
    code = _plain(value)
    return bool(_USCC_SHAPE.match(code)) and uscc_check_char(code[:17]) == code[17]


def normalize_uscc(value: str, *, field: str = "uscc") -> str:
    """The code in its canonical form ("" for empty); ValidationError naming `field` when it is not a valid code."""
    code = _plain(value)
    if not code:
        return ""
    if len(code) != 18:
        raise ValidationError(
            {field: _("A unified social credit code has 18 characters; this one has %(count)d.") % {"count": len(code)}}
        )
    if not _USCC_SHAPE.match(code):
        raise ValidationError(
            {
                field: _(
                    "A unified social credit code uses only digits and the capital letters A–Y without I, O, Z, S "
                    "and V."
                )
            }
        )
    if uscc_check_char(code[:17]) != code[17]:
        raise ValidationError(
            {field: _("This unified social credit code is mistyped: its last character does not match the others.")}
        )
    return code


def id_check_char(first17: str) -> str:
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def normalize_id_number(value: str, *, field: str = "id_number") -> str:
    """A mainland resident ID (18 characters, check character verified) or another document number (5–30 letters and
    digits, e.g. a passport); "" for empty."""
    number = _plain(value)
    if not number:
        return ""
    if len(number) == 18 and number[:17].isdigit():
        if not _RESIDENT_ID.match(number) or id_check_char(number[:17]) != number[17]:
            raise ValidationError(
                {field: _("This resident ID number is mistyped: its last character does not match the others.")}
            )
        return number
    if not _OTHER_ID.match(number):
        raise ValidationError(
            {field: _("Enter an ID number of 5 to 30 letters and digits (a resident ID has 18 characters).")}
        )
    return number
