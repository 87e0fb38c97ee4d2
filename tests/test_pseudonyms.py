"""Pseudonyms for card holders: the key checked before any work, and read from a file."""

from __future__ import annotations

import pytest

from ektp_routes import ConfigError
from ektp_routes.pseudonyms import check_pseudonym_key, pseudonym, read_pseudonym_key


def test_weak_pseudonym_keys_are_refused_with_a_how_to(tmp_path) -> None:  # type: ignore[no-untyped-def]
    for weak in (b"", b"   \n", b"kunci-rahasia", b"a" * 64, b"0101010101010101010101"):
        with pytest.raises(ConfigError, match=r"too weak.*secrets\.token_hex"):
            check_pseudonym_key(weak)
    good = b"7f3a9c0e51b24d86a1e5f0c3b9d27e64\n"
    assert check_pseudonym_key(good) == good.strip()
    p = tmp_path / "k"
    p.write_bytes(good)
    assert read_pseudonym_key(p) == good.strip()
    with pytest.raises(ConfigError, match="does not exist"):
        read_pseudonym_key(tmp_path / "none")


def test_a_pseudonym_is_the_same_for_the_same_key_and_nik_and_differs_otherwise() -> None:
    key = b"7f3a9c0e51b24d86a1e5f0c3b9d27e64"
    ref = pseudonym(key, "3216101201900001")
    assert ref == pseudonym(key, "3216101201900001")
    assert len(ref) == 24 and "3216101201900001" not in ref
    assert ref != pseudonym(key, "3216101201900002")
    assert ref != pseudonym(b"another-key-0123456789abcdef", "3216101201900001")
