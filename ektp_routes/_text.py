"""Normalisation of Indonesian place names and free text (private).

Names are reduced to a *key*: lower case, accents and punctuation removed, administrative prefixes
("Desa", "Ds.", "Kel.", "Kecamatan", ...) dropped, old (pre-1972 Van Ophuijsen/Soewandi) spellings
such as "Tjikarang" or "Soekadjaja" brought to the current spelling, and common abbreviations
("Kr." for Karang, "Tj." for Tanjung) expanded. The *compact* key also drops spaces, so "Karang Bahagia"
and "Karangbahagia" meet.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_PARENS = re.compile(r"\(([^)]*)\)")

#: Month names and abbreviations as Excel and people write dates in Bahasa Indonesia or English
#: ("Agu", "Agt", "Nop", "Mei", "May") -> month number.
MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        (
            "jan januari january", "feb peb februari pebruari february", "mar maret march",
            "apr april", "mei may", "jun juni june", "jul juli july",
            "agu agt ags agus agustus aug august", "sep sept september", "okt oct oktober october",
            "nov nop november nopember", "des dec desember december",
        ),
        start=1,
    )
    for name in names.split()
}  # fmt: skip

DESA_PREFIXES = (
    "kelurahan desa",
    "desa kelurahan",
    "kel desa",
    "desa kel",
    "kelurahan",
    "kalurahan",
    "desa",
    "kel",
    "kl",
    "ds",
)
KECAMATAN_PREFIXES = ("kecamatan", "kec", "kc", "kcm")

# Abbreviations found in hand-typed Indonesian place names (whole words only).
_ABBREVIATIONS = {
    "kr": "karang",
    "krg": "karang",
    "tj": "tanjung",
    "tg": "tanjung",
    "tjg": "tanjung",
    "pd": "pondok",
    "ckr": "cikarang",
    "sel": "selatan",
    "ut": "utara",
    "utr": "utara",
    "tim": "timur",
    "brt": "barat",
    "bar": "barat",
    "psr": "pasir",
}


def fold(text: str) -> str:
    """Lower-case ASCII words separated by single spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    return _NON_ALNUM.sub(" ", text).strip()


def modern_spelling(words: str) -> str:
    """Bring pre-1972 spellings to the current one when the text shows them (dj, tj, oe).

    "djaja" -> "jaya", "tjikarang" -> "cikarang", "soeka" -> "suka". Text without those digraphs is
    left alone, so that a current "jaya" is not turned into "yaya".
    """
    if not any(d in words for d in ("dj", "tj", "oe", "sj", "nj ")):
        return words
    w = words.replace("dj", "\x01").replace("tj", "c").replace("oe", "u").replace("sj", "sy")
    w = w.replace("nj", "ny").replace("j", "y").replace("\x01", "j").replace("ch", "kh")
    return w


def strip_prefix(words: str, prefixes: tuple[str, ...]) -> str:
    for p in prefixes:
        if words == p:
            return ""
        if words.startswith(p + " "):
            return words[len(p) + 1 :]
    return words


@lru_cache(maxsize=65536)
def name_key(text: str, prefixes: tuple[str, ...] = DESA_PREFIXES) -> str:
    """Normalised, space-separated key of a place name (prefix removed, spelling modernised)."""
    words = fold(text)
    words = strip_prefix(words, prefixes)
    words = modern_spelling(words)
    words = " ".join(_ABBREVIATIONS.get(w, w) for w in words.split())
    return words


def compact(key: str) -> str:
    """The key without spaces ("karang bahagia" -> "karangbahagia")."""
    return key.replace(" ", "")


def name_variants(text: str) -> list[str]:
    """The whole name and, for "Sirnajaya (Sirnajati)"-style names, each part on its own."""
    parts = [_PARENS.sub(" ", text)]
    parts += [m.group(1) for m in _PARENS.finditer(text)]
    for sep in ("/", " atau ", " alias "):
        if sep in parts[0]:
            parts += parts[0].split(sep)
    out: list[str] = []
    for p in parts:
        p = p.strip()
        if p and p not in out:
            out.append(p)
    return out


# RT/RW as written in addresses: "RT 003/RW 005", "RT.3 RW.5", "Rt 03 Rw 05", "RT-003 RW-005", "R.T 3 R.W 5",
# "RT:3 RW:5", "RT003RW005" (glued to each other), "PULORT003" (glued to the word before, in capitals),
# "RT/RW 003/005", "003/005", "3/5" (a bare N/M is kept apart from house and blok numbers by
# :func:`parse_rt_rw`), two zero-padded numbers with no label ending the address ("Griya Asri 2 001 002",
# "Perum Graha 01 02", "Kp. Pulo 003-005"; see :func:`_rt_rw_matches` for what they may follow), two
# unpadded ones ending an address of a settlement name only ("Kp. Pulo 3 5"; never after a number, a
# street, gang, house-number or blok word: "Griya Asri 3 5", "Jl. Mawar 12 3" are left as written), and
# an RT or an RW alone ("RW 5").
_RT = r"(?:(?<![a-z])r(?:\.\s?)?t|(?<=[a-z])(?-i:RT)(?=[.:-]?\d))\.?(?![a-z])"
_RW = r"(?:(?<![a-z])r(?:\.\s?)?w|(?<=[a-z])(?-i:RW)(?=[.:-]?\d))\.?(?![a-z])"
_TO_NUMBER = r"[\s.:-]*"
_BETWEEN = r"[\s,;./\\-]*"
RT_RW_PATTERN = re.compile(
    rf"""(?ix)
    (?=[r0-9])  # every form begins with R or a digit: other positions fail at once (4x faster)
    (?:(?:{_RT}\s*[./\\]?\s*{_RW}{_TO_NUMBER}(?P<a1>\d{{1,3}})(?:\s*[/\\-]\s*|\s+)(?P<b1>\d{{1,3}})(?!\d))  # RT/RW 3/5
    |(?:{_RT}{_TO_NUMBER}(?P<a2>\d{{1,3}})(?!\d)
        (?:{_BETWEEN}{_RW}{_TO_NUMBER}(?P<b2>\d{{1,3}})(?!\d)                              # RT 3 RW 5
          |(?:\s*[/\\,-]\s*|\s+)(?P<c2>\d{{1,3}})\b))                                   # RT 3/5
    |(?:{_RW}{_TO_NUMBER}(?P<b3>\d{{1,3}})(?!\d){_BETWEEN}{_RT}{_TO_NUMBER}(?P<a3>\d{{1,3}})(?!\d))  # RW 5 RT 3
    |(?:(?<![\w/.\\-])(?P<a4>\d{{1,3}})\s*/\s*(?P<b4>\d{{1,3}})(?![\w/\\-]))            # 003/005, 3/5
    |(?:(?<![\w/.\\-])(?P<a7>0\d{{1,2}})(?:\s*-\s*|\s+)(?P<b7>0\d{{1,2}})                 # 001 002 ending
        (?=\s*(?:$|[,;]|\b(?:desa|ds|kel|kelurahan|kec|kecamatan)\b)))                      # the address
    |(?:(?<![\w/.\\-])(?P<a8>[1-9]\d?)\s+(?P<b8>[1-9]\d?)                                 # 3 5 ending
        (?=\s*(?:$|[,;]|\b(?:desa|ds|kel|kelurahan|kec|kecamatan)\b)))                      # the address
    |(?:{_RT}{_TO_NUMBER}(?P<a5>\d{{1,3}})(?!\d))                                       # RT 3 alone
    |(?:{_RW}{_TO_NUMBER}(?P<b6>\d{{1,3}})(?!\d)))                                      # RW 5 alone
    """
)
_RT_GROUPS = ("a1", "a2", "a3", "a4", "a5", "a7", "a8")
_RW_GROUPS = ("b1", "b2", "c2", "b3", "b4", "b6", "b7", "b8")
# A bare "12/3" right after a house-number, blok or kavling marker is that number, not RT/RW:
# "No. 12/3", "Blok C 2/15", "Kav. 7/2".
_NOT_RT_RW_BEFORE = re.compile(
    r"(?:\b(?:no|nomor|nomer|kav|kavling)\b\.?\s*|\b(?:blok|blk)\b\.?\s*(?:[a-z0-9]+\s+)?)$", re.I
)


# The numbers right before an unlabelled "001 002": a settlement's own short number ("Griya Asri 2") may
# stand there; a zero-padded or longer one, or several, make the pair part of something else (a phone
# number, a code), and it is left as written.
_NUMBERS_BEFORE = re.compile(r"(?<![^\s,;:(])(\+?\d+(?:[\s./-]+\d+)*)[\s./-]*$")


def _unlabelled_pair_read(text: str, m: re.Match[str]) -> bool:
    """Whether the unlabelled pair ``m`` ("001 002", ending the address) is read as RT/RW: after
    nothing but one short settlement number ("Griya Asri 2"; :data:`_NUMBERS_BEFORE`), and not after
    a house-number, blok or kavling marker ("No. 12 01 02", "Blok A3 01 02")."""
    before = text[: m.start()]
    run = _NUMBERS_BEFORE.search(before)
    if run is not None:
        if not re.fullmatch(r"[1-9]\d?", run.group(1)):
            return False
        before = before[: run.start()]
    return not _NOT_RT_RW_BEFORE.search(before.rstrip() + " ")


# Words after which a short number is a house, blok, gang, floor or kilometre number, part of a street's
# name, or a housing estate's phase ("Griya Asri 3"): an unpadded pair in an address holding one is not
# read as RT/RW ("Jl. Mawar 12 3", "Perum Griya Asri 3 5").
_NUMBERED_PLACE_WORD = re.compile(
    r"\b(?:jl|jln|jalan|gg|gang|no|nomor|nomer|blok|blk|kav|kavling|km|lt|lantai|kamar|unit|tower|tahap|"
    r"sektor|cluster|klaster|perum|perumahan|perumnas|komplek|kompleks|komp|residence|regency|villa|vila|"
    r"griya|graha|town|park|garden)\b|#",
    re.I,
)


def _unpadded_pair_read(text: str, m: re.Match[str]) -> bool:
    """Whether the unpadded pair ``m`` ("3 5", ending the address) is read as RT/RW: only right after a
    word of a settlement's name ("Kp. Pulo 3 5"), with no number before it ("Kp. Pulo 2 3 5") and no
    street, gang, house-number, blok or housing-estate word anywhere before it
    (:data:`_NUMBERED_PLACE_WORD`: "Griya Asri 3 5" may be phase 3 of Griya Asri)."""
    before = text[: m.start()]
    return not re.search(r"\d", before) and not _NUMBERED_PLACE_WORD.search(before) and bool(before.strip())


def _rt_rw_matches(text: str) -> list[re.Match[str]]:
    """The RT/RW written in ``text``, leaving out a bare "N/M" that is a house or blok number and an
    unlabelled pair that may be part of another number (:func:`_unlabelled_pair_read`)."""
    return [
        m
        for m in RT_RW_PATTERN.finditer(text)
        if not (m.group("a4") and _NOT_RT_RW_BEFORE.search(text, 0, m.start()))
        and not (m.group("a7") and not _unlabelled_pair_read(text, m))
        and not (m.group("a8") and not _unpadded_pair_read(text, m))
    ]


def parse_rt_rw(text: str) -> tuple[str, str]:
    """RT and RW found in a piece of address text, as 3-digit strings ("" when absent).

    The first RT and the first RW written count, together ("RT 3/RW 5") or apart ("RW 5").

    >>> parse_rt_rw("Kp. Babakan Kaler 3 / 5"), parse_rt_rw("Jl. Mawar No. 12/3"), parse_rt_rw("Kp. Pulo RW 5")
    (('003', '005'), ('', ''), ('', '005'))
    """
    rt = rw = ""
    for m in _rt_rw_matches(text or ""):
        rt = rt or next((m.group(g) for g in _RT_GROUPS if m.group(g)), "")
        rw = rw or next((m.group(g) for g in _RW_GROUPS if m.group(g)), "")
        if rt and rw:
            break
    return rt.zfill(3) if rt else "", rw.zfill(3) if rw else ""


def strip_rt_rw(text: str, repl: str = " , ") -> str:
    """``text`` with every RT/RW that :func:`parse_rt_rw` would read replaced by ``repl``."""
    out, last = [], 0
    for m in _rt_rw_matches(text):
        out += [text[last : m.start()], repl]
        last = m.end()
    return "".join(out) + text[last:]


def normalise_rt(value: str) -> str:
    """ "RT.3", "03", "3", "003" -> "003"; "" when no number."""
    m = re.search(r"\d{1,3}", value or "")
    return m.group(0).zfill(3) if m else ""
