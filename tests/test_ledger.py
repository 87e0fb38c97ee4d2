from __future__ import annotations

import os
import re
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from opsdata import pg_schema_url

from ektp_routes._errors import ConfigError, LedgerError
from ektp_routes.ledger import (
    CardState,
    Ledger,
    Outcome,
    Rules,
    Transition,
    card_ref,
    is_card_ref,
)


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield str(tmp_path / "ledger.db")
        return
    yield from pg_schema_url()


def _cards(niks: list[str], office: str = "PO1") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row": range(2, 2 + len(niks)),
            "nik": niks,
            "nama": [f"Nama {n[-3:]}" for n in niks],
            "alamat": "Jl. Melati 1",
            "office_id": office,
            "desa_kode": "32.16.10.2005",
            "lon": 107.0,
            "lat": -6.15,
        }
    )


def _nik(i: int) -> str:
    return f"3216105505{i:06d}"


def test_load_counts_and_second_batch_reports_duplicates(target: str) -> None:
    led = Ledger.open(target, create=True)
    first = led.add_cards(_cards([_nik(i) for i in range(5)]), source="batch1.csv")
    again = led.add_cards(_cards([_nik(3), _nik(4), _nik(5)]), source="batch2.csv")
    assert (first.added, again.added, again.already_present) == (5, 1, (2, 3))
    counts = led.counts()
    assert counts == {"pending": 6, "dispatched": 0, "delivered": 0, "failed": 0, "returned": 0}
    cards = led.cards()
    assert cards["nik"].is_unique and len(cards) == 6
    assert all(is_card_ref(r) for r in cards["card_ref"]) and not cards["card_ref"].str.contains("3216").any()
    ev = led.events()
    assert len(ev) == 6 and set(ev["source"]) == {"batch1.csv", "batch2.csv"} and ev["at"].notna().all()
    led.close()


def test_every_transition_is_recorded_with_its_source(target: str) -> None:
    led = Ledger.open(target, create=True)
    led.add_cards(_cards([_nik(1)]), source="b.csv")
    rules = Rules(attempt_limit=2)
    path = [
        (CardState.PENDING, CardState.DISPATCHED, None, None),
        (CardState.DISPATCHED, rules.after(Outcome.TIDAK_DI_RUMAH, 1), "TIDAK_DI_RUMAH", 1),
        (CardState.FAILED, CardState.DISPATCHED, None, None),
        (CardState.DISPATCHED, rules.after(Outcome.TIDAK_DI_RUMAH, 2), "TIDAK_DI_RUMAH", 2),
    ]
    for i, (a, b, outcome, attempt) in enumerate(path):
        with led.transaction() as c:
            Ledger.apply(c, [Transition(1, a, b, {"attempts": attempt or 0}, outcome, attempt)],
                         source=f"f{i}", run_id=f"r{i}")  # fmt: skip
    ev = led.events()
    assert list(ev["to_state"]) == ["pending", "dispatched", "failed", "dispatched", "returned"]
    assert list(ev["source"])[1:] == ["f0", "f1", "f2", "f3"]
    assert led.counts()["returned"] == 1
    led.close()


def test_rules_for_each_outcome() -> None:
    r = Rules()
    assert r.after(Outcome.DITERIMA, 1) is CardState.DELIVERED
    assert r.after(Outcome.DITERIMA_KELUARGA, 3) is CardState.DELIVERED
    assert r.after(Outcome.TIDAK_DI_RUMAH, 1) is CardState.FAILED
    assert r.after(Outcome.ALAMAT_TIDAK_DITEMUKAN, 2) is CardState.FAILED
    assert r.after(Outcome.TIDAK_DI_RUMAH, 3) is CardState.RETURNED
    for final in (Outcome.PINDAH, Outcome.MENINGGAL, Outcome.MENOLAK):
        assert r.after(final, 1) is CardState.RETURNED
    with pytest.raises(ConfigError):
        Rules(attempt_limit=0)


def test_a_stale_transition_applies_nothing(target: str) -> None:
    led = Ledger.open(target, create=True)
    led.add_cards(_cards([_nik(1), _nik(2)]), source="b.csv")
    moves = [Transition(i, CardState.PENDING, CardState.DISPATCHED, {"courier": 1}) for i in (1, 2)]
    with led.transaction() as c:
        Ledger.apply(c, moves[:1], source="a", run_id="r1")
    with pytest.raises(LedgerError, match="changed state"), led.transaction() as c:
        Ledger.apply(c, moves, source="b", run_id="r2")
    assert led.counts()["dispatched"] == 1 and len(led.events()) == 3
    led.close()


def test_sqlite_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    Ledger.open(path, create=True).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.chmod(0o644)
    Ledger.open(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_missing_ledger_and_folder_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="ops start"):
        Ledger.open(tmp_path / "none.db")
    with pytest.raises(LedgerError, match="does not exist"):
        Ledger.open(tmp_path / "nope" / "l.db", create=True)


@pytest.mark.parametrize("create", [False, True])
def test_a_database_that_is_not_a_ledger_is_never_written_into(tmp_path: Path, create: bool) -> None:
    path = tmp_path / "plan.gpkg"  # e.g. a GeoPackage given as --ledger by mistake
    con = sqlite3.connect(path)
    con.execute("create table gpkg_contents(table_name text)")
    con.commit()
    con.close()
    with pytest.raises(LedgerError, match="not an ektp-routes ledger"):
        Ledger.open(path, create=create)
    con = sqlite3.connect(path)
    tables = {r[0] for r in con.execute("select name from sqlite_master where type = 'table'")}
    con.close()
    assert tables == {"gpkg_contents"}


def test_password_never_in_errors() -> None:
    secret = "s3cret-Pw-91"
    with pytest.raises(LedgerError) as info:
        Ledger.open(f"postgresql://ektp:{secret}@127.0.0.1:1/ledger")
    assert secret not in str(info.value) and "***" in str(info.value)


def test_card_ref_has_a_check_digit() -> None:
    ref = card_ref(1234)
    assert is_card_ref(ref)
    typo = ref[:-2] + str((int(ref[-2]) + 1) % 10) + ref[-1]
    assert not is_card_ref(typo) and not is_card_ref("3216105505000001")


_KILLED_LOAD = """
import os, signal, sys
import pandas as pd
from ektp_routes.ledger import Ledger
led = Ledger.open(sys.argv[1])
frame = pd.DataFrame({"nik": [f"32161055{i:08d}" for i in range(20000)], "office_id": "PO1"})
with led.transaction() as conn:
    led.add_cards(frame, source="killed.csv", conn=conn)
    os.kill(os.getpid(), signal.SIGKILL)  # kill -9 after the writes, before the commit
"""


def test_kill_9_inside_a_command_leaves_the_ledger_as_before(target: str) -> None:
    led = Ledger.open(target, create=True)
    led.add_cards(_cards([_nik(1)]), source="b.csv")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.run([sys.executable, "-c", _KILLED_LOAD, target], env=env, capture_output=True)
    assert proc.returncode == -9
    assert led.counts()["pending"] == 1 and len(led.events()) == 1
    assert led.add_cards(_cards([_nik(2)]), source="c.csv").added == 1  # the ledger is usable after it
    led.close()


def test_an_operation_has_one_id_and_a_ledger_from_before_ids_gets_one_once(tmp_path: Path) -> None:
    led = Ledger.open(tmp_path / "l.db", create=True)  # as a ledger started before operations had ids
    assert led.meta("operation_id") is None
    first = led.operation_id()
    assert re.fullmatch(r"OP-[2-9A-HJKMNP-Z]{6}", first) and led.operation_id() == first
    assert Ledger.open(tmp_path / "l.db").operation_id() == first
    assert Ledger.open(tmp_path / "m.db", create=True).operation_id() != first
