"""Do the parts of an address agree? A resolved desa against the card's kecamatan, kode pos and NIK.

Each check judges one part and returns an :class:`Inconsistency` (the reason a card list rejects or
warns with, and a message saying what disagrees) or None; the gazetteer looks the parts up first
(:meth:`~ektp_routes.regions.Gazetteer.check`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ektp_routes._text import KECAMATAN_PREFIXES, compact, name_key
from ektp_routes.i18n import Messages, messages
from ektp_routes.nik import RegionCodes
from ektp_routes.regions.names import Resolution
from ektp_routes.regions.units import Desa, Kecamatan
from ektp_routes.schema import CardWarning, RejectReason


@dataclass(frozen=True, slots=True)
class Inconsistency:
    """One disagreement between the parts of an address (desa, kecamatan, kode pos, NIK).

    ``reason`` is the code a card list rejects (or warns) with; ``message`` says what disagrees.
    """

    field: str
    reason: RejectReason | CardWarning
    message: str


def kecamatan_issue(
    d: Desa, stated: Kecamatan | Resolution | None, *, t: Messages | None = None
) -> Inconsistency | None:
    """The stated kecamatan (None: none given; a Resolution: a name that matched none) against ``d``'s;
    the message in the language of ``t`` (English when None)."""
    t = t or messages("en")
    if stated is None:
        return None
    if isinstance(stated, Resolution):
        return Inconsistency("kecamatan", CardWarning.KECAMATAN_UNKNOWN, stated.describe(t))
    if stated.kode == d.kecamatan_kode:
        return None
    said = t("card.kecamatan_mismatch", desa=d.nama, kecamatan=d.kecamatan, stated=stated.nama)
    return Inconsistency("kecamatan", RejectReason.KECAMATAN_MISMATCH, said)


def elsewhere_kecamatan(written: str, nik6: str, *, codes: RegionCodes) -> str:
    """The national name of the kecamatan a NIK was issued in (``nik6``, undotted) when ``written``
    names exactly it (as place names are compared: no "Kec."/"Kecamatan", case, punctuation, spacing
    or old spelling counted), else ''."""
    name = codes.district_names.get(nik6, "")
    return name if name and _kecamatan_key(written) == _kecamatan_key(name) else ""


def _kecamatan_key(name: str) -> str:
    return compact(name_key(name, KECAMATAN_PREFIXES))


def kodepos_issue(
    d: Desa, kodepos: str, *, in_use: bool, region_code: str, t: Messages | None = None
) -> Inconsistency | None:
    """The stated kode pos (stripped; ``in_use``: some desa of the kabupaten has it) against ``d``'s."""
    if not kodepos or kodepos == d.kodepos:
        return None
    t = t or messages("en")
    if not in_use:
        # Only a cell of a few digits is quoted: a name or a NIK typed into the kode pos column
        # (columns swapped) must not reach the rejects and assignments.csv.
        if re.fullmatch(r"[0-9]{1,6}", kodepos):
            said = t("card.kodepos_unused", kodepos=kodepos, region=region_code)
        else:
            said = t("card.kodepos_not_a_number", region=region_code)
        return Inconsistency("kodepos", RejectReason.KODEPOS_INVALID, said)
    said = t("card.kodepos_mismatch", desa=d.nama, kodepos=d.kodepos, stated=kodepos)
    return Inconsistency("kodepos", RejectReason.KODEPOS_MISMATCH, said)


def nik_region_issue(
    d: Desa, nik: str | None, *, region_code: str, t: Messages | None = None
) -> Inconsistency | None:
    """The region code in a NIK's first six digits (kabupaten, kecamatan) against ``d``'s kecamatan.

    Fewer than six digits, or anything but ASCII digits there, is not judged here.
    """
    digits = (nik or "").strip()[:6]
    want = d.kecamatan_kode.replace(".", "")
    if len(digits) < 6 or not (digits.isascii() and digits.isdigit()) or digits == want:
        return None
    t = t or messages("en")
    if digits[:4] != want[:4]:
        said = t("card.nik_region_other", code=digits[:4], region=region_code)
        return Inconsistency("nik", RejectReason.NIK_REGION, said)
    said = t("card.nik_kecamatan_mismatch", code=digits[4:6], kecamatan=d.kecamatan, want=want[4:6])
    return Inconsistency("nik", RejectReason.NIK_KECAMATAN_MISMATCH, said)
