"""Reading uploaded customer files: CSV in any of the encodings Chinese offices produce, and XLSX.

CSV bytes are decoded as UTF-8 (with or without the byte-order mark Excel writes) when they are valid UTF-8, else as
GB18030 (a superset of GBK and GB2312, what Excel on a Chinese Windows saves), and only then guessed by
charset-normalizer. XLSX files are read with openpyxl in read-only mode, one row at a time.

Nothing here touches the database. Every cell comes back as a stripped string.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CSV = "csv"
XLSX = "xlsx"
FORMATS = (CSV, XLSX)
MAX_COLUMNS = 200


@dataclass
class Table:
    headers: list[str]
    encoding: str  # "" for XLSX


def file_format(filename: str) -> str:
    """ "csv" or "xlsx" from the file name; raises ValidationError naming the field "file" for anything else."""
    lower = (filename or "").lower()
    if lower.endswith(".csv") or lower.endswith(".txt"):
        return CSV
    if lower.endswith(".xlsx"):
        return XLSX
    raise ValidationError({"file": _("Upload a CSV or Excel (.xlsx) file.")})


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (BOM or not) if strictly valid, else GB18030, else charset-normalizer's best guess."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ValidationError({"file": _("The file's text encoding could not be recognised; save it as UTF-8.")})
    return str(best), best.encoding


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        # Excel keeps phone numbers typed as numbers as floats: 13812345678.0.
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _csv_rows(text: str) -> Iterator[list[str]]:
    sample = text[:4096]
    delimiter = ","
    if sample:
        first_line = sample.splitlines()[0] if sample.splitlines() else ""
        counts = {d: first_line.count(d) for d in (",", ";", "\t")}
        best = max(counts, key=lambda d: counts[d])
        if counts[best] > 0:
            delimiter = best
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        yield [cell.strip() for cell in row[:MAX_COLUMNS]]


def _xlsx_rows(handle: IO[bytes]) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors for a file that is not a workbook
        raise ValidationError({"file": _("The file is not a readable Excel (.xlsx) workbook.")}) from None
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [_cell(v) for v in values[:MAX_COLUMNS]]
    finally:
        workbook.close()


def iter_rows(handle: IO[bytes], fmt: str) -> tuple[Table, Iterator[tuple[int, list[str]]]]:
    """The header row and an iterator of (row number, cells) over the data rows.

    Row numbers are those a spreadsheet shows (the header is usually row 1); blank rows are left out, short rows are
    padded to the header's width.
    """
    if fmt == XLSX:
        raw: Iterator[list[str]] = _xlsx_rows(handle)
        encoding = ""
    else:
        text, encoding = decode(handle.read())
        raw = _csv_rows(text)
    numbered = enumerate(raw, start=1)
    headers: list[str] | None = None
    for _number, row in numbered:
        if any(row):
            headers = row
            break
    if headers is None:
        raise ValidationError({"file": _("The file is empty: the first row must name the columns.")})
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)

    def data() -> Iterator[tuple[int, list[str]]]:
        for number, row in numbered:
            if any(row):
                yield number, (row + [""] * width)[:width]

    return Table(headers=headers, encoding=encoding), data()
