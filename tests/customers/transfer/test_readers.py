"""Reading uploaded files: encodings are detected, XLSX cells become the strings a user typed."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError

from guanxi.customers.transfer import readers
from tests.factories_transfer import csv_bytes, xlsx_bytes

ROWS = [["客户名称", "手機", "备注"], ["张三", "13812345678", "老客户"], ["臺北商行", "0912345678", "繁體"]]


def _read(data: bytes, fmt: str = "csv") -> tuple[readers.Table, list[tuple[int, list[str]]]]:
    table, rows = readers.iter_rows(io.BytesIO(data), fmt)
    return table, list(rows)


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("utf-8", "utf-8-sig"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030")],
)
def test_csv_encodings_are_detected(encoding: str, detected: str) -> None:
    rows = [*ROWS, ["𠮷野家", "13912345678", "GB18030 四字节"]] if encoding == "gb18030" else ROWS
    table, data = _read(csv_bytes(rows, encoding))
    assert table.encoding == detected
    assert table.headers == ["客户名称", "手機", "备注"]  # no BOM left on the first header
    assert [cells for _n, cells in data] == rows[1:]


def test_bytes_that_are_neither_utf8_nor_gb18030_fall_back_to_charset_detection() -> None:
    data = "Name,City\nJosé Müller,Zürich\nFrançois,Genève\n".encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("gb18030")
    table, rows = _read(data)
    assert table.encoding not in ("utf-8-sig", "gb18030")
    assert rows[0][1] == ["José Müller", "Zürich"]


def test_row_numbers_are_the_spreadsheet_rows_and_blank_rows_are_left_out() -> None:
    _table, rows = _read(b"Name,Phone\n\nAlice,1\n,\nBob\n")
    assert [(n, cells) for n, cells in rows] == [(3, ["Alice", "1"]), (5, ["Bob", ""])]


def test_semicolon_and_tab_separated_files() -> None:
    assert _read(b"Name;Phone\nAlice;138\n")[1] == [(2, ["Alice", "138"])]
    assert _read(b"Name\tPhone\nAlice\t138\n")[1] == [(2, ["Alice", "138"])]


def test_xlsx_numbers_and_dates_read_as_typed() -> None:
    table, rows = _read(
        xlsx_bytes([["Name", "Phone", "Birthday"], ["Alice", 13812345678, dt.date(1990, 5, 17)], [None, None, None]]),
        "xlsx",
    )
    assert table.headers == ["Name", "Phone", "Birthday"]
    assert rows == [(2, ["Alice", "13812345678", "1990-05-17"])]


def test_unreadable_files_are_field_errors() -> None:
    with pytest.raises(ValidationError) as empty:
        _read(b"\n\n")
    assert "file" in empty.value.message_dict
    with pytest.raises(ValidationError) as broken:
        _read(b"not a zip", "xlsx")
    assert "file" in broken.value.message_dict
    with pytest.raises(ValidationError):
        readers.file_format("customers.pdf")
