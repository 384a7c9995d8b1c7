"""Encryption of personal data at rest and keyed digests (blind indexes) for exact-match lookups.

The key comes from GUANXI_FIELD_KEY. In development (DEBUG on) a key is derived from the secret key so that a checkout
runs at once; `guanxi check --deploy` refuses a production configuration without GUANXI_FIELD_KEY.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

PREFIX = "gx1:"


@lru_cache(maxsize=4)
def _keys(secret: str) -> tuple[Fernet, bytes]:
    material = hashlib.sha256(("guanxi-field-key:" + secret).encode()).digest()
    fernet = Fernet(base64.urlsafe_b64encode(material))
    digest_key = hashlib.sha256(("guanxi-digest-key:" + secret).encode()).digest()
    return fernet, digest_key


def _secret() -> str:
    return settings.FIELD_KEY or settings.SECRET_KEY


def encrypt(value: str) -> str:
    if value == "":
        return ""
    fernet, _digest = _keys(_secret())
    return PREFIX + fernet.encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if not token or not token.startswith(PREFIX):
        return token
    fernet, _digest = _keys(_secret())
    try:
        return fernet.decrypt(token[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise ValueError("encrypted value cannot be read with the configured GUANXI_FIELD_KEY") from exc


def digest(value: str) -> str:
    """A keyed, deterministic digest for finding equal values without storing them in clear."""
    if value == "":
        return ""
    _fernet, key = _keys(_secret())
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:40]
