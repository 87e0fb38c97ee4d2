"""Parsing Indonesian addresses as the civil registry writes them.

``parse_address("Jl. Melati Raya No. 12 RT 003/RW 005 Kel. Setia Asih Kec. Tarumajaya 17215")``
finds the street (Jalan / Jl. / Jln.), gang (Gg. / Gang), kampung (Kp. / Kampung / Kmp., or a hamlet:
Dusun / Dsn. / Dukuh / Dk.), perumahan (Perum. / Perumahan / Komp. / Komplek, stacked or misspelt as in
"Kompleks Perumahan", "Perumahn"), blok, house number (No. / Nomor), RT and RW in their many
spellings, desa/kelurahan, kecamatan and kode pos; "KM 5" (a distance along a road) is no part of a name.

Example
-------
>>> a = parse_address("JL. MELATI RAYA NO.12 RT.3 RW.5 Ds. Karang Bahagia Kec. Karang Bahagia 17535")
>>> (a.street, a.number, a.rt, a.rw, a.desa, a.kecamatan, a.kodepos)
('Jalan Melati Raya', '12', '003', '005', 'Karang Bahagia', 'Karang Bahagia', '17535')
>>> parse_address("Kp. Babakan Kaler Gg. Mawar 2 003/005").kampung
'Babakan Kaler'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ektp_routes._markers import fix_marker_typos, marked_numeral, marker_pattern, strip_km
from ektp_routes._text import fold, parse_rt_rw, strip_rt_rw
from ektp_routes.regions import Desa, Gazetteer, Kecamatan, Resolution

# Each component: a regex for its marker. The value runs until the next marker or a comma. Settlement
# markers are the shared vocabulary of :mod:`ektp_routes._markers` (stacked: "Kompleks Perumahan ...");
# a dusun or dukuh (a hamlet) is read as the kampung.
_MARKERS = {
    "street": marker_pattern("jalan"),
    "gang": marker_pattern("gang"),
    "kampung": marker_pattern("kampung", "dusun"),
    "perumahan": marker_pattern("perumahan"),
    "blok": r"\bblok\b\.?",
    "number": r"\b(?:nomor|nomer|no)\b\.?",
    "desa": r"\b(?:kelurahan|kel|desa|ds)\b\.?",
    "kecamatan": r"\b(?:kecamatan|kec)\b\.?",
    "kabupaten": r"\b(?:kabupaten|kab)\b\.?",
}
_ANY_MARKER = re.compile("|".join(f"(?:{m})" for m in _MARKERS.values()) + r"|\brt\b|\brw\b|,", re.I)
_TAGGED_MARKER = re.compile(
    "|".join(f"(?P<{k}>{m})" for k, m in _MARKERS.items()) + r"|(?P<sep>[,;()]|\brt\b|\brw\b)", re.I
)
_KODEPOS = re.compile(r"(?<!\d)(\d{5})(?!\d)")
_BLOK = re.compile(r"\bblok\b\.?\s*([A-Za-z0-9][A-Za-z0-9./-]*)", re.I)
_NUMBER = re.compile(_MARKERS["number"] + r"\s*([0-9]+[A-Za-z]?(?:\s*[-/]\s*[0-9A-Za-z]+)?)", re.I)


@dataclass(frozen=True, slots=True)
class ParsedAddress:
    """Components of an address; empty strings where absent."""

    raw: str
    street: str = ""
    gang: str = ""
    kampung: str = ""
    perumahan: str = ""
    blok: str = ""
    number: str = ""
    rt: str = ""
    rw: str = ""
    desa: str = ""
    kecamatan: str = ""
    kodepos: str = ""

    def street_query(self) -> str:
        """The most specific named thing to look up on a map: street, else gang, else kampung/perumahan."""
        return self.street or self.gang or self.kampung or self.perumahan


def _title(s: str) -> str:
    s = re.sub(r"\s+", " ", s).strip(" .,-/")
    return " ".join(
        w if w.isupper() and len(w) <= 3 and any(c.isdigit() for c in w) else w.capitalize()
        for w in s.split()
    )


def _prepare(text: str) -> tuple[str, str, str, str, str, str]:
    """Take out what is recognised by its shape: RT/RW, kode pos, KM, blok and house number."""
    s = fix_marker_typos((text or "").replace("\n", " "))
    rt, rw = parse_rt_rw(s)
    s = strip_rt_rw(s)
    kodepos = ""
    m = _KODEPOS.search(s)
    if m and m.group(1)[0] != "0":
        kodepos = m.group(1)
        s = s[: m.start()] + " , " + s[m.end() :]
    s = strip_km(s, " , ")
    blok = ""
    b = _BLOK.search(s)  # before the other markers: "Blok GG/5M-5N" is a blok, not a gang
    if b:
        blok = b.group(1).upper()
        s = s[: b.start()] + " , " + s[b.end() :]
    number = ""
    n = _NUMBER.search(s)  # the first "No." that has a number ("No Jl. Mawar No.43" -> 43)
    if n:
        number = n.group(1).replace(" ", "")
        s = s[: n.start()] + " , " + s[n.end() :]
    return s, rt, rw, kodepos, blok, number


def parse_address(text: str) -> ParsedAddress:
    """Split an Indonesian address line into its parts (tolerant of case and abbreviations).

    Only marked parts are found here ("Ds. Jatireja", "Kec. Cikarang Timur"); desa and kecamatan
    names written without markers are found by :func:`find_desa`, which knows the names.
    """
    s, rt, rw, kodepos, blok, number = _prepare(text)
    parts: dict[str, str] = {}
    for key in ("street", "gang", "kampung", "perumahan", "desa", "kecamatan"):
        mm = re.search(_MARKERS[key], s, re.I)
        if mm:
            rest = s[mm.end() :]
            nxt = _ANY_MARKER.search(rest)
            parts[key] = _title(rest[: nxt.start()] if nxt else rest)
    street = parts.get("street", "")
    return ParsedAddress(
        raw=text or "",
        street=f"Jalan {street}" if street else "",
        gang=f"Gang {parts['gang']}" if parts.get("gang") else "",
        kampung=parts.get("kampung", ""),
        perumahan=parts.get("perumahan", ""),
        blok=blok,
        number=number,
        rt=rt,
        rw=rw,
        desa=parts.get("desa", ""),
        kecamatan=parts.get("kecamatan", ""),
        kodepos=kodepos,
    )


# ---------------------------------------------------------------------------------------------- names in text
#: Confidence of a desa found in address text, by where its name stood and whether the kecamatan
#: (stated in its column, or named in the text) or the kode pos agrees.
_CONFIDENCE = {("plain", True): 0.9, ("plain", False): 0.8, ("place", True): 0.7, ("place", False): 0.6}
# Segments after these markers name a street, gang or building: a desa name there is no evidence.
_NOT_A_PLACE = {"street", "gang", "blok", "number", "kabupaten"}


@dataclass(frozen=True)
class _Mentions:
    """The desa and kecamatan names an address mentions, by the kind of segment they stood in."""

    desa: tuple[tuple[str, str, Desa], ...]  # (segment kind: plain/place, words as written, desa)
    kecamatan: tuple[Kecamatan, ...]
    plain: tuple[str, ...]  # unmarked segments of 1-3 words naming no kecamatan (maybe a misspelt desa)


def _segments(s: str) -> list[tuple[str, str]]:
    """(marker kind or "", text) pieces of an address, split at markers and commas."""
    out: list[tuple[str, str]] = []
    kind, start = "", 0
    for m in _TAGGED_MARKER.finditer(s):
        out.append((kind, s[start : m.start()]))
        kind, start = (m.lastgroup if m.lastgroup != "sep" else "") or "", m.end()
    out.append((kind, s[start:]))
    return [(k, t) for k, t in out if t.strip()]


def _mentions(s: str, gaz: Gazetteer) -> _Mentions:
    desa: list[tuple[str, str, Desa]] = []
    kec: list[Kecamatan] = []
    plain: list[str] = []
    for kind, text in _segments(s):
        if kind in _NOT_A_PLACE:
            continue
        strength = "place" if kind in ("kampung", "perumahan") else "plain"
        words = [w for w in fold(text).split() if not w.isdigit()]
        if kind == "" and 0 < len(words) <= 3 and not gaz.kecamatan_named(" ".join(words)):
            plain.append(" ".join(words))
        i = 0
        while i < len(words):
            for n in range(min(4, len(words) - i), 0, -1):
                gram = " ".join(words[i : i + n])
                d_hits, k_hits = gaz.desa_named(gram), gaz.kecamatan_named(gram)
                if d_hits or k_hits:
                    desa += [(strength if kind != "desa" else "plain", gram, d) for d in d_hits]
                    kec += list(k_hits)
                    i += n
                    break
            else:
                i += 1
    return _Mentions(tuple(desa), tuple(dict.fromkeys(kec)), tuple(plain))


def find_desa(
    text: str, gazetteer: Gazetteer, *, kecamatan: str | None = None, kodepos: str | None = None
) -> Resolution:
    """The desa an address names, with or without a "Desa/Ds./Kel." marker.

    ``kecamatan`` and ``kodepos`` (from their own columns) narrow the choice, as do a kecamatan
    and a kode pos named in the text. A name that fits several desa is refused ("ambiguous") with
    its candidates; the result never quotes the address (personal data), only place names.

    Example
    -------
    >>> gaz = Gazetteer.bekasi()
    >>> r = find_desa("Kp. Rawa Bogo RT 02/05, Jatireja, Cikarang Timur", gaz)
    >>> r.desa.nama, r.status, r.confidence
    ('Jatireja', 'address', 0.9)
    """
    gaz, kecamatan, kodepos = gazetteer, (kecamatan or "").strip(), (kodepos or "").strip()
    parsed = parse_address(text or "")
    kodepos = kodepos or parsed.kodepos
    if parsed.desa:
        r = gaz.resolve_desa(
            parsed.desa, kecamatan=parsed.kecamatan or kecamatan or None, kodepos=kodepos or None
        )
        if r.ok:
            return Resolution(parsed.desa, "address", min(r.confidence, 0.95), r.region, matched=r.matched)
    found = _mentions(_prepare(text or "")[0], gaz)
    hint = _hinted_kecamatan(gaz, kecamatan, parsed.kecamatan, found.kecamatan)
    zone = {d.kode for d in gaz.desa_with_kodepos(kodepos)} if kodepos else set()
    for strength in ("plain", "place"):
        cands = {d.kode: (gram, d) for kind, gram, d in found.desa if kind == strength}
        agree = {k: v for k, v in cands.items() if v[1].kecamatan_kode in hint or k in zone}
        picked = _pick(agree if hint or zone else cands, _CONFIDENCE[(strength, bool(agree))])
        if picked is not None:
            return picked
    if len(hint) == 1:  # a misspelt desa name standing alone, inside the one kecamatan the card states
        kec_code = next(iter(hint))
        close = [gaz.resolve_desa(seg, kecamatan=kec_code, kodepos=kodepos or None) for seg in found.plain]
        cands = {r.desa.kode: (r.query, r.desa) for r in close if r.ok and r.desa.kecamatan_kode == kec_code}
        conf = min((r.confidence for r in close if r.ok), default=0.0)
        picked = _pick(cands, round(0.8 * conf, 3))
        if picked is not None:
            return picked
    named = tuple(d for _, _, d in found.desa)
    return Resolution("", "unknown", 0.0, None, named[:3], (0.0,) * len(named[:3]))


def _pick(cands: dict[str, tuple[str, Desa]], confidence: float) -> Resolution | None:
    """The one candidate (refusing several), or None when there is none."""
    if len(cands) == 1:
        written, d = next(iter(cands.values()))
        return Resolution(written, "address", confidence, d, matched=d.nama)
    if len(cands) > 1:
        desa = tuple(d for _, d in cands.values())
        return Resolution(", ".join(w for w, _ in cands.values()), "ambiguous", 0.0, None, desa)
    return None


def _hinted_kecamatan(gaz: Gazetteer, column: str, marked: str, named: tuple[Kecamatan, ...]) -> set[str]:
    """Kecamatan codes the card states: its kecamatan column, a "Kec." part, names in the text."""
    out = {k.kode for k in named}
    for written in (column, marked):
        if written:
            r = gaz.resolve_kecamatan(written)
            if r.ok:
                out.add(r.kecamatan.kode)
    return out


_STREET_PREFIX = re.compile(r"^(?:jalan|jln|jl|gang|gg|lorong|raya)\s+")


def street_key(name: str) -> str:
    """Normalised street name for matching: "Jl. Raya Bekasi" and "JALAN RAYA BEKASI" -> "raya bekasi",
    "Gg. V" and "Gang 5" -> "5"."""
    k = marked_numeral(fold(name))
    k = _STREET_PREFIX.sub("", k) if not k.startswith("raya ") else k
    return re.sub(r"\s+", " ", k).strip()
