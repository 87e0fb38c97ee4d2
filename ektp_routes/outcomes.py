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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import sqlalchemy as sa

from ektp_routes._errors import InputFileError
from ektp_routes.fieldform import MANIFEST_COLUMNS, MANIFEST_MARKER, read_form_xlsx
from ektp_routes.i18n import Messages, error, messages
from ektp_routes.ledger import CardState, Ledger, Outcome, Transition, cards_t, is_card_ref, new_run_id
from ektp_routes.nik import mask_nik
from ektp_routes.operation import OperationConfig, load_config, retry_due, route_id

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


_ROW_COLUMNS = ("file", "row", "operation_id", "route_id", "card_ref", "nik", "hasil", "waktu", "lon", "lat")


def read_outcomes(path: Path) -> pd.DataFrame:
    """One outcome file as rows of text: file, row, operation_id, route_id, card_ref, nik (a manifest's;
    "" if none), hasil, waktu, lon, lat."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".xlsx":
            raw = read_form_xlsx(path, MANIFEST_COLUMNS, marker=MANIFEST_MARKER)
        elif suffix in (".csv", ".txt"):
            raw = pd.read_csv(
                path, dtype=str, keep_default_na=False, encoding="utf-8-sig", sep=_delimiter(path)
            )
            raw.columns = [str(c).strip().lower() for c in raw.columns]
            raw.insert(0, "row", range(2, 2 + len(raw)))
        else:
            raise InputFileError(f"{path.name}: outcome files must be .xlsx or .csv")
    except InputFileError:
        raise
    except Exception as exc:
        raise InputFileError(
            f"{path.name} cannot be read as an outcome file ({type(exc).__name__})"
        ) from None
    if "card_ref" not in raw.columns or "hasil" not in raw.columns:
        raise InputFileError(
            f"{path.name}: columns card_ref and hasil are required (a manifest or handheld CSV)"
        )
    out = pd.DataFrame({"file": path.name, "row": raw["row"]})
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
    empty = out["card_ref"].eq("") & out["hasil"].eq("")
    return out.loc[~empty, list(_ROW_COLUMNS)].reset_index(drop=True)


def _delimiter(path: Path) -> str:
    """The delimiter of an outcome CSV's header line: comma, or the semicolon (or tab) a spreadsheet
    saving in an Indonesian locale writes, whichever the header uses most."""
    with path.open(encoding="utf-8-sig", errors="replace") as f:
        header = f.readline()
    return max((",", ";", "\t"), key=header.count)


def _when(text: pd.Series) -> pd.Series:
    """Local (WIB) naive timestamps; NaT where unreadable. Offsets given are converted to WIB."""
    out = []
    for t in text:
        try:
            ts = pd.Timestamp(t) if t else pd.NaT
        except (ValueError, TypeError):
            ts = pd.NaT
        if ts is not pd.NaT and ts.tzinfo is not None:
            ts = ts.tz_convert(LOCAL_TZ).tz_localize(None)
        out.append(ts)
    return pd.Series(out, index=text.index, dtype="datetime64[ns]")


def _check(rows: pd.DataFrame, cards: pd.DataFrame, config: OperationConfig, now: datetime) -> pd.DataFrame:
    """Add ``problem`` (empty when fine) and ``unchanged`` to each row."""
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
    mark(r["route_id"].ne("") & r["route_id"].ne(r["card_ref"].map(_routes(c))), Problem.NOT_ON_ROUTE)
    mark(r["when"].isna(), Problem.TIME_INVALID)
    mark(r["when"] > pd.Timestamp(now), Problem.FUTURE_DATE)
    valid = problem.eq("")
    distinct = r[valid].groupby("card_ref")["hasil"].transform("nunique")
    mark(r.index.isin(distinct[distinct > 1].index), Problem.CONFLICTING_OUTCOME)
    same_day = sent.eq(r["when"].dt.normalize())  # NaT (unknown card, no time) is never the same day
    done_before = same_day & ~state.eq(CardState.DISPATCHED)
    mark(done_before & ~last.eq(r["hasil"]), Problem.CONFLICTING_OUTCOME)
    mark(~same_day, Problem.NOT_DISPATCHED_THAT_DAY)
    r["problem"] = problem
    r["unchanged"] = problem.eq("") & (done_before | r.duplicated(["card_ref", "hasil"]))
    return r


def _timed(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` with ``when`` (local timestamp, NaT where unreadable) and ``day`` (its date)."""
    when = _when(rows["waktu"])
    return rows.assign(when=when, day=when.dt.date)


def _routes(cards: pd.DataFrame) -> pd.Series:
    """Each card's route id of its last dispatch (office, date, courier; "" if never out), upper case."""
    sent = pd.to_datetime(cards["dispatch_date"])
    return pd.Series(
        [route_id(str(o), d.date(), int(k)).upper() if pd.notna(d) and pd.notna(k) else ""
         for o, d, k in zip(cards["office_id"], sent, cards["courier"], strict=True)],
        index=cards.index,
        dtype=object,
    )  # fmt: skip


def _refuse_foreign(rows: pd.DataFrame, cards: pd.DataFrame, history: pd.DataFrame, ours: str) -> None:
    """Refuse, in one line that names no card, a file of another operation: one naming another
    operation id, or one naming none of which no row is a card this operation sent out on that row's
    day (and route, when the row names one) with the NIK the row gives (see :func:`_ours`).

    Raises
    ------
    InputFileError
        Worded by the catalogue (``error.other_operation``, ``error.not_this_operation``).
    """
    for name, f in _timed(rows).groupby("file", sort=False):
        named = sorted(set(f["operation_id"]) - {""})
        other = [n for n in named if n != ours]
        if other:
            raise error(InputFileError, "error.other_operation", name=name, theirs=other[0], ours=ours)
        judged = f["card_ref"].map(is_card_ref).astype(bool) & f["when"].notna()  # a typo is no evidence
        if not named and judged.any() and not _ours(f[judged], cards, history).any():
            raise error(InputFileError, "error.not_this_operation", name=name, n=int(judged.sum()))


def _ours(rows: pd.DataFrame, cards: pd.DataFrame, history: pd.DataFrame) -> pd.Series:
    """Rows naming a card this operation sent out on the row's day (on the row's route, when given),
    whose NIK (when given) is the card's."""
    c = cards.set_index("card_ref")
    h = history[["card_id", "op_date", "office_id", "courier"]].itertuples(index=False)
    sent = {(int(i), d, route_id(str(o), d, int(k)).upper()) for i, d, o, k in h}
    days = {(i, d) for i, d, _ in sent}
    ids = rows["card_ref"].map(c["card_id"])
    out = [
        pd.notna(i) and ((int(i), d) in days if not r else (int(i), d, r) in sent)
        for i, d, r in zip(ids, rows["day"], rows["route_id"], strict=True)
    ]
    return pd.Series(out, index=rows.index, dtype=bool) & ~_other_card(
        rows["nik"], rows["card_ref"].map(c["nik"])
    )


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
    """Apply outcome files to the ledger (see the module docstring)."""
    config = load_config(ledger)
    now = now or datetime.now(LOCAL_TZ).replace(tzinfo=None)
    prints = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}
    run = new_run_id()
    with ledger.transaction() as conn:
        seen = tuple(p.name for p in paths if Ledger.seen_import(conn, prints[p]))
        fresh = [p for p in paths if p.name not in seen]
        frames = [read_outcomes(p) for p in fresh]
        rows = pd.concat(frames, ignore_index=True) if frames else _empty_rows()
        cols = [
            "card_id",
            "card_ref",
            "nik",
            "state",
            "attempts",
            "dispatch_date",
            "outcome",
            "stop_key",
            "office_id",
            "courier",
        ]
        cards = ledger.cards(columns=cols, conn=conn, match=("card_ref", rows["card_ref"].tolist()))
        history = ledger.dispatches(cards["card_id"].tolist(), conn=conn)
        _refuse_foreign(rows, cards, history, ledger.operation_id(conn=conn))
        checked = _check(rows, cards, config, now)
        todo = checked[checked["problem"].eq("") & ~checked["unchanged"]]
        moves = _moves(todo, cards, config)
        Ledger.apply(conn, moves, source=",".join(p.name for p in fresh), run_id=run)
        located = _field_locations(ledger, conn, todo, cards)
        for p in fresh:
            Ledger.note_import(conn, prints[p], source=p.name, run_id=run, applied=len(moves))
    problems = checked[checked["problem"].ne("")]
    report = pd.DataFrame(
        {
            "file": problems["file"],
            "row": problems["row"],
            "card_ref": _shown_ref(problems["card_ref"]),
            "reason": problems["problem"],
            "message": problems["problem"].map(problem_message),
        }
    )
    by = todo["hasil"].value_counts().to_dict()
    logger.info("recorded %d outcomes, %d problem rows (%s)", len(moves), len(report), run)
    return RecordReport(
        len(moves),
        int(checked["unchanged"].sum()),
        seen,
        report.reset_index(drop=True),
        {str(k): int(v) for k, v in by.items()},
        located,
        run,
    )


def _empty_rows() -> pd.DataFrame:
    return pd.DataFrame(columns=list(_ROW_COLUMNS))


def _moves(todo: pd.DataFrame, cards: pd.DataFrame, config: OperationConfig) -> list[Transition]:
    c = cards.set_index("card_ref")
    out = []
    for r in todo.itertuples():
        card = c.loc[r.card_ref]
        outcome = Outcome(r.hasil)
        attempt = int(card["attempts"]) + 1
        to = config.rules.after(outcome, attempt)
        values: dict[str, Any] = {"attempts": attempt, "outcome": outcome.value, "due": None, "window": "any"}
        if to is CardState.FAILED:
            due, window = retry_due(config, outcome, r.day)
            values.update(due=due, window=window)
        out.append(
            Transition(
                int(card["card_id"]),
                CardState.DISPATCHED,
                to,
                values,
                outcome.value,
                attempt,
                r.day,
                str(card["office_id"]),
                int(card["courier"]),
            )
        )
    return out


def _field_locations(ledger: Ledger, conn: sa.Connection, todo: pd.DataFrame, cards: pd.DataFrame) -> int:
    """Handover points of delivered cards become the household's field-verified location."""
    ok = todo[todo["hasil"].isin([Outcome.DITERIMA, Outcome.DITERIMA_KELUARGA])]
    xy = _coords(ok).dropna()
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
