"""Delivery blocks: the address structure a registry export holds, when the house is unknown.

A registry export has no coordinates, but its addresses say where a card belongs within its desa:
the settlement (Kp./Kampung, Perum./Perumahan, Komplek, Gg./Gang, a Jl. name, Blok, Dusun), the RW and
the RT. A *block* is one (desa, settlement, RW, RT): the households a courier serves in one go, walking
from door to door. Blocks are what the planner orders when it cannot see the houses, and what a GIS
analyst pins once (``ektp-routes blocks``) so that later plans know where each block lies.

Settlement names are read the way exports write them: any case, with or without the dot, common
misspellings of the markers ("Kampong", "Prum", "Gg"), and small typos in the name itself (names of one
kind within one desa that differ by a letter or two are merged into the most frequent spelling).

Example
-------
>>> settlement_of("KP. BABAKAN KALER RT 003/RW 005")
('kampung', 'Babakan Kaler')
>>> settlement_of("Perum. Griya Asri Blok B3 No. 45")
('perumahan', 'Griya Asri')
>>> settlement_of("Jl. Masjid Melati No. 12")
('jalan', 'Masjid Melati')
"""

from __future__ import annotations

import logging
import re

import numpy as np
import pandas as pd
from rapidfuzz import fuzz

from ektp_routes._text import fold, strip_rt_rw

logger = logging.getLogger(__name__)

#: Settlement kinds, most specific first: a perumahan inside a kampung is the perumahan.
_KINDS = {
    "perumahan": r"perumahan|perum|prum|komplek|kompleks|komplex|komp|cluster",
    "kampung": r"kampung|kampong|kamp|kmp|kpg|kp",
    "dusun": r"dusun|dsn",
    "gang": r"gang|gg",
    "jalan": r"jalan|jln|jl",
    "blok": r"blok|blk",
}
_MARKER = {k: re.compile(rf"\b(?:{v})\b\.?\s*", re.I) for k, v in _KINDS.items()}
_ANY = re.compile(
    r"\b(?:" + "|".join(_KINDS.values()) + r"|no|nomor|nomer|rt|rw|desa|ds|kel|kelurahan|kec|kecamatan)\b\.?"
    r"|,|\d{5}",
    re.I,
)
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
    """(kind, name) of the settlement an address names; ("", "") when it names none."""
    text = strip_rt_rw(address or "")
    for kind, marker in _MARKER.items():
        m = marker.search(text)
        if not m:
            continue
        rest = text[m.end() :]
        stop = _ANY.search(rest)
        name = _clean_name(rest[: stop.start()] if stop else rest)
        if kind == "blok":
            name = name.split(" ")[0] if name else ""
        if name:
            return kind, name
    bare = _clean_name(_ANY.split(text, maxsplit=1)[0])
    return ("tempat", bare) if bare and not bare[0].isdigit() else ("", "")


def _clean_name(s: str) -> str:
    s = re.sub(r"\s+", " ", s).strip(" .,-/")
    return " ".join(w.capitalize() if not any(c.isdigit() for c in w) else w.upper() for w in s.split())


def assign_blocks(cards: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``cards`` with each card's settlement and block key (:data:`BLOCK_COLUMNS`).

    ``cards`` needs ``desa_kode``, ``alamat``, ``rt``, ``rw`` (as :func:`~ektp_routes.cards.read_cards`
    gives them). The block key is ``desa|kind name|RW|RT``; a card whose address names no settlement
    falls back to its RW as the settlement.
    """
    out = cards.copy()
    codes, uniq = pd.factorize(out["alamat"].astype(str))
    parsed = [settlement_of(a) for a in uniq]
    kind = np.array([p[0] for p in parsed], dtype=object)[codes] if len(uniq) else np.array([], dtype=object)
    name = np.array([p[1] for p in parsed], dtype=object)[codes] if len(uniq) else np.array([], dtype=object)
    out["settlement_kind"] = kind
    out["settlement"] = _merge_typos(
        out["desa_kode"], pd.Series(kind, index=out.index), pd.Series(name, index=out.index)
    )
    label = out["settlement_kind"].astype(str) + " " + out["settlement"].astype(str)
    label = label.where(out["settlement"].ne(""), "rw " + out["rw"].astype(str))
    out["block_key"] = (
        out["desa_kode"].astype(str) + "|" + label + "|" + out["rw"].astype(str) + "|" + out["rt"].astype(str)
    )
    return out


def _merge_typos(
    desa: pd.Series, kind: pd.Series, name: pd.Series, *, min_ratio: float = TYPO_RATIO
) -> pd.Series:
    """Within each (desa, kind), map rare spellings to a close, more frequent one."""
    key = fold_series(name)
    counts = pd.DataFrame({"d": desa, "k": kind, "key": key, "name": name}).value_counts().reset_index()
    canon: dict[tuple[str, str, str], str] = {}
    for (_, _), grp in counts.groupby(["d", "k"], sort=False):
        kept: list[tuple[str, str]] = []  # (key, display name), most frequent first
        for row in grp.itertuples(index=False):
            target = next((n for k, n in kept if same_name(row.key, k, min_ratio=min_ratio)), None)
            if target is None:
                if not any(k == row.key for k, _ in kept):
                    kept.append((row.key, row.name))
                target = next(n for k, n in kept if k == row.key)
            canon[(row.d, row.k, row.name)] = target
    return pd.Series(
        [canon.get((d, k, n), n) for d, k, n in zip(desa, kind, name, strict=True)],
        index=name.index,
        dtype=object,
    )


def same_name(key: str, other: str, *, min_ratio: float = TYPO_RATIO) -> bool:
    """Whether two folded settlement names (:func:`~ektp_routes._text.fold`) name one settlement.

    Equal keys do; a key longer than four letters also matches one within a typo or two
    (``fuzz.ratio`` at least ``min_ratio``): "pondok lamma" is "pondok lama", "pulo" is not "pula".
    """
    return key == other or (len(key) > 4 and fuzz.ratio(key, other) >= min_ratio)


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
