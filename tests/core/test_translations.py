"""All three languages are complete, and the catalogues hold every translatable string in the code and templates."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "guanxi"
LOCALES = ("zh_Hans", "zh_Hant", "en")


def _catalogue(locale: str) -> polib.POFile:
    path = PACKAGE / "locale" / locale / "LC_MESSAGES" / "django.po"
    assert path.is_file(), f"missing catalogue {path}"
    return polib.pofile(str(path))


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogue_is_complete(locale: str) -> None:
    po = _catalogue(locale)
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"{locale}: {len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert not fuzzy, f"{locale}: {len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"
    assert len(po) > 50


def test_catalogues_hold_every_string_in_the_source(tmp_path: Path) -> None:
    if shutil.which("xgettext") is None:
        if os.environ.get("GUANXI_REQUIRE_GETTEXT"):
            pytest.fail("GNU gettext (xgettext) is required here")
        pytest.skip("GNU gettext (xgettext) is not installed: cannot extract strings")
    copy = tmp_path / "guanxi"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("locale", "__pycache__", "static"))
    (copy / "locale").mkdir()
    subprocess.run(
        [sys.executable, "-m", "guanxi", "makemessages", "-l", "zh_Hans", "--no-location"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    extracted = {(e.msgctxt, e.msgid) for e in polib.pofile(str(copy / "locale/zh_Hans/LC_MESSAGES/django.po"))}
    for locale in LOCALES:
        present = {(e.msgctxt, e.msgid) for e in _catalogue(locale) if not e.obsolete}
        missing = sorted(m for _c, m in extracted - present)
        assert not missing, f"{locale} lacks {len(missing)} strings (run `make messages-update`), e.g. {missing[:5]}"
