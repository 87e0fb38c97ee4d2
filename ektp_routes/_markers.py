"""The words that mark the parts of an Indonesian address, read as exports write them (private).

One vocabulary for every module that reads addresses (:mod:`ektp_routes.address`,
:mod:`ektp_routes.blocks`, the place names of :mod:`ektp_routes.geocode`): the settlement markers
("Kp."/"Kampung", "Perum."/"Perumahan"/"Komplek", "Dusun"/"Dukuh", "Gg."/"Gang", "Jl."/"Jalan",
"Blok") with their abbreviations, markers stacked on one another ("Kompleks Perumahan Griya Asri"),
misspelt markers ("Perumahn", "Kampng"), a distance along a road ("KM 5"), and numerals in names
("Melati II" and "Melati 2" are one name).

Example
-------
>>> fix_marker_typos("Perumahn Griya Asri"), strip_km("Jl. Raya Sukatani KM 5 No 12", " ")
('perumahan Griya Asri', 'Jl. Raya Sukatani   No 12')
>>> settlement_key("Kampung Pangkalan Girang"), settlement_key("Gg. Melati II")
('pangkalan girang', 'melati 2')
"""

from __future__ import annotations

import re
from functools import lru_cache

from ektp_routes._text import fold

#: Settlement kinds and how exports spell their markers, most specific first: a perumahan inside a
#: kampung is the perumahan. Dusun and dukuh are both hamlets.
SETTLEMENT_WORDS = {
    "perumahan": "perumahan|perum|prum|komplek|kompleks|komplex|komp|cluster|kluster|klaster",
    "kampung": "kampung|kampong|kamp|kmp|kpg|kp",
    "dusun": "dusun|dsn|dukuh|dk",
    "gang": "gang|gg",
    "jalan": "jalan|jln|jl",
    "blok": "blok|blk",
}

#: Marker words long enough to be recognised through one slip of the keyboard (a letter left out,
#: added, changed or two swapped), with the marker they stand for. Shorter markers are left exact:
#: "Dusun" is one letter from "Rusun", "Jalan" from "Jalak" (a street name).
_TYPO_TOLERANT = {"perumahan": "perumahan", "kampung": "kampung", "komplek": "komplek", "kompleks": "komplek"}

#: Full spellings of hamlet markers that also begin real names ("Perum. Dukuh Zamrud", "Kp. Kampung
#: Baru"): right after another kind's marker they are read as the first word of the name.
NAME_WORDS = frozenset({"kampung", "kampong", "dusun", "dukuh"})

_ALPHABET = "abcdefghijklmnopqrstuvwxyz"


def _one_slip(word: str) -> set[str]:
    """Every spelling one deletion, insertion, substitution or transposition away, first letter kept."""
    head, tail = word[0], word[1:]
    out = {head + tail[:i] + tail[i + 1 :] for i in range(len(tail))}
    out |= {head + tail[:i] + tail[i + 1] + tail[i] + tail[i + 2 :] for i in range(len(tail) - 1)}
    out |= {head + tail[:i] + c + tail[i + 1 :] for i in range(len(tail)) for c in _ALPHABET}
    out |= {head + tail[:i] + c + tail[i:] for i in range(len(tail) + 1) for c in _ALPHABET}
    return out


def _typo_table() -> dict[str, str]:
    exact = {w for words in SETTLEMENT_WORDS.values() for w in words.split("|")}
    table: dict[str, str] = {}
    for word, marker in _TYPO_TOLERANT.items():
        for v in _one_slip(word):
            if len(v) >= 5 and v not in exact:
                table.setdefault(v, marker)
    return table


_TYPOS = _typo_table()
_TYPO_CANDIDATE = re.compile(r"(?<![a-z])[kp][a-z]{4,10}(?![a-z])", re.I)
#: What may end the text before a marker that begins a part of an address.
_PART_BOUNDARY = re.compile(r"[,;/(\[0-9]$")
_KOMPLEK_BEFORE = re.compile(r"\b(?:komp|komplek|kompleks|komplex)\.?$", re.I)


def fix_marker_typos(text: str) -> str:
    """``text`` with misspelt settlement markers ("Perumahn", "Kmpung") written correctly.

    Only words of 5 or more letters one slip from "perumahan", "kampung", "komplek" or "kompleks",
    with the first letter right, are changed, and only where a marker can begin a part of the
    address: at its start, after a comma, semicolon, slash, bracket or number, or (Perumahan) after
    Kompleks ("Jl. Kampang Raya", "Kp. Kampang" and "Gg. Kamping 3" keep their names).
    """
    return _TYPO_CANDIDATE.sub(_fixed_typo, text)


def _fixed_typo(m: re.Match[str]) -> str:
    before = m.string[: m.start()].rstrip()
    fixed = _TYPOS.get(m.group().lower(), m.group())
    if not before or _PART_BOUNDARY.search(before):
        return fixed
    # Stacked markers: "Kompleks Perumahn" is "Kompleks Perumahan"; "Kp. Kampang" keeps its name.
    return fixed if fixed == "perumahan" and _KOMPLEK_BEFORE.search(before) else m.group()


def marker_pattern(*kinds: str) -> str:
    """Regex of one or more stacked markers of ``kinds`` ("Komp. Perum.", "Kompleks Perumahan")."""
    words = "|".join(SETTLEMENT_WORDS[k] for k in kinds)
    return rf"(?:\b(?:{words})\b\.?\s*)+"


def markers_regex(kinds: tuple[str, ...]) -> re.Pattern[str]:
    """One regex of the (stacked) markers of ``kinds``, a named group per kind: ``m.lastgroup``."""
    initials = "".join(sorted({w[0] for k in kinds for w in SETTLEMENT_WORDS[k].split("|")}))
    groups = "|".join(f"(?P<{k}>{marker_pattern(k)})" for k in kinds)
    # The lookahead lets positions that cannot begin a marker fail at once (2x faster).
    return re.compile(f"(?=[{initials}])(?:{groups})", re.I)


# "KM.24", "Km 5", "KM 24,5": a distance along a road, never part of a name.
_KM = re.compile(r"\bkm\b\.?\s*\d+(?:[.,]\d+)?", re.I)


def strip_km(text: str, repl: str) -> str:
    """``text`` with each distance along a road ("KM 5") replaced by ``repl``."""
    return _KM.sub(repl, text)


_ROMAN = re.compile(r"^(?=[ivx]+$)x{0,2}(?:ix|iv|v?i{0,3})$")
_ROMAN_VALUE = {"i": 1, "v": 5, "x": 10}


def roman_value(token: str) -> int | None:
    """The value of a lower-case roman numeral from I to XXIX ("ii" -> 2), else None."""
    if not token or not _ROMAN.match(token):
        return None
    total = 0
    for a, b in zip(token, [*token[1:], ""], strict=True):
        total += -_ROMAN_VALUE[a] if b and _ROMAN_VALUE[b] > _ROMAN_VALUE[a] else _ROMAN_VALUE[a]
    return total


def fold_numerals(key: str) -> str:
    """A folded name with its numbers written one way: "melati ii" and "melati 02" -> "melati 2".

    A roman numeral is read as a number only after the first word, so a name that is a single
    letter ("Blok C", "Blok X") or begins with "I" keeps it.
    """
    words = key.split()
    for i, w in enumerate(words):
        if w.isdigit():
            words[i] = str(int(w))
        elif i and (value := roman_value(w)) is not None:
            words[i] = str(value)
    return " ".join(words)


_MARKED_NUMERAL = re.compile(rf"^((?:{SETTLEMENT_WORDS['gang']}|{SETTLEMENT_WORDS['jalan']})\s+)([ivx]+)$")


def marked_numeral(key: str) -> str:
    """A folded gang or street name that is its marker and a roman numeral alone ("gg v", "jalan ii")
    with the numeral as its number ("gg 5"), so that "Gg. V" is OSM's "Gang 5"; other keys unchanged.

    Only right after a gang or jalan marker is a lone numeral a name's number (:func:`fold_numerals`
    never reads a first word so); a blok's letter stays a letter ("blok c", "blok x").
    """
    m = _MARKED_NUMERAL.match(key)
    value = roman_value(m.group(2)) if m else None
    return key if m is None or value is None else f"{m.group(1)}{value}"


def numerals(key: str) -> tuple[str, ...]:
    """The numbers of a name in order, roman numerals read ("melati ii" -> ("2",))."""
    return tuple(w for w in fold_numerals(key).split() if w.isdigit())


_LEADING_MARKER = re.compile("^" + marker_pattern("perumahan", "kampung", "dusun", "gang", "jalan"), re.I)


@lru_cache(maxsize=65536)
def settlement_key(name: str) -> str:
    """Key of a settlement's name, with or without its marker, as written in OSM or an address.

    "Kampung Pangkalan Girang", "Kp. Pangkalan Girang" and "Pangkalan Girang" give one key, as do
    "Perumahan Graha Sentosa" and "Graha Sentosa", "Gg. Melati II" and "Melati 2" (a street or gang
    name keeps no marker either). A marker alone is kept as the name ("Dukuh").
    """
    text = marked_numeral(fold(fix_marker_typos(name)))
    return fold_numerals(_LEADING_MARKER.sub("", text).strip() or text)
