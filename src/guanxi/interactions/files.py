"""What an attachment may be: at most 10 MB, and one of the allowed types by its extension AND by its content.

The browser's content type is never trusted: the type is taken from the extension, and the first bytes of the file must
match it (PDF, PNG, JPEG, GIF, WebP, ZIP, the Office formats old and new); text files must decode as text. A file whose
content does not match its name is refused with a message naming the file.
"""

from __future__ import annotations

import codecs
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_SIZE = 10 * 1024 * 1024
MAX_FILES = 10
_HEAD = 8192

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")


def _starts(*magics: bytes) -> Callable[[bytes, IO[bytes]], bool]:
    return lambda head, _file: head.startswith(magics)


def _webp(head: bytes, _file: IO[bytes]) -> bool:
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


def _text(head: bytes, _file: IO[bytes]) -> bool:
    if b"\x00" in head:
        return False
    whole = len(head) < _HEAD  # else the sample may end inside a multi-byte character
    for encoding in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=whole)
        except UnicodeDecodeError:
            continue
        return True
    return False


def _ooxml(folder: str) -> Callable[[bytes, IO[bytes]], bool]:
    def check(head: bytes, file: IO[bytes]) -> bool:
        if not head.startswith(_ZIP):
            return False
        try:
            file.seek(0)
            names = zipfile.ZipFile(file).namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
        return "[Content_Types].xml" in names and any(name.startswith(folder) for name in names)

    return check


@dataclass(frozen=True)
class FileType:
    content_type: str
    matches: Callable[[bytes, IO[bytes]], bool]


ALLOWED: dict[str, FileType] = {
    ".pdf": FileType("application/pdf", _starts(b"%PDF-")),
    ".png": FileType("image/png", _starts(b"\x89PNG\r\n\x1a\n")),
    ".jpg": FileType("image/jpeg", _starts(b"\xff\xd8\xff")),
    ".jpeg": FileType("image/jpeg", _starts(b"\xff\xd8\xff")),
    ".gif": FileType("image/gif", _starts(b"GIF87a", b"GIF89a")),
    ".webp": FileType("image/webp", _webp),
    ".zip": FileType("application/zip", _starts(*_ZIP)),
    ".docx": FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ooxml("word/")),
    ".xlsx": FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ooxml("xl/")),
    ".pptx": FileType("application/vnd.openxmlformats-officedocument.presentationml.presentation", _ooxml("ppt/")),
    ".doc": FileType("application/msword", _starts(_OLE2)),
    ".xls": FileType("application/vnd.ms-excel", _starts(_OLE2)),
    ".ppt": FileType("application/vnd.ms-powerpoint", _starts(_OLE2)),
    ".txt": FileType("text/plain", _text),
    ".csv": FileType("text/csv", _text),
}


@dataclass(frozen=True)
class CheckedFile:
    file: Any  # a Django UploadedFile / File
    name: str
    size: int
    content_type: str


def _error(message: str) -> ValidationError:
    return ValidationError({"attachments": [message]})


def check_upload(file: Any) -> CheckedFile:
    """The file's safe name, size and content type, or a ValidationError on `attachments` naming the file."""
    name = PurePath(str(getattr(file, "name", "") or "")).name.strip()[:255] or "file"
    size = int(getattr(file, "size", 0) or 0)
    if size > MAX_SIZE:
        raise _error(
            _("“%(name)s” is %(size).1f MB; attachments may be at most 10 MB each.")
            % {"name": name, "size": size / (1024 * 1024)}
        )
    if size == 0:
        raise _error(_("“%(name)s” is empty.") % {"name": name})
    extension = PurePath(name).suffix.lower()
    kind = ALLOWED.get(extension)
    if kind is None:
        raise _error(
            _(
                "“%(name)s” is not an allowed type. "
                "Attach PDF, images (PNG, JPEG, GIF, WebP), Office documents, text or ZIP files."
            )
            % {"name": name}
        )
    file.seek(0)
    head = file.read(_HEAD)
    matches = kind.matches(head, file)
    file.seek(0)
    if not matches:
        raise _error(
            _("“%(name)s” does not look like a %(ext)s file; its content does not match its name.")
            % {"name": name, "ext": extension.lstrip(".").upper()}
        )
    return CheckedFile(file=file, name=name, size=size, content_type=kind.content_type)
