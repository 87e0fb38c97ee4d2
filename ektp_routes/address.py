"""Parsing Indonesian addresses as the civil registry writes them.

``parse_address("Jl. Melati Raya No. 12 RT 003/RW 005 Kel. Setia Asih Kec. Tarumajaya 17215")``
finds the street (Jalan / Jl. / Jln.), gang (Gg. / Gang), kampung (Kp. / Kampung / Kmp.), perumahan
(Perum. / Perumahan / Komp. / Komplek), blok, house number (No. / Nomor), RT and RW in their many
spellings, desa/kelurahan, kecamatan and kode pos.

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

from ektp_routes._text import RT_RW_PATTERN, fold, parse_rt_rw

# Each component: a regex for its marker. The value runs until the next marker or a comma.
_MARKERS = {
    "street": r"\b(?:jalan|jln|jl)\b\.?",
    "gang": r"\b(?:gang|gg)\b\.?",
    "kampung": r"\b(?:kampung|kamp|kmp|kp)\b\.?",
    "perumahan": r"\b(?:perumahan|perum|komplek|kompleks|komp|cluster)\b\.?",
    "blok": r"\bblok\b\.?",
    "number": r"\b(?:nomor|nomer|no)\b\.?",
    "desa": r"\b(?:kelurahan|kel|desa|ds)\b\.?",
    "kecamatan": r"\b(?:kecamatan|kec)\b\.?",
    "kabupaten": r"\b(?:kabupaten|kab)\b\.?",
}
_ANY_MARKER = re.compile("|".join(f"(?:{m})" for m in _MARKERS.values()) + r"|\brt\b|\brw\b|,", re.I)
_KODEPOS = re.compile(r"(?<!\d)(\d{5})(?!\d)")


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


def parse_address(text: str) -> ParsedAddress:
    """Split an Indonesian address line into its parts (tolerant of case and abbreviations)."""
    raw = text or ""
    s = raw.replace("\n", " ")
    rt, rw = parse_rt_rw(s)
    s = RT_RW_PATTERN.sub(" , ", s)
    kodepos = ""
    m = _KODEPOS.search(s)
    if m and m.group(1).startswith(("1", "2", "3", "4", "5", "6", "7", "8", "9")):
        kodepos = m.group(1)
        s = s[: m.start()] + " , " + s[m.end() :]
    parts: dict[str, str] = {}
    for key, marker in _MARKERS.items():
        mm = re.search(marker, s, re.I)
        if not mm:
            continue
        rest = s[mm.end() :]
        nxt = _ANY_MARKER.search(rest)
        value = rest[: nxt.start()] if nxt else rest
        if key == "number":
            num = re.match(r"\s*([0-9]+[A-Za-z]?(?:\s*[-/]\s*[0-9A-Za-z]+)?)", value)
            parts[key] = num.group(1).replace(" ", "") if num else ""
        elif key == "blok":
            b = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9./-]*)", value)
            parts[key] = b.group(1).upper() if b else ""
        else:
            parts[key] = _title(value)
    street = parts.get("street", "")
    return ParsedAddress(
        raw=raw,
        street=f"Jalan {street}" if street else "",
        gang=f"Gang {parts['gang']}" if parts.get("gang") else "",
        kampung=parts.get("kampung", ""),
        perumahan=parts.get("perumahan", ""),
        blok=parts.get("blok", ""),
        number=parts.get("number", ""),
        rt=rt,
        rw=rw,
        desa=parts.get("desa", ""),
        kecamatan=parts.get("kecamatan", ""),
        kodepos=kodepos,
    )


_STREET_PREFIX = re.compile(r"^(?:jalan|jln|jl|gang|gg|lorong|raya)\s+")


def street_key(name: str) -> str:
    """Normalised street name for matching: "Jl. Raya Bekasi" and "JALAN RAYA BEKASI" -> "raya bekasi"."""
    k = fold(name)
    k = _STREET_PREFIX.sub("", k) if not k.startswith("raya ") else k
    return re.sub(r"\s+", " ", k).strip()
