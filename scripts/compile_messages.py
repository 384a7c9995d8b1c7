"""Compile every django.po under src/guanxi/locale into django.mo with polib (no GNU gettext needed)."""

from __future__ import annotations

from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "src" / "guanxi" / "locale"


def main() -> int:
    count = 0
    for po_path in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
        po = polib.pofile(str(po_path))
        po.save_as_mofile(str(po_path.with_suffix(".mo")))
        count += 1
    print(f"compiled {count} message catalogues")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
