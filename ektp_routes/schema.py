"""The library's vocabulary: reason codes, precisions and statuses as enums, and (as they are
defined) the columns of every table the library writes.

Every module that produces or reads one of these values imports it from here, so a code is spelled
once. The enums are :class:`enum.StrEnum`: a member compares equal to its code (``"nik_format"``) and
is written to CSV as that code, so files stay plain text.
"""

from __future__ import annotations

from enum import StrEnum


class RejectReason(StrEnum):
    """Why a row of a card list was rejected (stable codes, documented in README)."""

    NIK_MISSING = "nik_missing"
    NIK_SCIENTIFIC = "nik_scientific"
    NIK_FORMAT = "nik_format"
    NIK_REGION = "nik_region"
    NIK_KECAMATAN_UNKNOWN = "nik_kecamatan_unknown"
    NIK_DATE = "nik_date"
    NIK_SERIAL = "nik_serial"
    NIK_KECAMATAN_MISMATCH = "nik_kecamatan_mismatch"
    NIK_DUPLICATE = "nik_duplicate"
    NAMA_EMPTY = "nama_empty"
    ALAMAT_EMPTY = "alamat_empty"
    DESA_EMPTY = "desa_empty"
    DESA_UNKNOWN = "desa_unknown"
    DESA_AMBIGUOUS = "desa_ambiguous"
    KECAMATAN_MISMATCH = "kecamatan_mismatch"
    KODEPOS_INVALID = "kodepos_invalid"
    KODEPOS_MISMATCH = "kodepos_mismatch"
    ROW_FIELDS = "row_fields"
    CELL_TOO_LONG = "cell_too_long"


class CardWarning(StrEnum):
    """A problem with an accepted card that does not stop its delivery (a reject reason downgraded
    by :class:`ektp_routes.cards.ValidationRules` keeps its :class:`RejectReason` code)."""

    KECAMATAN_UNKNOWN = "kecamatan_unknown"
    COORDINATES_SWAPPED = "coordinates_swapped"
    COORDINATES_INVALID = "coordinates_invalid"


class UnservedReason(StrEnum):
    """Why a planned-for stop is not on any route."""

    TOO_MANY_CARDS = "too_many_cards"
    BEYOND_SHIFT = "beyond_shift"
    OUTSIDE_TIME_WINDOW = "outside_time_window"
    UNREACHABLE = "unreachable"
    NO_CAPACITY = "no_capacity"


class Precision(StrEnum):
    """How precisely a card's location is known, best first."""

    INPUT = "input"
    ADDRESS = "address"
    STREET = "street"
    SETTLEMENT = "settlement"
    DESA = "desa"
    KECAMATAN = "kecamatan"
    KODEPOS = "kodepos"
    NONE = "none"


class CardStatus(StrEnum):
    """What a plan did with one input row: every row has exactly one status."""

    PLANNED = "planned"
    UNSERVED = "unserved"
    UNROUTABLE = "unroutable"
    REJECTED = "rejected"
