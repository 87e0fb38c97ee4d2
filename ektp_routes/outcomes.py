"""Field outcomes back into the ledger (``ops record``).

Accepted inputs: the filled manifests as written (XLSX or CSV, typed in by a clerk) and a handheld
app's CSV with the columns ``operation_id, route_id, card_ref, hasil, waktu`` (ISO date-time) and
optional ``lon, lat`` of the handover (and ``nik``); ``operation_id`` and ``route_id`` are copied from
the day's dispatch.csv (or the manifest's header). A file naming another operation is refused whole;
one naming none (a handheld file of the older format, an older manifest) is refused whole when none of
its rows is a card this operation sent out on the day (and route) the row gives. Every row is checked
(:class:`Problem`); problem rows are reported with their reason and kept out, the rest is applied in
ONE transaction. A file already recorded (same content) changes
nothing; a row that repeats an outcome already recorded for that dispatch changes nothing either.
The handover coordinates of delivered cards become the household's field-verified location
(precision ``field``), which later dispatches use.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import shapely
import sqlalchemy as sa

from ektp_routes._errors import InputFileError
from ektp_routes._files import is_system_file
from ektp_routes._text import MONTHS
from ektp_routes.fieldform import MANIFEST_COLUMNS, MANIFEST_MARKER, read_form_xlsx
from ektp_routes.geodesy import METRES_PER_DEGREE
from ektp_routes.i18n import Messages, error, log, messages
from ektp_routes.ledger import (
    NOT_ATTEMPTED,
    CardState,
    Ledger,
    Outcome,
    Transition,
    cards_t,
    is_card_ref,
    new_run_id,
)
from ektp_routes.nik import mask_nik
from ektp_routes.operation import route_id
from ektp_routes.operation_config import OperationConfig, load_config, retry_due
from ektp_routes.reader import decode_text, read_text_table
from ektp_routes.regions import Gazetteer

logger = logging.getLogger(__name__)
LOCAL_TZ = ZoneInfo("Asia/Jakarta")  # Kabupaten Bekasi keeps WIB (UTC+7)


class Problem(StrEnum):
    """Why an outcome row was kept out of the ledger."""

    UNKNOWN_CARD = "unknown_card"
    CARD_MISMATCH = "card_mismatch"
    NOT_ON_ROUTE = "not_on_route"
    NOT_DISPATCHED_THAT_DAY = "not_dispatched_that_day"
    CONFLICTING_OUTCOME = "conflicting_outcome"
    UNKNOWN_OUTCOME = "unknown_outcome"
    FAMILY_NOT_ALLOWED = "family_handover_not_allowed"
    FUTURE_DATE = "future_date"
    TIME_INVALID = "time_invalid"
    OUTCOME_EMPTY = "outcome_empty"


def problem_message(problem: str, *, t: Messages | None = None) -> str:
    """What a :class:`Problem` code means, in the language of ``t`` (English when None)."""
    return (t or messages("en"))(f"problem.{Problem(problem)}", codes=", ".join(Outcome))


@dataclass(frozen=True)
class RecordReport:
    """What ``ops record`` did."""

    applied: int
    unchanged: int
    files_seen_before: tuple[str, ...]
    problems: pd.DataFrame
    by_outcome: Mapping[str, int]
    field_locations: int
    run_id: str
    files_without_rows: tuple[str, ...] = ()


_ROW_COLUMNS = ("file", "row", "operation_id", "route_id", "card_ref", "nik", "hasil", "waktu", "lon", "lat")


#: The outcome files a folder given to ``ops record`` holds (a filled manifest or a handheld CSV); a
#: ``.txt`` (Excel's "Unicode Text" or "Text (Tab delimited)" export) only when it is a table of outcomes.
OUTCOME_SUFFIXES = (".csv", ".xlsx")
#: The columns of the problem rows ``ops record`` reports (:attr:`RecordReport.problems`).
PROBLEM_COLUMNS = ("file", "row", "card_ref", "reason", "message")


def outcome_files(paths: Sequence[Path]) -> list[Path]:
    """``paths`` with each folder replaced by the outcome files it holds, in name order: every
    ``.csv`` and ``.xlsx`` directly inside, and every ``.txt`` whose first line names the columns
    ``card_ref`` and ``hasil`` (a sheet saved as text; a note beside the files is no outcome file),
    leaving out hidden files, those the operating system writes
    (:func:`~ektp_routes._files.is_system_file`), the ``~$`` lock file of a workbook open in Excel
    and the problems report of an earlier ``ops record`` (:data:`PROBLEM_COLUMNS`). A folder with
    none is refused in one line."""
    files: list[Path] = []
    for path in paths:
        if not path.is_dir():
            files.append(path)
            continue
        inside = sorted((p for p in path.iterdir() if _in_folder(p)), key=lambda p: p.name)
        if not inside:
            raise error(InputFileError, "error.outcome_folder_empty", path=path)
        files += inside
    return files


def _in_folder(p: Path) -> bool:
    """Whether ``p``, found in a folder of outcome files, is one of them (see :func:`outcome_files`)."""
    suffix = p.suffix.lower()
    if not p.is_file() or is_system_file(p.name) or p.name.startswith("~$"):
        return False
    if suffix == ".xlsx":
        return True
    if suffix not in (".csv", ".txt"):
        return False
    header = _header(p)
    if header == list(PROBLEM_COLUMNS):
        return False
    return suffix == ".csv" or {"card_ref", "hasil"} <= set(header)


def _header(path: Path) -> list[str]:
    """The column names (lower case) of a text table's first line; [] when it is not text."""
    try:
        text = decode_text(path.read_bytes()).lstrip("\ufeff")
    except (InputFileError, OSError, UnicodeError):
        return []
    first = text.split("\n", 1)[0]
    sep = max((",", ";", "\t"), key=first.count)
    return [h.strip().strip('"').lower() for h in first.split(sep)]


def read_outcomes(path: Path, *, label: str | None = None) -> pd.DataFrame:
    """One outcome file as rows of text: file (``label``, the file's name by default), row, operation_id,
    route_id, card_ref, nik (a manifest's; "" if none), hasil, waktu, lon, lat."""
    suffix, name = path.suffix.lower(), label or path.name
    try:
        if suffix == ".xlsx":
            raw = read_form_xlsx(path, MANIFEST_COLUMNS, marker=MANIFEST_MARKER)
        elif suffix in (".csv", ".txt"):
            raw = read_text_table(path)  # UTF-8, or cp1252/UTF-16 as Excel re-saves it; ',' or ';'
            raw.columns = [str(c).strip().lower() for c in raw.columns]
            raw.insert(0, "row", range(2, 2 + len(raw)))
        else:
            raise error(InputFileError, "error.outcome_suffix", name=name)
    except InputFileError:
        raise
    except pd.errors.EmptyDataError:  # no byte, or blank lines only
        raise error(InputFileError, "error.outcome_file_empty", name=name) from None
    except Exception as exc:
        raise error(InputFileError, "error.outcome_unreadable", name=name, kind=type(exc).__name__) from None
    if "card_ref" not in raw.columns or "hasil" not in raw.columns:
        raise error(InputFileError, "error.outcome_columns", name=name)
    out = pd.DataFrame({"file": name, "row": raw["row"]})
    for col in (
        "operation_id",
        "route_id",
        "card_ref",
        "nik",
        "hasil",
        "waktu",
        "tanggal",
        "jam",
        "lon",
        "lat",
    ):
        out[col] = raw[col].astype(str).str.strip() if col in raw.columns else ""
    for col in ("operation_id", "route_id", "card_ref"):
        out[col] = out[col].str.upper()
    out["hasil"] = out["hasil"].str.upper().str.replace(r"[\s-]+", "_", regex=True)
    blank = out["waktu"].eq("")
    out.loc[blank, "waktu"] = (out["tanggal"] + " " + out["jam"]).str.strip()[blank]
    out["waktu"] = _dated(out["waktu"], out["route_id"])
    empty = out["card_ref"].eq("") & out["hasil"].eq("")
    return out.loc[~empty, list(_ROW_COLUMNS)].reset_index(drop=True)


_BARE_TIME = re.compile(r"[0-2]?[0-9][:.][0-5][0-9](?:[:.][0-5][0-9])?")
# A date as Indonesian Excel writes it, day first ("03/11/2026", the short date "03/11/26"), and a time
# after it with a dot ("10.30"): read as 2026-11-03 10:30, never as the 11th of March.
_DAY_FIRST = re.compile(r"\s*([0-3]?[0-9])[/.-]([01]?[0-9])[/.-]([0-9]{4}|[0-9]{2})(?![0-9])")
_DOT_TIME = re.compile(r"(?<=\s)([0-2]?[0-9])\.([0-5][0-9])(?:\.([0-5][0-9]))?(?![0-9])")
# Excel's long date in Bahasa Indonesia ("Rabu, 02 September 2026", "14 Agu 2026", "14-Agt-26"): the
# weekday is left out, the month read by its Indonesian (or English) name or abbreviation.
_WEEKDAY = re.compile(r"\s*(?:senin|selasa|rabu|kamis|jum'?at|sabtu|minggu|ahad)\b[,\s]*", re.IGNORECASE)
_NAMED_DATE = re.compile(r"\s*([0-3]?[0-9])[\s/.-]+([a-z]+)\.?[\s/.-]+([0-9]{4}|[0-9]{2})(?![0-9])", re.I)
# A date cell re-saved as a number: Excel's serial day (days since 1899-12-30; 30000-79999 is 1982-2118).
_EXCEL_SERIAL = re.compile(r"\s*([3-7][0-9]{4})(?![0-9.,:/-])")
_EXCEL_DAY_ZERO = date(1899, 12, 30)


def _iso(text: str) -> str:
    """``text`` with a day-first date (figures, a month's name, or Excel's serial day) and a dotted
    time written the ISO way (other text unchanged); a two-digit year is this century's."""
    text = text[m.end() :] if (m := _WEEKDAY.match(text)) else text
    if serial := _EXCEL_SERIAL.match(text):
        text = f"{_EXCEL_DAY_ZERO + timedelta(days=int(serial[1]))}{text[serial.end() :]}"
    day = _DAY_FIRST.match(text)
    month = int(day[2]) if day else None
    if day is None and (day := _NAMED_DATE.match(text)):
        month = MONTHS.get(day[2].lower())
    if day and month:
        year = day[3] if len(day[3]) == 4 else f"20{day[3]}"
        text = f"{year}-{month:02d}-{int(day[1]):02d}{text[day.end() :]}"
    return _DOT_TIME.sub(lambda t: ":".join(g for g in t.groups() if g), text)


_ROUTE_DAY = re.compile(r".*-([0-9]{8})-K[0-9]+")


def _dated(waktu: pd.Series, route: pd.Series) -> pd.Series:
    """A time of day with no date ("10:35", as a handheld may give it) on the day of the row's route id;
    without one it stays as it is and reads as no time (never as today)."""
    day = route.str.extract(_ROUTE_DAY.pattern, expand=False)
    bare = waktu.str.fullmatch(_BARE_TIME.pattern) & day.notna()
    full = day.str[:4] + "-" + day.str[4:6] + "-" + day.str[6:] + " " + waktu.str.replace(".", ":")
    return waktu.where(~bare, full)


def _when(text: pd.Series) -> pd.Series:
    """Local (WIB) naive timestamps; NaT where unreadable or where no date is given. Offsets given are
    converted to WIB."""
    out = []
    for t in text:
        try:
            ts = pd.Timestamp(_iso(t)) if t and not _BARE_TIME.fullmatch(t) else pd.NaT
        except (ValueError, TypeError):
            ts = pd.NaT
        if ts is not pd.NaT and ts.tzinfo is not None:
            ts = ts.tz_convert(LOCAL_TZ).tz_localize(None)
        out.append(ts)
    return pd.Series(out, index=text.index, dtype="datetime64[ns]")


def _check(
    rows: pd.DataFrame, cards: pd.DataFrame, past: Past, config: OperationConfig, now: datetime
) -> pd.DataFrame:
    """Add ``problem`` (empty when fine) and ``unchanged`` to each row; ``past``: the cards' earlier
    days (a row of a day whose outcome was recorded before the card went out again repeats it, or
    conflicts with it)."""
    r = _timed(rows)
    c = cards.set_index("card_ref")
    r["card_id"] = r["card_ref"].map(c["card_id"])
    state = r["card_ref"].map(c["state"])
    sent = pd.to_datetime(r["card_ref"].map(c["dispatch_date"])).dt.normalize()  # the day, as a timestamp
    last = r["card_ref"].map(c["outcome"])
    problem = pd.Series("", index=r.index)

    def mark(mask: pd.Series, why: Problem) -> None:
        problem[mask & problem.eq("")] = why.value

    mark(r["hasil"].eq(""), Problem.OUTCOME_EMPTY)
    mark(~r["hasil"].isin(list(Outcome)), Problem.UNKNOWN_OUTCOME)
    if not config.rules.family_handover:
        mark(r["hasil"].eq(Outcome.DITERIMA_KELUARGA), Problem.FAMILY_NOT_ALLOWED)
    mark(r["card_id"].isna(), Problem.UNKNOWN_CARD)
    mark(_other_card(r["nik"], r["card_ref"].map(c["nik"])), Problem.CARD_MISMATCH)
    mark(~past.on_route(r["card_id"], r["route_id"]), Problem.NOT_ON_ROUTE)
    mark(r["when"].isna(), Problem.TIME_INVALID)
    mark(r["when"] > pd.Timestamp(now), Problem.FUTURE_DATE)
    valid = problem.eq("")
    distinct = r[valid].groupby("card_ref")["hasil"].transform("nunique")
    mark(r.index.isin(distinct[distinct > 1].index), Problem.CONFLICTING_OUTCOME)
    same_day = sent.eq(r["when"].dt.normalize())  # NaT (unknown card, no time) is never the same day
    done_before = same_day & ~state.eq(CardState.DISPATCHED)
    mark(done_before & ~last.eq(r["hasil"]), Problem.CONFLICTING_OUTCOME)
    earlier = past.outcome_of(r["card_id"], r["day"]).where(~same_day, "")  # out again since
    mark(earlier.ne("") & earlier.ne(r["hasil"]), Problem.CONFLICTING_OUTCOME)
    mark(~same_day & earlier.eq(""), Problem.NOT_DISPATCHED_THAT_DAY)
    r["problem"] = problem
    r["unchanged"] = problem.eq("") & (done_before | earlier.ne("") | r.duplicated(["card_ref", "hasil"]))
    return r


@dataclass(frozen=True)
class Past:
    """What the ledger's events tell of some cards' operation days: the (card id, day) and (card id,
    route id) of every dispatch, and the outcome recorded for each (card id, day)."""

    days: frozenset[tuple[int, date]]
    routes: frozenset[tuple[int, str]]
    outcomes: Mapping[tuple[int, date], str]

    @classmethod
    def of(cls, history: pd.DataFrame) -> Past:
        """From :meth:`~ektp_routes.ledger.Ledger.history`."""
        h = history.assign(card_id=history["card_id"].astype(int))
        out = h[h["to_state"].eq(CardState.DISPATCHED)]
        routes = [
            route_id(str(o), d, int(k)).upper()
            for o, d, k in zip(out["office_id"], out["op_date"], out["courier"], strict=True)
        ]
        done = h[h["outcome"].notna()]
        return cls(
            frozenset(zip(out["card_id"], out["op_date"], strict=True)),
            frozenset(zip(out["card_id"], routes, strict=True)),
            dict(
                zip(
                    zip(done["card_id"], done["op_date"], strict=True),
                    done["outcome"].astype(str),
                    strict=True,
                )
            ),
        )

    def was_out(self, card_id: pd.Series, day: pd.Series) -> pd.Series:
        """Rows whose card was sent out on the row's day."""
        keys = zip(card_id, day, strict=True)
        return pd.Series(
            [pd.notna(i) and (int(i), d) in self.days for i, d in keys], index=card_id.index, dtype=bool
        )

    def on_route(self, card_id: pd.Series, route: pd.Series) -> pd.Series:
        """Rows naming no route, or a route their card was sent out on (an unknown card: True)."""
        keys = zip(card_id, route, strict=True)
        return pd.Series(
            [not r or pd.isna(i) or (int(i), r) in self.routes for i, r in keys],
            index=card_id.index,
            dtype=bool,
        )

    def outcome_of(self, card_id: pd.Series, day: pd.Series) -> pd.Series:
        """The outcome recorded for the card on the row's day ("" if none)."""
        keys = zip(card_id, day, strict=True)
        return pd.Series(
            [self.outcomes.get((int(i), d), "") if pd.notna(i) else "" for i, d in keys],
            index=card_id.index,
            dtype=object,
        )


def _timed(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` with ``when`` (local timestamp, NaT where unreadable) and ``day`` (its date); as they
    are when they have them."""
    if "when" in rows.columns:
        return rows
    when = _when(rows["waktu"])
    return rows.assign(when=when, day=when.dt.date)


def _refuse_foreign(rows: pd.DataFrame, cards: pd.DataFrame, past: Past, ours: str) -> None:
    """Refuse, in one line that names no card, a file of another operation: one naming another
    operation id, or one naming none of which no row is a card this operation sent out on that row's
    day (and route, when the row names one) with the NIK the row gives.

    Raises
    ------
    InputFileError
        Worded by the catalogue (``error.other_operation``, ``error.not_this_operation``).
    """
    c = cards.set_index("card_ref")
    for name, f in _timed(rows).groupby("file", sort=False):
        named = sorted(set(f["operation_id"]) - {""})
        other = [n for n in named if n != ours]
        if other:
            raise error(InputFileError, "error.other_operation", name=name, theirs=other[0], ours=ours)
        judged = f["card_ref"].map(is_card_ref).astype(bool) & f["when"].notna()  # a typo is no evidence
        ids = f["card_ref"].map(c["card_id"])
        mine = past.was_out(ids, f["day"]) & past.on_route(ids, f["route_id"])
        mine &= ~_other_card(f["nik"], f["card_ref"].map(c["nik"]))
        if not named and judged.any() and not (judged & mine).any():
            raise error(InputFileError, "error.not_this_operation", name=name, n=int(judged.sum()))


def _other_card(written: pd.Series, held: pd.Series) -> pd.Series:
    """Rows whose NIK (a manifest carries one) is not the NIK of the card their reference names: card
    references count up in each ledger, so another operation's manifest names other people's cards.
    A NIK a spreadsheet turned into a number ("3.21606E+15") is not compared; one it kept to 15
    significant digits (the last one 0) is compared on those 15."""
    digits = written.where(written.str.fullmatch(r"[0-9]{16}", na=False), "")
    # as objects: an unknown card's NaN makes ``held`` float, which pandas will not fill with a str
    held_text = held.astype(object).where(held.notna(), "").astype(str)
    cut = digits.str.endswith("0")  # Excel keeps 15 significant digits: the 16th comes back as 0
    differs = digits.ne(held_text).where(~cut, digits.str[:15].ne(held_text.str[:15]))
    return digits.ne("") & held.notna() & differs


def _coords(r: pd.DataFrame) -> pd.DataFrame:
    lon = pd.to_numeric(r["lon"], errors="coerce")
    lat = pd.to_numeric(r["lat"], errors="coerce")
    inside = lon.between(94.0, 142.0) & lat.between(-11.5, 6.5)
    return pd.DataFrame({"lon": lon.where(inside), "lat": lat.where(inside)})


def _shown_ref(refs: pd.Series) -> pd.Series:
    """Card references as a problem report may show them: a value that is not a well-formed card
    reference (a NIK or a name typed into the column) is masked like a NIK."""
    good = refs.map(is_card_ref).astype(bool)
    return refs.where(good, mask_nik(refs))


def record_outcomes(ledger: Ledger, paths: Sequence[Path], *, now: datetime | None = None) -> RecordReport:
    """Apply outcome files to the ledger (see the module docstring); a folder stands for the outcome
    files it holds (:func:`outcome_files`)."""
    paths = outcome_files(paths)
    config = load_config(ledger)
    now = now or datetime.now(LOCAL_TZ).replace(tzinfo=None)
    prints = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}
    labels = _labels(paths)
    run = new_run_id()
    with ledger.transaction() as conn:
        fresh, seen = _fresh(conn, paths, prints)
        frames = {p: read_outcomes(p, label=labels[p]) for p in fresh}
        rows = _timed(pd.concat(frames.values(), ignore_index=True) if frames else _empty_rows())
        cols = [
            "card_id",
            "card_ref",
            "nik",
            "state",
            "attempts",
            "dispatch_date",
            "outcome",
            "window",
            "stop_key",
            "office_id",
            "courier",
            "desa_kode",
        ]
        cards = ledger.cards(columns=cols, conn=conn, match=("card_ref", rows["card_ref"].tolist()))
        past = Past.of(ledger.history(cards["card_id"].tolist(), conn=conn))
        _refuse_foreign(rows, cards, past, ledger.operation_id(conn=conn))
        checked = _check(rows, cards, past, config, now)
        todo = checked[checked["problem"].eq("") & ~checked["unchanged"]]
        moves = _moves(todo, cards, config)
        Ledger.apply(conn, moves, source=",".join(labels[p] for p in fresh), run_id=run)
        located = _field_locations(ledger, conn, todo, cards)
        kept_out = set(checked.loc[checked["problem"].ne(""), "file"])
        for p in (p for p in fresh if len(frames[p]) and labels[p] not in kept_out):
            # a header alone is no file recorded, nor one with rows kept out: given again (their
            # cause fixed) they are tried again, its other rows repeat what is recorded
            Ledger.note_import(conn, prints[p], source=labels[p], run_id=run, applied=len(moves))
    problems = checked[checked["problem"].ne("")]
    shown = problems.assign(card_ref=_shown_ref(problems["card_ref"]), reason=problems["problem"])
    report = shown.assign(message=problems["problem"].map(problem_message))[list(PROBLEM_COLUMNS)]
    by = todo["hasil"].value_counts().to_dict()
    logger.info("recorded %d outcomes, %d problem rows (%s)", len(moves), len(report), run)
    return RecordReport(
        len(moves),
        int(checked["unchanged"].sum()),
        tuple(labels[p] for p in seen),
        report.reset_index(drop=True),
        {str(k): int(v) for k, v in by.items()},
        located,
        run,
        tuple(labels[p] for p in fresh if not len(frames[p])),
    )


def _labels(paths: Sequence[Path]) -> dict[Path, str]:
    """How each file is named in the report: its name, or its path where two files share a name (each
    courier's handheld export may be called hasil.csv)."""
    names = [p.name for p in paths]
    return {p: p.name if names.count(p.name) == 1 else str(p) for p in paths}


def _fresh(
    conn: sa.Connection, paths: Sequence[Path], prints: Mapping[Path, str]
) -> tuple[list[Path], list[Path]]:
    """(files to read, files recorded before): a file whose content was recorded by an earlier run, or
    given twice in this one, is recorded before."""
    fresh: list[Path] = []
    seen: list[Path] = []
    taken: set[str] = set()
    for p in paths:
        new = prints[p] not in taken and not Ledger.seen_import(conn, prints[p])
        (fresh if new else seen).append(p)
        taken.add(prints[p])
    return fresh, seen


def _empty_rows() -> pd.DataFrame:
    return pd.DataFrame(columns=list(_ROW_COLUMNS))


def _moves(todo: pd.DataFrame, cards: pd.DataFrame, config: OperationConfig) -> list[Transition]:
    c = cards.set_index("card_ref")
    out = []
    for r in todo.itertuples():
        card = c.loc[r.card_ref]
        outcome = Outcome(r.hasil)
        attempt = int(card["attempts"]) + 1
        values: dict[str, Any] = {"attempts": attempt, "outcome": outcome.value, "due": None, "window": "any"}
        if outcome in NOT_ATTEMPTED:  # back as before that day, due again at once; no attempt counted
            to = CardState.PENDING if attempt == 1 else CardState.FAILED
            due = config.calendar.next_working_day(r.day + timedelta(1))
            held = card["window"] if isinstance(card["window"], str) and to is CardState.FAILED else ""
            values.update(attempts=attempt - 1, due=due, window=held or "any")  # a late/weekend retry stays
        else:
            to = config.rules.after(outcome, attempt)
        if to is CardState.FAILED and outcome not in NOT_ATTEMPTED:
            due, window = retry_due(config, outcome, r.day)
            values.update(due=due, window=window)
        out.append(
            Transition(
                int(card["card_id"]),
                CardState.DISPATCHED,
                to,
                values,
                outcome.value,
                None if outcome in NOT_ATTEMPTED else attempt,  # not taken out: no attempt number
                r.day,
                str(card["office_id"]),
                int(card["courier"]),
            )
        )
    return out


#: A handover point farther than this from its card's desa is no door of the household (a GPS slip, a
#: phone's last fix in town, a handover at the office): it is not kept, as a card's own point that far
#: out is not (``geocode.InputCoordinates``' ``max_far_m``).
FIELD_MAX_FAR_M = 2000.0


def _near_desa(kode: pd.Series, xy: pd.DataFrame) -> pd.Series:
    """Which handover points lie within :data:`FIELD_MAX_FAR_M` of their card's desa (a count of the
    others is logged, never a card)."""
    gaz = Gazetteer.bekasi()
    known = {d.kode for d in gaz.all_desa}
    polys = {k: gaz.polygon(k) for k in kode.dropna().unique() if k in known}
    pts = shapely.points(xy["lon"].to_numpy(), xy["lat"].to_numpy())
    far_m = [
        shapely.distance(polys[k], p) * METRES_PER_DEGREE if k in polys else 0.0
        for k, p in zip(kode, pts, strict=True)
    ]
    near = pd.Series([m <= FIELD_MAX_FAR_M for m in far_m], index=xy.index)
    if not near.all():
        log(logger, logging.WARNING, "log.field_point_far", n=int((~near).sum()), km=FIELD_MAX_FAR_M / 1000)
    return near


def _field_locations(ledger: Ledger, conn: sa.Connection, todo: pd.DataFrame, cards: pd.DataFrame) -> int:
    """Handover points of delivered cards become the household's field-verified location."""
    ok = todo[todo["hasil"].isin([Outcome.DITERIMA, Outcome.DITERIMA_KELUARGA])]
    xy = _coords(ok).dropna()
    xy = xy[_near_desa(ok.loc[xy.index, "card_ref"].map(cards.set_index("card_ref")["desa_kode"]), xy)]
    if not len(xy):
        return 0
    keys = ok.loc[xy.index, "card_ref"].map(cards.set_index("card_ref")["stop_key"])
    pts = pd.DataFrame({"k": keys, "x": xy["lon"], "y": xy["lat"]}).groupby("k").mean()
    home = ledger.cards(columns=["card_id", "stop_key"], conn=conn, match=("stop_key", list(pts.index)))
    home = home.join(pts, on="stop_key")
    stmt = (
        sa.update(cards_t)
        .where(cards_t.c.card_id == sa.bindparam("i"))
        .values(field_lon=sa.bindparam("x"), field_lat=sa.bindparam("y"), precision="field")
    )
    params = [
        {"i": int(i), "x": float(x), "y": float(y)}
        for i, x, y in zip(home["card_id"], home["x"], home["y"], strict=True)
    ]
    conn.execute(stmt, params)
    return len(pts)
