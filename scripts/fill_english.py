"""Fill the English catalogue: English is the source language, so each msgstr is its msgid (plural forms too)."""

from __future__ import annotations

from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "src" / "guanxi" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def main() -> int:
    po = polib.pofile(str(PO))
    filled = 0
    for entry in po:
        if entry.obsolete:
            continue
        # A fuzzy entry holds gettext's guess from a similar old string: never keep it, English is the msgid itself.
        fuzzy = "fuzzy" in entry.flags
        if entry.msgid_plural:
            if fuzzy or entry.msgstr_plural != {0: entry.msgid, 1: entry.msgid_plural}:
                entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
                filled += 1
        elif fuzzy or entry.msgstr != entry.msgid:
            entry.msgstr = entry.msgid
            filled += 1
        if fuzzy:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
    po.save()
    print(f"filled {filled} English entries")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
