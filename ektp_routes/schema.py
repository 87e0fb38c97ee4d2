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
    NAMA_NOT_A_NAME = "nama_not_a_name"
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
    NIK_OUT_OF_REGION = "nik_out_of_region"
    DESA_HINT_PREFERRED = "desa_hint_preferred"
    DESA_FROM_ADDRESS = "desa_from_address"
    COORDINATES_SWAPPED = "coordinates_swapped"
    COORDINATES_INVALID = "coordinates_invalid"
    RT_RW_UNREADABLE = "rt_rw_unreadable"
    RT_RW_EXCEL_DATE = "rt_rw_excel_date"  # an RT/RW cell Excel turned into a date: read as blank
    RT_RW_ADDRESS_DIFFERS = "rt_rw_address_differs"  # the address gives another RT/RW: the columns win


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
    BLOCK = "block"  # a delivery block's pin, placed by a GIS analyst (ektp-routes blocks)
    SETTLEMENT = "settlement"
    DESA = "desa"
    KECAMATAN = "kecamatan"
    KODEPOS = "kodepos"
    NONE = "none"


class LocationKind(StrEnum):
    """What a stop's point stands for, as every output tells them apart (summary columns, map markers):
    the house itself, a point on its street, a block or settlement pin, or only its desa."""

    HOUSE = "house"
    STREET = "street"
    BLOCK = "block"
    DESA = "desa"


_KIND_OF_PRECISION = {
    "input": LocationKind.HOUSE,
    "address": LocationKind.HOUSE,
    "field": LocationKind.HOUSE,  # a point a courier's handheld recorded at the door (ektp_routes.outcomes)
    "street": LocationKind.STREET,
    "block": LocationKind.BLOCK,
    "settlement": LocationKind.BLOCK,
}


def location_kind(precision: str) -> LocationKind:
    """The :class:`LocationKind` of a precision code; desa, kecamatan, kode pos and unknown: ``desa``.

    >>> [location_kind(p).value for p in ("input", "street", "settlement", "kodepos")]
    ['house', 'street', 'block', 'desa']
    """
    return _KIND_OF_PRECISION.get(str(precision), LocationKind.DESA)


#: Precisions at which a card's point is its house (:data:`LocationKind.HOUSE`): coordinates on the
#: card, an address match, a point a courier recorded at the door. Such cards get a household stop
#: under "auto" consolidation and an expected time (not a window) on the manifest.
HOUSE_PRECISIONS = frozenset(p for p, kind in _KIND_OF_PRECISION.items() if kind is LocationKind.HOUSE)


class CardStatus(StrEnum):
    """What a plan did with one input row: every row has exactly one status."""

    PLANNED = "planned"
    UNSERVED = "unserved"
    UNROUTABLE = "unroutable"
    REJECTED = "rejected"


class LeftOutStatus(StrEnum):
    """Why no route carries a stop, in the two kinds a planner acts on differently."""

    UNROUTABLE = "unroutable"  # no road reaches it from the office
    UNSERVED = "unserved"  # reachable, but the fleet or its limits leave it out


OUT_OF_SCOPE = "out_of_scope"
"""Reason code of cards whose kecamatan was not selected for a run."""


def reason_text(code: str, message: str) -> str:
    """The one human-readable form of a ``(code, message)`` reason, as written in ``reason`` columns.

    No module parses this text back: tables carry ``reason_code`` and ``reason_message`` as values.
    """
    return f"{code}: {message}" if code else ""


# ---------------------------------------------------------------------------------------------- tables
# The columns of every table the library writes, in file order. Writers select these columns, tests
# read them from here.

CARDS = (
    "row",
    "nik",
    "nama",
    "alamat",
    "rt",
    "rw",
    "desa_kode",
    "desa",
    "kecamatan_kode",
    "kecamatan",
    "kodepos",
    "lon",
    "lat",
    "desa_input",
    "kecamatan_input",
    "desa_match",
    "desa_confidence",
    "desa_matched",
)
"""The accepted cards of a :class:`~ektp_routes.cards.CardList` (in memory; names only reach manifests)."""

REJECTS = ("row", "field", "reason", "message", "problems", "nik_masked", "desa_input", "kecamatan_input")
"""``validate --rejects``: one row per rejected input row (no names; NIK masked)."""

WARNINGS = ("row", "field", "code", "message")
"""Warnings on accepted cards: one row per (card, field, code, message)."""

ASSIGNMENTS = (
    "row",
    "nik_masked",
    "desa_kode",
    "status",
    "route_id",
    "sequence",
    "visit",
    "stop_id",
    "reason",
    "reason_code",
    "outside_desa",
)
"""``assignments.csv``: one row per input row. ``card_ref`` follows ``row`` when a pseudonym key is
given. ``reason`` is :func:`reason_text` of (``reason_code``, the message). ``outside_desa``: the card's
own point lay outside its stated desa (far away: replaced by the desa's location; near: kept)."""

CARD_REF = "card_ref"

ASSIGNMENT_VALUES = (*ASSIGNMENTS[:-3], "reason_code", "reason_message", "outside_desa")
"""The assignments table in memory (:attr:`PlanResult.assignments`): the reason as two values."""

STOPS = (
    "stop_id",
    "office_id",
    "desa_kode",
    "desa",
    "alamat",
    "precision",
    "rt",
    "rw",
    "cards",
    "cards_outside_desa",
    "outside_desa",
    "lon",
    "lat",
    "route_id",
    "sequence",
    "visit",
    "arrival_s",
    "until_s",
    "status",
    "reason_code",
    "reason_message",
    "placeholder",
    "off_network",
)
"""The stops table in memory (:attr:`PlanResult.stops`), one row per delivery stop. ``off_network``:
no road of the road network lies within its snap limit, so the stop's legs are straight lines times
the circuity (never on the straight-line model, nor with strict roads, where such a stop is unroutable).
On block estimates a stop known only to its desa is never flagged (its legs average its desa's points)."""

STOP_FEATURE = (
    "stop_id",
    "office_id",
    "office",
    "route_id",
    "courier",
    "day",
    "date",
    "sequence",
    "arrival",
    "arrival_min",
    "arrival_s",
    "until",
    "visit",
    "cards",
    "desa_kode",
    "desa",
    "rw",
    "rt",
    "settlement",
    "households",
    "precision",
    "outside_desa",
    "status",
    "reason_code",
    "reason",
    "placeholder",
    "off_network",
)
"""Properties of a ``stops.geojson`` feature and fields of the ``stops`` layer of ``plan.gpkg``
(:func:`ektp_routes.layers.stops_layer`): who delivers it when, where (desa, RW, RT) and how precisely
it is known; times as HH:MM and minutes next to seconds; no address, no names. For a delivery block
(``settlement``, RW, RT, estimated ``households``) the courier is there from ``arrival`` to ``until``;
``visit`` numbers the walks of a route (consecutive blocks of one settlement and RW are one walk);
``off_network`` as in :data:`STOPS`."""

BLOCK_FEATURE = (
    "stop_id",
    "office_id",
    "route_id",
    "courier",
    "day",
    "date",
    "visit",
    "arrival",
    "until",
    "desa_kode",
    "desa",
    "settlement",
    "rw",
    "rt",
    "households",
    "cards",
    "precision",
    "status",
    "off_network",
)
"""Fields of the ``blocks`` layer of ``plan.gpkg``: the delivery blocks (stops known to a settlement,
RW and RT rather than to the house) and who visits them when; ``off_network`` as in :data:`STOPS`
(a block known only to its desa: when every sample point of the desa lies beyond the snap limit)."""

ROUTES = (
    "route_id",
    "office_id",
    "office",
    "courier",
    "day",
    "stops",
    "cards",
    "distance_m",
    "duration_s",
    "travel_s",
    "start_s",
    "end_s",
    "placeholder",
)
"""The routes table; ``routes.geojson`` carries these plus ``start_time``, ``end_time``, ``straight_line``
and ``places_only`` (the line joins the blocks/desa visited in order: most of its cards are not known to
the house, so it is not the path to their doors)."""

ROUTE_FEATURE = (*ROUTES, "start_time", "end_time", "straight_line", "places_only")

OFFICE_FEATURE = (
    "office_id",
    "name",
    "couriers",
    "days",
    "capacity",
    "shift_s",
    "placeholder",
    "service_base_s",
    "service_per_card_s",
    "network",
    "network_source",
    "network_profile",
    "network_circuity",
    "network_max_snap_m",
    "network_connectivity",
    "network_strict",
    "network_fingerprint",
)
"""Properties of an ``offices.geojson`` feature: the office and its fleet, then what the plan was made
with, so that a replay judges it on the same model: the service times (``service_base_s`` per household
visit, ``service_per_card_s`` per card) and the travel network (``network`` "straight" or "road"; a road
network's file or prepared folder, profile, snapping rules and fingerprint, as
:class:`~ektp_routes.network.NetworkRecord`). An older plan has no ``service_*`` or ``network*``
properties."""

OFFICE_NETWORK = {
    "kind": "network",
    "source": "network_source",
    "profile": "network_profile",
    "circuity": "network_circuity",
    "max_snap_m": "network_max_snap_m",
    "connectivity": "network_connectivity",
    "strict": "network_strict",
    "fingerprint": "network_fingerprint",
}
"""Field of :class:`~ektp_routes.network.NetworkRecord` -> its ``offices.geojson`` property."""

SUMMARY_SUMMED = (
    "cards",
    "cards_planned",
    "stops",
    "stops_planned",
    "couriers",
    "courier_days",
    "km",
    "hours",
    "cards_outside_desa",
)
SUMMARY_PRECISION = tuple(f"cards_{k.value}" for k in LocationKind)
"""Cards by :func:`location_kind`: at their house (input, address, field), on their street (street), at a
block or settlement pin (block, settlement), or only at their desa (desa and coarser)."""
SUMMARY_DAYS = ("day_h_expected", "day_h_p90")
"""Planned day length (hours): the mean over the courier-days and their 90th percentile."""
SUMMARY = (
    "office_id",
    "office",
    "placeholder",
    *SUMMARY_SUMMED[:-3],
    "days",
    "km",
    "hours",
    *SUMMARY_PRECISION,
    *SUMMARY_DAYS,
    "cards_outside_desa",
)
"""``summary.csv``: one row per office with cards, then a ``TOTAL`` row (sums; ``days`` is the max;
day lengths over all courier-days)."""

SUMMARY_TOTAL = "TOTAL"

MANIFEST = (
    "Urutan",
    "Perkiraan Tiba",
    "NIK",
    "Nama",
    "Alamat",
    "Kampung/Perumahan",
    "RT",
    "RW",
    "Desa/Kelurahan",
    "Kecamatan",
    "Titik",
    "Diterima (tanda tangan)",
)
"""A courier's delivery list (``manifests/manifest_<route>.csv/.xlsx``), in Bahasa Indonesia: visiting
order, expected arrival (a time for a house, a window for a block), the card holder, the address, the
stop's settlement (kind and name) and RW/RT, the stop and a signature column. The only files with names
and full NIKs."""
