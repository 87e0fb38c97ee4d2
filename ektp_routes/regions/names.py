"""Region names as people write them: normalised keys, aliases, fuzzy matching, and the verdict.

A :class:`NameIndex` holds the names (and known aliases) of one kind of region, desa or kecamatan,
under their normalised keys; :meth:`NameIndex.resolve` turns one written name into a
:class:`Resolution`: exact, then alias, then a close spelling, preferring the regions a card's other
fields point at, and refusing a name that fits several regions equally well rather than guessing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from rapidfuzz import fuzz, process

from ektp_routes._errors import RegionError
from ektp_routes._text import compact, name_key, name_variants
from ektp_routes.i18n import Messages, messages
from ektp_routes.regions.units import Desa, Kecamatan, label

ResolutionStatus = Literal["exact", "alias", "fuzzy", "address", "ambiguous", "unknown", "empty"]

#: How much closer than ``min_score`` a name may be when the candidate lies where the kecamatan or
#: kode pos of the card says (a stated kecamatan is strong evidence; "Sirnajaya" in Cibarusah is
#: Sirnajati, 78% alike, not the Sirnajaya of Serang Baru).
HINT_SLACK = 10.0


@dataclass(frozen=True, slots=True)
class Resolution:
    """Result of resolving a written name to a region.

    ``status`` is "exact" (the normalised name matched), "alias" (a known alternative name),
    "fuzzy" (a close spelling, ``confidence`` < 1), "address" (found in address text,
    ``confidence`` < 1), "ambiguous" (several regions fit equally well: ``candidates`` lists them and
    ``region`` is None), "unknown" or "empty". ``matched`` is the name or alias the query matched;
    ``passed_over`` the regions bearing the query's exact name that lie outside the stated
    kecamatan/kode pos, which a candidate inside them beat.
    """

    query: str
    status: ResolutionStatus
    confidence: float
    region: Desa | Kecamatan | None = None
    candidates: tuple[Desa | Kecamatan, ...] = ()
    scores: tuple[float, ...] = ()
    matched: str = ""
    passed_over: tuple[Desa | Kecamatan, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the name resolved to one region."""
        return self.region is not None

    @property
    def desa(self) -> Desa:
        """The desa the name resolved to; RegionError when it resolved to none (or to a kecamatan)."""
        if not isinstance(self.region, Desa):
            raise RegionError(f"{self.query!r} did not resolve to a desa/kelurahan ({self.status})")
        return self.region

    @property
    def kecamatan(self) -> Kecamatan:
        """The kecamatan the name resolved to; RegionError when it resolved to none (or to a desa)."""
        if not isinstance(self.region, Kecamatan):
            raise RegionError(f"{self.query!r} did not resolve to a kecamatan ({self.status})")
        return self.region

    def describe(self, t: Messages | None = None) -> str:
        """A one-line human explanation (used in reject messages), in the language of ``t`` (English
        when None)."""
        t = t or messages("en")
        if self.region is None:
            return self.refusal(t)
        shown = {"query": repr(self.query), "region": label(self.region), "status": self.status}
        shown["confidence"] = f"{self.confidence:.2f}"
        if self.matched and self.status in ("alias", "fuzzy"):
            out = t("region.resolved_via", matched=repr(self.matched), **shown)
        else:
            out = t("region.resolved", **shown)
        if self.passed_over:
            out = t("region.passed_over", resolved=out, others=", ".join(map(label, self.passed_over)))
        return out

    def refusal(self, t: Messages) -> str:
        """Why the name resolved to no region, in the language of ``t`` (a name that resolved: '')."""
        if self.region is not None:
            return ""
        if self.status == "empty":
            return t("region.empty")
        if self.status == "ambiguous":
            return t(
                "region.ambiguous", query=repr(self.query), options=", ".join(map(label, self.candidates))
            )
        near = ", ".join(f"{label(c)} ({s:.0f}%)" for c, s in zip(self.candidates, self.scores, strict=False))
        unknown = t("region.unknown", query=repr(self.query))
        return t("region.unknown_near", unknown=unknown, near=near) if near else unknown


@dataclass(frozen=True)
class NameIndex:
    """The names and aliases of one kind of region under their normalised keys.

    Regions are numbered by their position in the sequence the index was built from; ``prefixes``
    are the words dropped before a name (None: those of a desa, "Ds.", "Kel." ...).
    """

    prefixes: tuple[str, ...] | None
    keys: list[str] = field(default_factory=list)
    owners: list[int] = field(default_factory=list)
    exact: dict[str, list[int]] = field(default_factory=dict)
    alias: dict[str, list[int]] = field(default_factory=dict)
    written: dict[str, str] = field(default_factory=dict)  # compact key -> the name or alias as written

    @classmethod
    def build(
        cls, names: Sequence[str], aliases: Mapping[str, int], prefixes: tuple[str, ...] | None
    ) -> NameIndex:
        """Index ``names`` (every spelling variant of each) and ``aliases`` (alias -> region number)."""
        idx = cls(prefixes)
        for i, name in enumerate(names):
            for v in name_variants(name):
                ck = idx.key(v)
                idx.exact.setdefault(ck, [])
                idx.written.setdefault(ck, v)
                if i not in idx.exact[ck]:
                    idx.exact[ck].append(i)
                    idx.keys.append(ck)
                    idx.owners.append(i)
        for alias, owner in aliases.items():
            ck = idx.key(alias)
            idx.alias.setdefault(ck, []).append(owner)
            idx.written.setdefault(ck, alias)
        return idx

    def key(self, text: str) -> str:
        """The normalised, compacted key of a written name."""
        return compact(name_key(text) if self.prefixes is None else name_key(text, self.prefixes))

    def named(self, name: str) -> list[int]:
        """The regions whose name or alias is exactly ``name`` once normalised (no fuzzy matching)."""
        key = self.key(name)
        return list(dict.fromkeys(self.exact.get(key, []) + self.alias.get(key, [])))

    def resolve(
        self,
        name: str | None,
        regions: Sequence[Desa] | Sequence[Kecamatan],
        *,
        preferred: set[int] | None,
        min_score: float,
    ) -> Resolution:
        """The region ``name`` means; one in ``preferred`` wins within ``min_score - HINT_SLACK``."""
        query = "" if name is None else str(name)
        variants = [self.key(v) for v in name_variants(query)]
        variants = [v for v in variants if v]
        if not variants:
            return Resolution(query, "empty", 0.0)
        lookup = _Lookup(query, variants, self, regions)
        if preferred is not None:
            inside = lookup.match(preferred, min_score - HINT_SLACK)
            if inside.ok:
                outside = [i for i in lookup.exact_hits() if i not in preferred]
                return replace(inside, passed_over=tuple(regions[i] for i in outside))
            if inside.status == "ambiguous" and not lookup.exact_hits():
                return inside
        return lookup.match(None, min_score)


@dataclass(frozen=True)
class _Lookup:
    """One written name looked up in a name index: exact, then alias, then fuzzy (private)."""

    query: str
    variants: list[str]
    index: NameIndex
    regions: Sequence[Desa] | Sequence[Kecamatan]

    def exact_hits(self) -> list[int]:
        """The regions whose normalised name is exactly one of the query's variants."""
        return list(dict.fromkeys(h for v in self.variants for h in self.index.exact.get(v, [])))

    def match(self, allowed: set[int] | None, min_score: float) -> Resolution:
        """The best region among ``allowed`` (all when None) scoring at least ``min_score``."""
        for table, status in ((self.index.exact, "exact"), (self.index.alias, "alias")):
            found = [
                (v, h) for v in self.variants for h in table.get(v, []) if allowed is None or h in allowed
            ]
            hits = list(dict.fromkeys(h for _, h in found))
            if len(hits) == 1:
                written = self.index.written.get(found[0][0], "")
                return Resolution(self.query, status, 1.0, self.regions[hits[0]], matched=written)  # type: ignore[arg-type]
            if len(hits) > 1:
                return self._ambiguous([(h, 100.0) for h in hits])
        return self._fuzzy(allowed, min_score)

    def _fuzzy(self, allowed: set[int] | None, min_score: float) -> Resolution:
        best: dict[int, tuple[float, str]] = {}
        for v in self.variants:
            for key, score, pos in process.extract(v, self.index.keys, scorer=fuzz.ratio, limit=8):
                owner = self.index.owners[pos]
                if (allowed is None or owner in allowed) and score > best.get(owner, (-1.0, ""))[0]:
                    best[owner] = (float(score), key)
        ranked = sorted(((i, sc) for i, (sc, _) in best.items()), key=lambda kv: -kv[1])
        top = ranked[:5]
        need = min_score + (5.0 if min(len(v) for v in self.variants) <= 6 else 0.0)
        if not top or top[0][1] < need:
            near = tuple(self.regions[i] for i, _ in top[:3])
            return Resolution(self.query, "unknown", 0.0, None, near, tuple(s for _, s in top[:3]))
        if len(top) > 1 and top[0][1] - top[1][1] < 4.0:
            return self._ambiguous([kv for kv in top if top[0][1] - kv[1] < 4.0])
        i, score = top[0]
        written = self.index.written.get(best[i][1], best[i][1])
        return Resolution(self.query, "fuzzy", round(score / 100.0, 3), self.regions[i], matched=written)  # type: ignore[arg-type]

    def _ambiguous(self, scored: list[tuple[int, float]]) -> Resolution:
        cands = tuple(self.regions[i] for i, _ in scored)
        return Resolution(self.query, "ambiguous", 0.0, None, cands, tuple(s for _, s in scored))
