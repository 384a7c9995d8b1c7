"""Encryption of personal data at rest and keyed digests (blind indexes) for exact-match lookups.

Values are encrypted with AES-256-GCM (a random 96-bit nonce per value, authenticated) and stored as
`gx2:<urlsafe base64 of nonce + ciphertext>`. The key comes from GUANXI_FIELD_KEY. In development (DEBUG on) a key is
derived from the secret key so that a checkout runs at once; `guanxi check --deploy` refuses a production
configuration without GUANXI_FIELD_KEY.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

PREFIX = "gx2:"
NONCE_BYTES = 12


@lru_cache(maxsize=4)
def _keys(secret: str) -> tuple[AESGCM, hmac.HMAC]:
    cipher = AESGCM(hashlib.sha256(("guanxi-field-key:" + secret).encode()).digest())
    digest_key = hashlib.sha256(("guanxi-digest-key:" + secret).encode()).digest()
    # A keyed HMAC to copy for each digest: copying skips re-deriving the inner and outer pads every time.
    return cipher, hmac.new(digest_key, digestmod=hashlib.sha256)


def _secret() -> str:
    return settings.FIELD_KEY or settings.SECRET_KEY


def encrypt(value: str) -> str:
    if value == "":
        return ""
    cipher = _keys(_secret())[0]
    nonce = os.urandom(NONCE_BYTES)
    return PREFIX + base64.urlsafe_b64encode(nonce + cipher.encrypt(nonce, value.encode(), None)).decode()


def decrypt(token: str) -> str:
    if not token or not token.startswith(PREFIX):
        return token
    cipher = _keys(_secret())[0]
    try:
        raw = base64.urlsafe_b64decode(token[len(PREFIX) :])
        return cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], None).decode()
    except (InvalidTag, ValueError) as exc:
        raise ValueError("encrypted value cannot be read with the configured GUANXI_FIELD_KEY") from exc


def digest(value: str) -> str:
    """A keyed, deterministic digest for finding equal values without storing them in clear."""
    if value == "":
        return ""
    mac = _keys(_secret())[1].copy()
    mac.update(value.encode())
    return mac.hexdigest()[:40]
