"""The delivery ledger: every card and its history, from loading to delivery or return.

A card is in exactly one :class:`CardState` at any time::

    pending -> dispatched (date, office, courier) -> delivered
                          \\-> failed (outcome, attempt n) -> dispatched again ... -> returned

A failed card is returned (to the kecamatan / Disdukcapil) once it reaches the attempt limit or on a
final outcome (moved, deceased, refused). Each transition is a row of the ``events`` table with its
time, the operation date, the source file and the run that made it. Every command changes the ledger
in ONE transaction, so a killed command leaves the ledger as it was before or after, never between.

Storage goes through SQLAlchemy Core: one code path for a SQLite file (the default, created readable
by its owner only) and a PostgreSQL server shared by several offices (a ``postgresql://`` URL; the
password comes from the URL or libpq's ``PGPASSWORD``). SQLAlchemy is used rather than hand-written
SQL per driver because it gives dialect-neutral DDL, bulk ``executemany`` on both drivers, and URL
handling that hides passwords when printed; statements never echo their parameters (which hold NIKs)
into error messages.

Example
-------
>>> import pandas as pd
>>> led = Ledger.open("sqlite://")            # in memory; a path or a postgresql:// URL in practice
>>> frame = pd.DataFrame({"nik": ["3216010101900001"], "nama": ["A"], "office_id": ["PO1"]})
>>> led.add_cards(frame, source="batch1.csv").added
1
>>> led.counts()["pending"]
1
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ektp_routes._errors import ConfigError, LedgerError
from ektp_routes.i18n import error, log

logger = logging.getLogger(__name__)


class CardState(StrEnum):
    """Where a card is in the delivery operation (one state at a time)."""

    PENDING = "pending"
    DISPATCHED = "dispatched"
    DELIVERED = "delivered"
    FAILED = "failed"
    RETURNED = "returned"


class Outcome(StrEnum):
    """Outcome codes a courier writes on the manifest (Bahasa Indonesia).

    ``DITERIMA``: handed to the card holder. ``DITERIMA_KELUARGA``: handed to a family member of the
    same household (accepted only when the operation allows it). ``TIDAK_DI_RUMAH``: nobody at home
    (tried again). ``PINDAH``: moved away (returned). ``ALAMAT_TIDAK_DITEMUKAN``: address not found
    (tried again). ``MENOLAK``: refused (returned). ``MENINGGAL``: the card holder died (returned).
    ``TIDAK_DIANTAR``: not taken out (the courier did not go out, or the round ended before the
    stop): no attempt; the card is given back as it was before that day.
    """

    DITERIMA = "DITERIMA"
    DITERIMA_KELUARGA = "DITERIMA_KELUARGA"
    TIDAK_DI_RUMAH = "TIDAK_DI_RUMAH"
    PINDAH = "PINDAH"
    ALAMAT_TIDAK_DITEMUKAN = "ALAMAT_TIDAK_DITEMUKAN"
    MENOLAK = "MENOLAK"
    MENINGGAL = "MENINGGAL"
    TIDAK_DIANTAR = "TIDAK_DIANTAR"


DELIVERED_OUTCOMES = frozenset({Outcome.DITERIMA, Outcome.DITERIMA_KELUARGA})
#: Outcomes of a card that was not taken to the house: no delivery attempt was made.
NOT_ATTEMPTED = frozenset({Outcome.TIDAK_DIANTAR})


@dataclass(frozen=True)
class Rules:
    """When a failed card is tried again and when it is returned.

    Parameters
    ----------
    attempt_limit
        Delivery attempts before a card is returned.
    family_handover
        Whether ``DITERIMA_KELUARGA`` counts as delivered (otherwise such a row is refused on import).
    final_outcomes
        Outcomes that return a card at once, whatever the attempt.
    """

    attempt_limit: int = 3
    family_handover: bool = True
    final_outcomes: frozenset[Outcome] = frozenset({Outcome.PINDAH, Outcome.MENINGGAL, Outcome.MENOLAK})

    def __post_init__(self) -> None:
        if not 1 <= self.attempt_limit <= 20:
            raise error(ConfigError, "error.rules_attempt_limit", value=self.attempt_limit)
        if self.final_outcomes & NOT_ATTEMPTED:  # after() never reads it: no attempt was made
            raise error(ConfigError, "error.rules_final_not_attempted", code=", ".join(sorted(NOT_ATTEMPTED)))
        if self.final_outcomes & DELIVERED_OUTCOMES:
            raise error(
                ConfigError, "error.rules_final_delivered", delivered=", ".join(sorted(DELIVERED_OUTCOMES))
            )

    def after(self, outcome: Outcome, attempt: int) -> CardState:
        """The state a dispatched card moves to when attempt ``attempt`` (1-based) ends in ``outcome``."""
        if outcome in DELIVERED_OUTCOMES:
            return CardState.DELIVERED
        if outcome in self.final_outcomes or attempt >= self.attempt_limit:
            return CardState.RETURNED
        return CardState.FAILED


# ----------------------------------------------------------------------------------------- the tables
_md = sa.MetaData()
CARD_FIELDS = ("nik", "nama", "alamat", "rt", "rw", "desa_kode", "desa", "kecamatan_kode", "kecamatan",
               "office_id", "stop_key", "block", "lon", "lat", "precision")  # fmt: skip
_TEXT_FIELDS = {"nama", "alamat", "desa", "kecamatan", "stop_key", "block"}
cards_t = sa.Table(
    "cards",
    _md,
    sa.Column("card_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("card_ref", sa.String(16), nullable=False, unique=True),
    *(
        sa.Column(f, sa.Float if f in ("lon", "lat") else sa.Text if f in _TEXT_FIELDS else sa.String(64))
        for f in CARD_FIELDS
    ),
    sa.Column("state", sa.String(12), nullable=False, index=True),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("due", sa.Date),  # earliest date of the next dispatch
    sa.Column("window", sa.String(12)),  # "any", or "late"/"weekend" for a 'not home' re-delivery
    sa.Column("courier", sa.Integer),  # courier of the current (or last) dispatch
    sa.Column("dispatch_date", sa.Date),
    sa.Column("sequence", sa.Integer),
    sa.Column("stop_id", sa.String(40)),
    sa.Column("outcome", sa.String(24)),
    sa.Column("field_lon", sa.Float),
    sa.Column("field_lat", sa.Float),
    sa.Column("batch", sa.Text),
)
sa.Index("ix_cards_nik", cards_t.c.nik, unique=True)
sa.Index("ix_cards_stop_key", cards_t.c.stop_key)
events_t = sa.Table(
    "events",
    _md,
    sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("card_id", sa.Integer, sa.ForeignKey("cards.card_id"), nullable=False, index=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("op_date", sa.Date),
    sa.Column("from_state", sa.String(12)),
    sa.Column("to_state", sa.String(12), nullable=False),
    sa.Column("outcome", sa.String(24)),
    sa.Column("attempt", sa.Integer),
    sa.Column("office_id", sa.String(64)),
    sa.Column("courier", sa.Integer),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("run_id", sa.String(40), nullable=False),
)
imports_t = sa.Table(
    "imports",
    _md,
    sa.Column("fingerprint", sa.String(64), primary_key=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("run_id", sa.String(40), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("applied", sa.Integer, nullable=False),
)
blocks_t = sa.Table(
    "blocks",
    _md,
    sa.Column("block", sa.Text, primary_key=True),
    sa.Column("office_id", sa.String(64), nullable=False),
    sa.Column("home_courier", sa.Integer, nullable=False),
    sa.Column("last_courier", sa.Integer),
    sa.Column("sweep", sa.Float, nullable=False),
)
meta_t = sa.Table("meta", _md, sa.Column("key", sa.String(64), primary_key=True), sa.Column("value", sa.Text))


def card_ref(card_id: int) -> str:
    """The card reference printed on manifests: ``K`` + 7 digits + a Luhn check digit (never the NIK).

    >>> card_ref(42)
    'K00000422'
    """
    digits = f"{card_id:07d}"
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return f"K{digits}{(10 - total % 10) % 10}"


_REF = re.compile(r"^K\d{8}$")


def is_card_ref(text: str) -> bool:
    """Whether ``text`` is a well-formed card reference with a correct check digit."""
    return bool(_REF.match(text)) and card_ref(int(text[1:8])) == text


_OPERATION_LETTERS = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud and typed back


def new_operation_id() -> str:
    """A new operation's id, printed on its manifests and in dispatch.csv and given back in handheld
    outcome files: ``OP-`` and 6 letters or digits that cannot be mistaken for one another."""
    return "OP-" + "".join(secrets.choice(_OPERATION_LETTERS) for _ in range(6))


def new_run_id() -> str:
    """A run identifier: UTC time and a random suffix."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:8]


@dataclass(frozen=True)
class LoadReport:
    """What :meth:`Ledger.add_cards` did: cards added, and input rows whose NIK was already present."""

    added: int
    already_present: tuple[int, ...]
    run_id: str


@dataclass(frozen=True)
class Transition:
    """One card's move to a new state (written to ``cards`` and ``events`` together)."""

    card_id: int
    from_state: CardState
    to_state: CardState
    values: Mapping[str, Any]
    outcome: str | None = None
    attempt: int | None = None
    op_date: date | None = None
    office_id: str | None = None
    courier: int | None = None


def _is_url(target: str) -> bool:
    return "://" in target


def _hide(url: sa.URL) -> str:
    return url.render_as_string(hide_password=True)


def _make_sqlite_file(path: Path) -> None:
    """Create the ledger file readable by its owner only (it holds names and NIKs)."""
    if not path.parent.is_dir():
        raise error(LedgerError, "error.ledger_folder_missing", path=path)
    if path.exists():
        if path.stat().st_mode & 0o077:
            log(logger, logging.WARNING, "log.ledger_readable", name=path.name)
            os.chmod(path, 0o600)
        return
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def _engine(target: str | Path, *, create: bool) -> Engine:
    text = str(target)
    if _is_url(text):
        try:
            url = sa.make_url(text)
        except sa.exc.ArgumentError:
            raise error(LedgerError, "error.ledger_url") from None
        if url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+psycopg")
    else:
        path = Path(text)
        if not create and not path.is_file():
            raise error(LedgerError, "error.ledger_missing", path=path)
        _make_sqlite_file(path)
        url = sa.URL.create("sqlite", database=str(path))
    try:
        return sa.create_engine(url, hide_parameters=True, future=True)
    except Exception as exc:  # unknown driver, missing module
        raise error(LedgerError, "error.ledger_unusable", url=_hide(url), why=type(exc).__name__) from None


def _refuse_foreign(conn: Connection, label: str) -> None:
    """A database that holds tables but not the ledger's (a GeoPackage, another program's SQLite file)
    is never written into: opening it as a ledger is refused."""
    names = set(sa.inspect(conn).get_table_names())
    if names and not {cards_t.name, meta_t.name} <= names:
        raise error(LedgerError, "error.ledger_foreign", label=label)


class Ledger:
    """The delivery ledger in a SQLite file or a PostgreSQL database (see the module docstring)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._label = _hide(engine.url)

    @classmethod
    def open(cls, target: str | Path, *, create: bool = False) -> Ledger:
        """Open (or with ``create``, create) the ledger at a file path or database URL."""
        led = cls(_engine(target, create=create or str(target) == "sqlite://"))
        with led.transaction() as conn:
            _refuse_foreign(conn, led._label)
            _md.create_all(conn)
        return led

    def close(self) -> None:
        """Release the database connections (what was written stays written)."""
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Ledger({self._label})"

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One all-or-nothing transaction; database errors become a :class:`LedgerError` whose message
        holds neither the password nor any row's values."""
        try:
            with self.engine.begin() as conn:
                if conn.dialect.name == "sqlite":
                    conn.exec_driver_sql("BEGIN IMMEDIATE")  # one writer at a time, taken up front
                yield conn
        except sa.exc.SQLAlchemyError as exc:
            raise error(
                LedgerError, "error.ledger_database", label=self._label, why=_describe(exc, self.engine.url)
            ) from None

    # ---------------------------------------------------------------------------------- reading
    def counts(self, *, conn: Connection | None = None) -> dict[str, int]:
        """Cards per state (every state present, zeros included)."""
        q = sa.select(cards_t.c.state, sa.func.count()).group_by(cards_t.c.state)
        rows = self._rows(q, conn)
        out = {s.value: 0 for s in CardState}
        out.update({str(s): int(n) for s, n in rows})
        return out

    def cards(self, *, states: Sequence[CardState] | None = None, conn: Connection | None = None,
              columns: Sequence[str] | None = None,
              match: tuple[str, Sequence[str]] | None = None) -> pd.DataFrame:  # fmt: skip
        """Cards (optionally of some states, or whose column ``match[0]`` is one of ``match[1]``) as a
        DataFrame, ordered by card id."""
        cols = [cards_t.c[c] for c in columns] if columns else list(cards_t.c)
        q = sa.select(*cols).order_by(cards_t.c.card_id)
        if states:
            q = q.where(cards_t.c.state.in_([str(s) for s in states]))
        if match is None:
            return pd.DataFrame(self._rows(q, conn), columns=[c.name for c in cols])
        rows = self._rows_in(q, cards_t.c[match[0]], match[1], conn)
        frame = pd.DataFrame(rows, columns=[c.name for c in cols])
        return frame.sort_values(cols[0].name).reset_index(drop=True)

    def events(self, *, conn: Connection | None = None) -> pd.DataFrame:
        """Every state change recorded, oldest first; read inside ``conn``'s transaction when given."""
        q = sa.select(events_t).order_by(events_t.c.event_id)
        return pd.DataFrame(self._rows(q, conn), columns=[c.name for c in events_t.c])

    def blocks(self, *, conn: Connection | None = None) -> pd.DataFrame:
        """The delivery blocks with their office, home courier and last courier, per office in sweep order."""
        q = sa.select(blocks_t).order_by(blocks_t.c.office_id, blocks_t.c.sweep)
        return pd.DataFrame(self._rows(q, conn), columns=[c.name for c in blocks_t.c])

    def meta(self, key: str, *, conn: Connection | None = None) -> str | None:
        """The stored value of ``key`` (the operation's start date, say); None when never set."""
        rows = self._rows(sa.select(meta_t.c.value).where(meta_t.c.key == key), conn)
        return str(rows[0][0]) if rows else None

    def operation_id(self, *, conn: Connection | None = None) -> str:
        """The operation's id (:func:`new_operation_id`); a ledger started before operations had one
        gets it now, once."""
        if conn is None:
            with self.transaction() as c:
                return self.operation_id(conn=c)
        known = self.meta("operation_id", conn=conn)
        if known is None:
            known = new_operation_id()
            Ledger.set_meta(conn, {"operation_id": known})
        return known

    def history(self, card_ids: Sequence[int], *, conn: Connection | None = None) -> pd.DataFrame:
        """The operation days of these cards as the events recorded them (``card_id``, ``op_date``,
        ``to_state``, ``outcome``, ``office_id``, ``courier``): each dispatch (where a card was out and
        on which day, before a re-dispatch too) and each outcome recorded, oldest first."""
        cols = [events_t.c[c] for c in ("card_id", "op_date", "to_state", "outcome", "office_id", "courier")]
        q = sa.select(*cols).where(events_t.c.op_date.is_not(None)).order_by(events_t.c.event_id)
        rows = self._rows_in(q, events_t.c.card_id, [int(i) for i in card_ids], conn)
        return pd.DataFrame(rows, columns=[c.name for c in cols])

    def _rows_in(self, q: sa.Select[Any], key: sa.Column[Any], values: Sequence[Any],
                 conn: Connection | None) -> list[Any]:  # fmt: skip
        """The rows of ``q`` whose ``key`` is one of ``values``, asked in chunks of 900 values (under
        SQLite's limit on variables)."""
        ordered = sorted(set(values))
        chunks = [ordered[i : i + 900] for i in range(0, len(ordered), 900)]
        return [r for chunk in chunks for r in self._rows(q.where(key.in_(chunk)), conn)]

    def last_dispatch_day(self, *, conn: Connection | None = None) -> date | None:
        """The latest operation day on which cards were sent out (None before the first)."""
        q = sa.select(sa.func.max(events_t.c.op_date)).where(
            events_t.c.to_state == CardState.DISPATCHED.value
        )
        value = self._rows(q, conn)[0][0]
        return None if value is None else date.fromisoformat(str(value)[:10])

    def sent_again_since(self, day: date, *, conn: Connection | None = None) -> int:
        """Cards sent out on ``day`` that went out again on a later day (a card holds its latest)."""
        out = events_t.c
        q = (
            sa.select(sa.func.count(sa.distinct(out.card_id)))
            .select_from(events_t.join(cards_t, cards_t.c.card_id == out.card_id))
            .where(out.op_date == day, out.to_state == CardState.DISPATCHED.value)
            .where(cards_t.c.dispatch_date > day)
        )
        return int(self._rows(q, conn)[0][0])

    def _rows(self, q: sa.Executable, conn: Connection | None) -> list[Any]:
        if conn is not None:
            return list(conn.execute(q).all())
        try:
            with self.engine.connect() as c:
                return list(c.execute(q).all())
        except sa.exc.SQLAlchemyError as exc:
            raise error(
                LedgerError, "error.ledger_database", label=self._label, why=_describe(exc, self.engine.url)
            ) from None

    # ---------------------------------------------------------------------------------- writing
    @staticmethod
    def set_meta(conn: Connection, values: Mapping[str, str]) -> None:
        """Store each key's value, replacing an earlier one, inside the transaction ``conn``."""
        for k, v in values.items():
            conn.execute(sa.delete(meta_t).where(meta_t.c.key == k))
            conn.execute(sa.insert(meta_t).values(key=k, value=v))

    def add_cards(self, frame: pd.DataFrame, *, source: str, run_id: str | None = None,
                  conn: Connection | None = None) -> LoadReport:  # fmt: skip
        """Add validated cards as ``pending``; a NIK already in the ledger is reported, never added twice.

        ``frame`` has the columns of :data:`CARD_FIELDS` (``nik`` required) and optionally ``row``
        (the input row number, used in the report).
        """
        run = run_id or new_run_id()
        if conn is None:
            with self.transaction() as c:
                return self.add_cards(frame, source=source, run_id=run, conn=c)
        known = {str(n) for (n,) in conn.execute(sa.select(cards_t.c.nik))}
        is_new = ~frame["nik"].astype(str).isin(known)
        present = tuple(int(r) for r in frame.loc[~is_new].get("row", frame.index[~is_new]))
        new = frame.loc[is_new]
        first = int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(cards_t.c.card_id), 0))).scalar_one())
        ids = list(range(first + 1, first + 1 + len(new)))
        records = _card_records(new, ids, source)
        if records:
            conn.execute(sa.insert(cards_t), records)
            now = datetime.now(UTC)
            conn.execute(
                sa.insert(events_t),
                [{"card_id": i, "at": now, "from_state": None, "to_state": CardState.PENDING.value,
                  "office_id": r["office_id"], "source": source, "run_id": run}
                 for i, r in zip(ids, records, strict=True)],
            )  # fmt: skip
        logger.info("ledger: %d cards added, %d already present (%s)", len(records), len(present), run)
        return LoadReport(len(records), present, run)

    @staticmethod
    def apply(conn: Connection, moves: Sequence[Transition], *, source: str, run_id: str) -> None:
        """Write state transitions and their events, checking each card is still in ``from_state``."""
        if not moves:
            return
        now = datetime.now(UTC)
        by_shape: dict[tuple[str, tuple[str, ...]], list[dict[str, Any]]] = {}
        for m in moves:
            vals = {"state": m.to_state.value, **m.values}
            by_shape.setdefault((m.from_state.value, tuple(sorted(vals))), []).append(
                {"b_id": m.card_id, **{f"v_{k}": v for k, v in vals.items()}}
            )
        changed = 0
        for (from_state, keys), params in by_shape.items():
            stmt = (
                sa.update(cards_t)
                .where(cards_t.c.card_id == sa.bindparam("b_id"), cards_t.c.state == from_state)
                .values({k: sa.bindparam(f"v_{k}") for k in keys})
            )
            changed += conn.execute(stmt, params).rowcount
        if changed != len(moves):
            raise error(LedgerError, "error.ledger_changed_under", n=len(moves) - changed)
        conn.execute(sa.insert(events_t), [_event(m, now, source, run_id) for m in moves])

    @staticmethod
    def seen_import(conn: Connection, fingerprint: str) -> bool:
        """Whether a file with this content fingerprint (sha256) was recorded before."""
        q = sa.select(imports_t.c.fingerprint).where(imports_t.c.fingerprint == fingerprint)
        return conn.execute(q).first() is not None

    @staticmethod
    def note_import(conn: Connection, fingerprint: str, *, source: str, run_id: str, applied: int) -> None:
        """Remember a recorded file by its fingerprint, with its name, run and how many rows applied."""
        conn.execute(
            sa.insert(imports_t).values(
                fingerprint=fingerprint, source=source, run_id=run_id, at=datetime.now(UTC), applied=applied
            )
        )

    @staticmethod
    def put_blocks(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert new blocks (territory of a courier); existing blocks keep their courier."""
        known = {str(b) for (b,) in conn.execute(sa.select(blocks_t.c.block))}
        new = [dict(r) for r in rows if str(r["block"]) not in known]
        if new:
            conn.execute(sa.insert(blocks_t), new)

    @staticmethod
    def served_blocks(conn: Connection, served: Mapping[str, int]) -> None:
        """Remember which courier served each block last (for territory stability)."""
        stmt = (
            sa.update(blocks_t)
            .where(blocks_t.c.block == sa.bindparam("b"))
            .values(last_courier=sa.bindparam("c"))
        )
        if served:
            conn.execute(stmt, [{"b": b, "c": c} for b, c in served.items()])


def _card_records(new: pd.DataFrame, ids: Sequence[int], source: str) -> list[dict[str, Any]]:
    cols = [f for f in CARD_FIELDS if f in new.columns]
    base = new[cols].astype(object).where(new[cols].notna(), None).to_dict("records")
    out = []
    for cid, rec in zip(ids, base, strict=True):
        rec.update(card_id=cid, card_ref=card_ref(cid), state=CardState.PENDING.value, attempts=0,
                   window="any", batch=source)  # fmt: skip
        for f in CARD_FIELDS:
            rec.setdefault(f, None)
        out.append(rec)
    return out


def _event(m: Transition, now: datetime, source: str, run_id: str) -> dict[str, Any]:
    return {
        "card_id": m.card_id,
        "at": now,
        "op_date": m.op_date,
        "from_state": m.from_state.value,
        "to_state": m.to_state.value,
        "outcome": m.outcome,
        "attempt": m.attempt,
        "office_id": m.office_id,
        "courier": m.courier,
        "source": source,
        "run_id": run_id,
    }


def _describe(exc: sa.exc.SQLAlchemyError, url: sa.URL) -> str:
    """A one-line description of a database error without the password or any statement values."""
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).splitlines()[0] if str(orig or exc) else ""
    text = text.split("[SQL:")[0].strip()
    if url.password:
        text = text.replace(str(url.password), "***")
    return f"{type(orig or exc).__name__}: {text}"[:300]
