from __future__ import annotations

from typing import Any

from django.db import models

from guanxi.core import crypto


class EncryptedTextField(models.TextField):
    """Text stored encrypted (Fernet, key from GUANXI_FIELD_KEY); reads return the clear value.

    Not searchable in the database: pair it with a digest column for exact lookups.
    """

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None:
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        if isinstance(value, str) and value.startswith(crypto.PREFIX):
            return value
        return crypto.encrypt(str(value))
