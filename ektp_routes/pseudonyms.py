"""Pseudonyms for card holders: ``card_ref`` = HMAC-SHA256 of the NIK under a key the user holds.

With a key, ``assignments.csv`` carries a reference per card that only a holder of the key can link
to a NIK (by computing it again); the key is checked before any work, as a short or repetitive one could be
guessed from the masked NIK's public digits.
"""

from __future__ import annotations

import hmac
from functools import partial
from pathlib import Path

from ektp_routes._errors import ConfigError
from ektp_routes.i18n import error, error_text, phrase

MIN_KEY_BYTES = 16


def check_pseudonym_key(key: bytes) -> bytes:
    """The key without surrounding whitespace; refused when it holds too little to guess at.

    With the masked NIK's 6 + 4 digits public, a short or repetitive key lets anyone recover full NIKs
    from ``card_ref`` by trying keys: at least 16 bytes with at least 8 different byte values.
    """
    k = key.strip()
    if len(k) < MIN_KEY_BYTES or len(set(k)) < 8:
        raise error(
            ConfigError, "error.key_weak", n=len(k), different=len(set(k)), least=MIN_KEY_BYTES,
            howto=phrase("key.howto"),
        )  # fmt: skip
    return k


def read_pseudonym_key(path: str | Path, *, option: str = "pseudonym key file") -> bytes:
    """The key held in a file, checked by :func:`check_pseudonym_key`."""
    p = Path(path)
    try:
        key = p.read_bytes()
    except FileNotFoundError:
        raise error(
            ConfigError, "error.key_missing", option=option, path=p, howto=phrase("key.howto")
        ) from None
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise error(ConfigError, "error.key_unreadable", option=option, path=p, why=why) from None
    try:
        return check_pseudonym_key(key)
    except ConfigError as exc:
        raise error(
            ConfigError, "error.key_file", option=option, path=p, why=partial(error_text, exc)
        ) from None


def pseudonym(key: bytes, nik: str) -> str:
    """``card_ref``: HMAC-SHA256 of the NIK under the user's key (first 24 hex digits)."""
    return hmac.new(key, nik.encode(), "sha256").hexdigest()[:24]
