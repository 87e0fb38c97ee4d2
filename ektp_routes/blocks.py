"""Delivery blocks: the address structure a registry export holds, when the house is unknown.

A registry export has no coordinates, but its addresses say where a card belongs within its desa:
the settlement (Kp./Kampung, Perum./Perumahan, Komplek, Gg./Gang, a Jl. name, Blok, Dusun/Dukuh), the
RW and the RT. A *block* is one (desa, settlement, RW, RT): the households a courier serves in one go,
walking from door to door. Blocks are what the planner orders when it cannot see the houses, and what
a GIS analyst pins once (``ektp-routes blocks``) so that later plans know where each block lies.

Settlement names are read the way exports write them (the vocabulary is :mod:`ektp_routes._markers`):
any case, with or without the dot, abbreviated, stacked ("Kompleks Perumahan ...") or misspelt markers
("Kampong", "Prum", "Perumahn"), RT/RW in any spelling taken out of the name, "KM 5" never part of
it, and roman or arabic numerals ("Melati II", "Melati 2") as one name. Within one desa, names of one
kind that differ by a letter or two are merged into the most frequent spelling, and a name written
without a marker joins the marked settlement it equals or nearly equals ("Babakan Kaler" and
"Kp. Babakan Kaler").

Example
-------
>>> settlement_of("KP. BABAKAN KALER RT 003/RW 005")
('kampung', 'Babakan Kaler')
>>> settlement_of("Kompleks Perumahan Griya Asri Blok B3 No. 45")
('perumahan', 'Griya Asri')
>>> settlement_of("Jl. Masjid Melati No. 12")
('jalan', 'Masjid Melati')
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

import numpy as np
import pandas as pd
from rapidfuzz import fuzz

from ektp_routes._markers import (
    NAME_WORDS,
    SETTLEMENT_WORDS,
    fix_marker_typos,
    fold_numerals,
    markers_regex,
    numerals,
    strip_km,
)
from ektp_routes._text import fold, strip_rt_rw
from ektp_routes.i18n import log

logger = logging.getLogger(__name__)

_KINDS = tuple(SETTLEMENT_WORDS)
_MARKER = markers_regex(_KINDS)
_STOP_WORDS = "|".join(
    [*SETTLEMENT_WORDS.values(), "no|nomor|nomer|rt|rw|desa|ds|kel|kelurahan|kec|kecamatan"]
)
_ANY = re.compile(rf"\b(?:{_STOP_WORDS})\b\.?|,|\d{{5}}", re.I)
_NUMBERED = re.compile(r"\b(?:no|nomor|nomer)\b\.?\s*\d|\bblok\b", re.I)

#: Cards per household where addresses do not tell households apart (a kampung written without house
#: numbers): about two adults of a household receive their card in the same batch. An assumption,
#: used only to estimate how many doors a block has.
CARDS_PER_HOUSEHOLD = 1.8

#: Similarity (``rapidfuzz.fuzz.ratio``, 0-100) at which two spellings of a settlement name are one name.
TYPO_RATIO = 90.0

BLOCK_COLUMNS = ("settlement_kind", "settlement", "block_key")
"""Columns :func:`assign_blocks` adds to a card table."""


def settlement_of(address: str) -> tuple[str, str]:
    """(kind, name) of the settlement an address names; ("", "") when it names none.

    A name with no marker is of kind "tempat" (a place).
    """
    text = strip_km(fix_marker_typos(strip_rt_rw(address or "")), " , ")
    name_starts: dict[str, int] = {}
    for m in _MARKER.finditer(text):
        name_starts.setdefault(m.lastgroup or "", m.end())
    for kind in _KINDS:
        if kind in name_starts:
            name = _name_after(text[name_starts[kind] :])
            if kind == "blok":
                name = name.split(" ")[0] if name else ""
            if name:
                return kind, name
    bare = _clean_name(_ANY.split(text, maxsplit=1)[0])
    return ("tempat", bare) if bare and not bare[0].isdigit() else ("", "")


def _name_after(rest: str) -> str:
    """The name that follows a marker: up to the next marker, number, comma or kode pos.

    A hamlet word right after the marker begins the name ("Perum. Dukuh Zamrud", "Kp. Kampung Baru"
    is read "Kampung Baru" only where no kampung marker stands before it).
    """
    stop = _ANY.search(rest)
    if stop and stop.start() == 0 and stop.group().rstrip(".").lower() in NAME_WORDS:
        stop = _ANY.search(rest, stop.end())
    name = rest[: stop.start()] if stop else rest
    pointer = _POINTER.search(name, 1)
    return _clean_name(name[: pointer.start()] if pointer else name)


#: Where a settlement's name ends and a landmark by someone's name begins ("Kp. Gabus rumah Pak Hendra",
#: "Kp. Gabus (samping rumah H. Sulaiman)", "Jl. Melati depan Masjid"): the house of, Mr/Mrs, beside,
#: opposite, behind, near, c/o. A third person's name is personal data, no part of a place.
_POINTER = re.compile(
    r"\(|(?<![\w/])(?:rumah|rmh|bapak|bpk|pak|ibu|bu|sdr|sdri|kontrakan|samping|sebelah|depan|belakang"
    r"|dekat|d/a|c/o)(?![\w/])",
    re.I,
)


#: A run of digit groups with the separators a NIK or a phone number is written with ("3216-1727-...",
#: "+62 812 3456 7890", "0812.3456.7890").
_NUMBER_RUN = re.compile(r"\+?\d+(?:[ .\-/]{1,3}\d+)*")


def _cut_long_number(s: str) -> str:
    """``s`` up to a NIK or a phone number typed into the address (personal data, no part of a
    place's name): ten digits or more from a group of three digits or more, or one that starts with 0
    or +. A settlement's own short number followed by an unlabelled RT/RW ("Pulo 2 001 002") stays."""
    for run in _NUMBER_RUN.finditer(s):
        groups = list(re.finditer(r"\+?\d+", run.group()))
        for k, g in enumerate(groups):
            digits = sum(len(x.group().lstrip("+")) for x in groups[k:])
            if digits >= 10 and (len(g.group()) >= 3 or g.group()[0] in "0+"):
                return s[: run.start() + g.start()]
    return s


def _clean_name(s: str) -> str:
    """Words capitalised; codes with digits ("C7") and roman numerals after the first word in capitals;
    cut before a long number (:func:`_cut_long_number`)."""
    words = re.sub(r"\s+", " ", _cut_long_number(s)).strip(" .,-/(").split()
    return " ".join(
        w.upper() if any(c.isdigit() for c in w) or (i and not w.strip("ivxIVX")) else w.capitalize()
        for i, w in enumerate(words)
    )


def assign_blocks(cards: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``cards`` with each card's settlement and block key (:data:`BLOCK_COLUMNS`).

    ``cards`` needs ``desa_kode``, ``alamat``, ``rt``, ``rw`` (as :func:`~ektp_routes.cards.read_cards`
    gives them). The block key is ``desa|kind name|RW|RT``; a card whose address names no settlement
    falls back to its RW as the settlement.
    """
    out = cards.copy()
    codes, uniq = pd.factorize(out["alamat"].astype(str))
    parsed = [settlement_of(a) for a in uniq]
    kind = np.array([p[0] for p in parsed] or [""], dtype=object)[codes]
    name = np.array([p[1] for p in parsed] or [""], dtype=object)[codes]
    kind, name = places_not_people(kind, name, out)
    desa = out["desa_kode"].to_numpy(dtype=object)
    out["settlement_kind"], out["settlement"] = _merge_names(desa, kind, name)
    label = out["settlement_kind"].astype(str) + " " + out["settlement"].astype(str)
    label = label.where(out["settlement"].ne(""), "rw " + out["rw"].astype(str))
    out["block_key"] = (
        out["desa_kode"].astype(str) + "|" + label + "|" + out["rw"].astype(str) + "|" + out["rt"].astype(str)
    )
    return out


#: An unmarked address that points at a person ("Rumah Ujang", "Kontrakan Bu Haji Romlah") is a landmark
#: by someone's name, not a place.
_PERSON = re.compile(r"\b(?:rumah|rmh|bapak|bpk|pak|ibu|bu|haji|hj|h) [^\W\d_]")  # "Sektor H 5" is no one


def places_not_people(
    kind: np.ndarray, name: np.ndarray, cards: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """``kind`` and ``name`` with a settlement that is a person's name blanked: a name typed into the
    address column is not a place, and must not travel into GIS layers and maps as one (the card is
    then planned by its RW and RT).

    A settlement is taken for a name when it is, or holds (two words or more), the name of a card holder
    of the same desa, RW and RT (the card's own, or a housemate's) or two or more consecutive words of
    it ("Kp. Lina Mulyani" for "Hj. Lina Mulyani Putri"), or when, written without a marker, it begins
    by pointing at a person ("Rumah Ujang", "Bpk. H. Ujang"). Streets are named after people
    ("Jl. Ahmad Yani", "Jl. Kartini"), and so are the people living on them: a street is taken for a
    name only when it is the card's own name, or two or more consecutive words of it. Only names of
    the same RT count, so a "Kp. Melati" stays a place whatever the rest of the list is called.
    """
    if "nama" not in cards.columns or not len(name):
        return kind, name
    rt_key = (
        cards["desa_kode"].astype(str) + "|" + cards["rw"].astype(str) + "|" + cards["rt"].astype(str)
    ).to_numpy()
    own = cards["nama"].fillna("").astype(str).map(fold).to_numpy(dtype=object)
    holders: dict[str, set[str]] = {}
    for key, who in zip(rt_key, own, strict=True):
        if len(who.replace(" ", "")) >= 3:
            holders.setdefault(key, set()).update(_name_runs(who))
    names, at = np.unique(name.astype(str), return_inverse=True)
    folded = np.array([fold(n) for n in names], dtype=object)[at]
    street = np.flatnonzero((kind == "jalan") & (folded != ""))
    person = np.zeros(len(name), dtype=np.bool_)
    own_street = zip(folded[street], own[street], strict=True)
    person[street] = [" " in f and f in _name_runs(o) for f, o in own_street]
    combos = pd.Series(kind.astype(str) + "|" + folded.astype(str) + "|" + rt_key.astype(str))
    codes, uniq = pd.factorize(combos)
    parts = [str(combo).split("|", 2) for combo in uniq]
    hit = np.array([_named_person(k, f, key, holders) for k, f, key in parts], dtype=np.bool_)
    person |= hit[codes]
    if person.any():
        log(logger, logging.WARNING, "log.blocks_person", n=int(person.sum()))
    return np.where(person, "", kind), np.where(person, "", name)


@lru_cache(maxsize=65536)
def _name_runs(who: str) -> frozenset[str]:
    """A folded name and every run of two or more consecutive words of it: what an address written
    from that name may hold ("lina mulyani" of "hj lina mulyani putri")."""
    w = who.split()
    return frozenset([who, *(" ".join(w[i:j]) for i in range(len(w)) for j in range(i + 2, len(w) + 1))])


def _named_person(kind: str, words: str, key: str, holders: dict[str, set[str]]) -> bool:
    """True when a settlement (not a street) of these folded ``words`` names a holder of the RT ``key``,
    or, unmarked, points at a person."""
    if not words or kind == "jalan":
        return False
    return _names_someone(words, holders.get(key, set())) or (
        kind == "tempat" and bool(_PERSON.search(words))
    )


def _names_someone(words: str, holders: set[str]) -> bool:
    """True when ``words`` is one of ``holders``, or holds one of two words or more ("rumah lina mulyani")."""
    w = words.split()
    return words in holders or any(
        " ".join(w[i:j]) in holders for i in range(len(w)) for j in range(i + 2, len(w) + 1)
    )


def courier_place(kind: pd.Series, name: pd.Series, *, house: pd.Series | np.ndarray) -> pd.Series:
    """The settlement as a courier reads it (a manifest's settlement column): the marked name
    ("kampung Pulo"), an unmarked name alone ("Pulo"), blank where the address names none and for a
    house (its own address says more)."""
    kind, name = kind.fillna("").astype(str), name.fillna("").astype(str)
    place = (kind + " " + name).where(kind.ne("tempat"), name).where(name.ne(""), "")
    return place.where(~np.asarray(house, dtype=bool), "")


def settlement_display(settlement: pd.Series) -> pd.Series:
    """A settlement as people read it, in every output alike: the first letter capitalised ("Kampung
    Pulo", "Pulo"), the RW that stands in for an unnamed one in capitals ("RW 005"), blank stays blank."""
    s = settlement.fillna("").astype(str)
    rw = s.str.fullmatch(r"rw \S+")
    return (s.str[:1].str.upper() + s.str[1:]).where(~rw, "RW" + s.str[2:])


def block_settlement(block_key: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(kind, name) of the settlement in block keys as :func:`assign_blocks` builds them; both blank
    where the key falls back to the RW (the address names no settlement)."""
    label = block_key.fillna("").astype(str).str.split("|").str[1:-2].str.join("|").fillna("")
    parts = label.str.partition(" ")
    named = parts[0].ne("rw") & parts[2].ne("")
    return parts[0].where(named, ""), parts[2].where(named, "")


def _merge_names(desa: np.ndarray, kind: np.ndarray, name: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each card's settlement (kind, name) after merging the spellings of one desa's settlements.

    Computed once per distinct (desa, kind, name): the rare spellings of one kind map to a close,
    more frequent one, then unmarked names ("tempat") to the one marked settlement they equal or
    nearly equal (:func:`_merged_spellings`).
    """
    frame = pd.DataFrame({"d": desa, "k": kind, "n": name})
    group = frame.groupby(["d", "k", "n"], sort=False, dropna=False).ngroup().to_numpy()
    first = np.unique(group, return_index=True)[1]
    distinct = frame.iloc[first].reset_index(drop=True).assign(count=np.bincount(group))
    canon = _merged_spellings(distinct)
    kinds = np.array([canon[i][0] for i in range(len(distinct))] or [""], dtype=object)
    names = np.array([canon[i][1] for i in range(len(distinct))] or [""], dtype=object)
    return kinds[group], names[group]


def _merged_spellings(distinct: pd.DataFrame, *, min_ratio: float = TYPO_RATIO) -> dict[int, tuple[str, str]]:
    """(kind, name) each row of ``distinct`` (d, k, n, count) is merged into, by row position.

    Keys compare the folded names with numerals written one way ("Melati II" = "Melati 2"); a typo
    is forgiven as :func:`same_name` forgives it ("Asri 2" never merges into "Asri 3").
    """
    keys = {n: fold_numerals(fold(n)) for n in distinct["n"].unique()}
    ordered = distinct.assign(key=distinct["n"].map(keys), tempat=distinct["k"].eq("tempat"))
    ordered = ordered.sort_values(["tempat", "count"], ascending=[True, False], kind="stable")
    out: dict[int, tuple[str, str]] = {}
    for _, grp in ordered.groupby("d", sort=False, dropna=False):
        kept: dict[str, list[tuple[str, str]]] = {}  # kind -> (key, display name), most frequent first
        for pos, row in zip(grp.index, grp.itertuples(index=False), strict=True):
            if not row.key:
                out[pos] = (row.k, row.n)
                continue
            marked = [(k, c) for k, cands in kept.items() if k != "tempat" for c in cands]
            target = only_match(row.key, marked, min_ratio) if row.k == "tempat" else None
            if target is None:
                own = kept.setdefault(row.k, [])
                match = _closest(row.key, [(row.k, c) for c in own], min_ratio)
                if match is None:
                    own.append((row.key, row.n))
                target = match or (row.k, row.n)
            out[pos] = target
    return out


def _closest(key: str, cands: list[tuple[str, tuple[str, str]]], min_ratio: float) -> tuple[str, str] | None:
    """(kind, name) of the first candidate whose key equals ``key``, else of the first :func:`same_name`."""
    for kind, (k, n) in cands:
        if k == key:
            return kind, n
    return next(((kind, n) for kind, (k, n) in cands if same_name(key, k, min_ratio=min_ratio)), None)


def only_match(
    key: str, cands: list[tuple[str, tuple[str, str]]], min_ratio: float, *, typos: bool = True
) -> tuple[str, str] | None:
    """(kind, name) of the one candidate ``key`` names, equal or else (``typos``) a typo away; None
    when several.

    An unmarked "Pulo" in a desa with a "Kp. Pulo" and a "Perum. Pulo" could be either: it joins none.
    """
    for exact in (True, False) if typos else (True,):
        hits = {
            (kind, n)
            for kind, (k, n) in cands
            if (k == key if exact else same_name(key, k, min_ratio=min_ratio))
        }
        if hits:
            return hits.pop() if len(hits) == 1 else None
    return None


def same_name(key: str, other: str, *, min_ratio: float = TYPO_RATIO) -> bool:
    """Whether two folded settlement names (:func:`~ektp_routes._text.fold`) name one settlement.

    Numerals are read one way first ("melati ii" is "melati 2"). Equal keys are one name; a key
    longer than four letters also matches one within a typo or two (``fuzz.ratio`` at least
    ``min_ratio``) that carries the same numbers: "pondok lamma" is "pondok lama", "pulo" is not
    "pula", "griya asri 2" is not "griya asri 3".
    """
    key, other = fold_numerals(key), fold_numerals(other)
    if key == other:
        return True
    return len(key) > 4 and fuzz.ratio(key, other) >= min_ratio and numerals(key) == numerals(other)


def fold_series(s: pd.Series) -> pd.Series:
    """:func:`~ektp_routes._text.fold` of every value (computed once per distinct value)."""
    codes, uniq = pd.factorize(s.astype(str))
    folded = np.array([fold(u) for u in uniq], dtype=object)
    return pd.Series(folded[codes] if len(uniq) else [], index=s.index, dtype=object)


def doors_per_group(alamat: pd.Series, group: np.ndarray) -> np.ndarray:
    """Estimated doors (households) per group of cards (``group``: 0..G-1 per card).

    Distinct numbered addresses count one door each; cards whose address has no house number count
    1/:data:`CARDS_PER_HOUSEHOLD` door each; never fewer than one door per five cards, nor below one.
    """
    g = np.asarray(group)
    n_groups = int(g.max()) + 1 if len(g) else 0
    numbered = alamat.astype(str).str.contains(_NUMBERED).to_numpy()
    key = pd.Series(g[numbered].astype(str)) + "|" + fold_series(alamat[numbered]).to_numpy()
    distinct = np.bincount(g[numbered][~key.duplicated().to_numpy()], minlength=n_groups)
    unnumbered = np.bincount(g[~numbered], minlength=n_groups) / CARDS_PER_HOUSEHOLD
    cards = np.bincount(g, minlength=n_groups)
    return np.maximum.reduce([np.ones(n_groups), distinct + unnumbered, cards / 5.0])
