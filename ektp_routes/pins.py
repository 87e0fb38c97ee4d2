"""One pin per block, placed once: the blocks file a GIS analyst edits, read back as precision "block".

``ektp-routes blocks CARDS --out blocks.gpkg`` writes one row per delivery block (desa, settlement, RW,
RT) with its estimated households (a whole number) and cards and a suggested point: the mean of what
geocoding found for its cards (a street match when ``--osm`` is given, else the desa's point) with that
precision. An analyst moves the points in QGIS (a few thousand settlements for a kabupaten, not 100,000
houses) and ``--blocks blocks.gpkg`` gives every later ``plan`` and ``geocode`` run the pins: each pin is
checked to lie in its desa (with a small tolerance) or refused with its reason, the block it names and,
outside its desa, by how many metres; the cards of a pinned block get precision "block" unless they
already have a better one. A CSV saved again by a spreadsheet (semicolons, decimal commas, upper-case
headers) is read as it comes.

Three rooms: :mod:`ektp_routes.pins_write` writes the blocks file, :mod:`ektp_routes.pins_read` reads
the moved points back and checks them, and this module gives cards their pins (:class:`PinGeocoder`).
Every public name of the three is importable from here.

Pins are reused by later runs whose lists write a settlement differently. A card finds the pinned
settlement of its desa by name, folded as :mod:`ektp_routes.blocks` folds it: case, punctuation and the
marker do not count ("KP. PONDOK LAMA", "Pondok Lama", "Kampung Pondok Lama" are one), and a typo or
two in a longer name is the same name (:func:`~ektp_routes.blocks.same_name`: "Pondok Lamma"). A
settlement of the card's kind is taken first; one of another kind only when the name alone tells one
settlement of the desa. Within it, the most specific pin of the card's block wins:

1. the pin of its own RT (a row with desa, settlement, RW and RT);
2. the pin of its RW (a row with RT left empty: the settlement's part in that RW);
3. the moved pin of a sibling RT (same desa, settlement and RW), the nearest in RT number, the lower
   RT on a tie: an analyst who moved one RT row has placed the settlement, and its other RTs are
   nearer that point than the desa's;
4. the pin of the whole settlement (a row with RW and RT left empty).

Pins no card falls under (a settlement spelt beyond a typo, a block not in this list) are counted and
logged in one line with the first of them as a place (settlements and codes, no personal data).

A pin does not make its households one point: a block is still visited as a unit, door to door (the
walk inside is estimated by :mod:`ektp_routes.estimate`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ektp_routes._markers import fold_numerals
from ektp_routes._text import fold
from ektp_routes.blocks import TYPO_RATIO, assign_blocks, only_match
from ektp_routes.geocode import GeocodeResult
from ektp_routes.i18n import log
from ektp_routes.pins_read import (
    BLOCK_FILE_SUFFIXES,
    PIN_TOLERANCE_M,
    REJECT_COLUMNS,
    UNMOVED_M,
    Pins,
    block_label,
    pin_layers,
    pin_settlement,
    read_pins,
    reason_message,
)
from ektp_routes.pins_write import (
    BLOCK_FILE_COLUMNS,
    block_table,
    refuse_overwriting_pins,
    whole_households,
    write_blocks,
)

__all__ = [
    "BLOCK_FILE_COLUMNS",
    "BLOCK_FILE_SUFFIXES",
    "PIN_TOLERANCE_M",
    "REJECT_COLUMNS",
    "UNMOVED_M",
    "PinGeocoder",
    "Pins",
    "UnmatchedPins",
    "block_label",
    "block_table",
    "pin_layers",
    "read_pins",
    "reason_message",
    "refuse_overwriting_pins",
    "whole_households",
    "write_blocks",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class UnmatchedPins:
    """Pins no card of a run fell under (a settlement written otherwise, a block not in this list).

    Attributes
    ----------
    n
        Pins that matched no card.
    total
        Pins offered.
    first
        The first of them by its row ("row 12 below the header: desa 32.16.23.2001 RW 002 RT 001"), ""
        if none.
    """

    n: int
    total: int
    first: str = ""


_Settlement = tuple[str, str, str]  # (desa_kode, kind, folded name)


class PinGeocoder:
    """Cards of a pinned block (or settlement) at the pin, precision "block".

    Which pin a card takes is described in the module docstring. After each :meth:`geocode`,
    :attr:`unmatched` says how many pins no card fell under (and a warning is logged when any).
    """

    name = "pin"

    def __init__(self, pins: Pins) -> None:
        p = pins.pins.reset_index(drop=True)
        self._rows = p
        self._xy = list(zip(p["lon"].astype(float), p["lat"].astype(float), strict=True))
        self._places: dict[str, list[_Settlement]] = {}
        self._slots: dict[tuple[_Settlement, str, str], int] = {}
        self._rts: dict[tuple[_Settlement, str], list[tuple[int, int]]] = {}
        self._repeats: dict[int, list[int]] = {}
        for i, (kode, kind, name, rw, rt) in enumerate(
            zip(p["desa_kode"], p["settlement_kind"], p["settlement"], p["rw"], p["rt"], strict=True)
        ):
            sid = (str(kode), *pin_settlement(str(kind), str(name)))
            if sid not in self._places.setdefault(sid[0], []):
                self._places[sid[0]].append(sid)
            # A repeated block: the later row wins, and stands for the earlier ones (not "unmatched").
            self._repeats[i] = [i, *self._repeats.pop(self._slots.get((sid, rw, rt), -1), [])]
            self._slots[(sid, rw, rt)] = i
        for (sid, rw, rt), i in self._slots.items():
            if rt.isdigit():
                self._rts.setdefault((sid, rw), []).append((int(rt), i))
        self._resolved: dict[tuple[str, str, str], _Settlement | None] = {}
        self.unmatched = UnmatchedPins(0, len(p))

    def geocode(self, cards: pd.DataFrame) -> list[GeocodeResult | None]:
        b = assign_blocks(cards)
        used: set[int] = set()
        out: list[GeocodeResult | None] = []
        for kode, kind, name, rw, rt in zip(
            b["desa_kode"], b["settlement_kind"], b["settlement"], b["rw"], b["rt"], strict=True
        ):
            sid = self._settlement(str(kode), str(kind), str(name))
            hit = None if sid is None else self._pin_of(sid, str(rw), str(rt), used)
            lon, lat = self._xy[hit] if hit is not None else (np.nan, np.nan)
            out.append(None if hit is None else GeocodeResult(lon, lat, "block", str(kode), 1.0, self.name))
        self.unmatched = self._unmatched(used)
        return out

    def _settlement(self, kode: str, kind: str, name: str) -> _Settlement | None:
        """The pinned settlement of the desa a card's settlement is: the same folded name, of the
        card's kind or else of the one other-kind settlement so named; failing that a typo of it
        (:func:`~ektp_routes.blocks.same_name`), taken only when one settlement of that kind (else of
        the other kinds) is that close."""
        if (kode, kind, name) not in self._resolved:
            key = fold_numerals(fold(name))  # "Melati II" is "Melati 2", as blocks reads names
            places = [(k, (fold_numerals(n), n)) for _, k, n in self._places.get(kode, ())]
            own = [p for p in places if p[0] == kind]
            other = [p for p in places if p[0] != kind]
            hits = (
                only_match(key, cands, TYPO_RATIO, typos=typos)
                for typos in (False, True)
                for cands in (own, other)
            )
            hit = next((h for h in hits if h is not None), None)
            self._resolved[(kode, kind, name)] = None if hit is None else (kode, *hit)
        return self._resolved[(kode, kind, name)]

    def _pin_of(self, sid: _Settlement, rw: str, rt: str, used: set[int]) -> int | None:
        """The most specific pin of a card's block: its own RT, its RW (RT left empty), the nearest
        pinned RT of its RW, the whole settlement. Pins whose area holds the card count as used."""
        own, in_rw, whole = (self._slots.get(k) for k in ((sid, rw, rt), (sid, rw, ""), (sid, "", "")))
        used.update(i for i in (own, in_rw, whole) if i is not None)
        hit = own if own is not None else in_rw
        if hit is None and rt.isdigit() and (sid, rw) in self._rts:
            n = int(rt)
            hit = min(self._rts[(sid, rw)], key=lambda r: (abs(r[0] - n), r[0]))[1]
            used.add(hit)
        return hit if hit is not None else whole

    def _unmatched(self, used: set[int]) -> UnmatchedPins:
        used = {j for i in used for j in self._repeats[i]}
        idle = [i for i in range(len(self._xy)) if i not in used]
        if not idle:
            return UnmatchedPins(0, len(self._xy))
        r = self._rows.iloc[idle[0]]
        block = block_label(r.desa_kode, r.rw, r.rt)
        line = f"row {r.line} below the header: " if "line" in self._rows.columns else ""
        u = UnmatchedPins(len(idle), len(self._xy), line + block)
        key = "log.pins_unmatched_line" if line else "log.pins_unmatched"
        log(logger, logging.WARNING, key, n=u.n, total=u.total, line=r.line if line else "", block=block)
        return u
