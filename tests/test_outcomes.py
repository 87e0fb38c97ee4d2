from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from opsdata import CONFIG, START, pg_schema_url, started

from ektp_routes._errors import InputFileError
from ektp_routes.i18n import error_text, messages
from ektp_routes.ledger import CardState, Ledger, card_ref
from ektp_routes.operation import dispatch_day
from ektp_routes.opsreport import status
from ektp_routes.outcomes import outcome_files, record_outcomes
from ektp_routes.regions import Gazetteer

NOW = datetime(2026, 8, 20, 12, 0)


def _sent(led: object) -> pd.DataFrame:
    c = led.cards()  # type: ignore[attr-defined]
    return c[c["state"] == "dispatched"].reset_index(drop=True)


def _handheld(path: Path, rows: list[tuple[str, str, str]], **extra: list[object]) -> Path:
    frame = pd.DataFrame(rows, columns=["card_ref", "hasil", "waktu"])
    for k, v in extra.items():
        frame[k] = v
    frame.to_csv(path, index=False)
    return path


def test_every_outcome_moves_the_card_as_the_rules_say(tmp_path: Path) -> None:
    led = started(tmp_path, n=20)
    dispatch_day(led, START)
    sent = _sent(led)
    codes = ["DITERIMA", "DITERIMA_KELUARGA", "TIDAK_DI_RUMAH", "PINDAH", "ALAMAT_TIDAK_DITEMUKAN",
             "MENOLAK", "MENINGGAL"]  # fmt: skip
    rows = [(sent.card_ref[i], codes[i], f"{START}T10:00") for i in range(7)]
    rep = record_outcomes(led, [_handheld(tmp_path / "h.csv", rows)], now=NOW)
    assert rep.applied == 7 and rep.problems.empty
    state = led.cards().set_index("card_ref")["state"]
    expected = ["delivered", "delivered", "failed", "returned", "failed", "returned", "returned"]
    assert [state[r[0]] for r in rows] == expected
    ev = led.events()
    last = ev.groupby("card_id").tail(1).set_index("card_id")
    assert set(last.loc[last["outcome"].notna(), "source"]) == {"h.csv"}
    assert sum(led.counts().values()) == 20


@pytest.mark.parametrize("sep", [";", "\t"])
def test_a_csv_saved_by_a_spreadsheet_in_an_indonesian_locale_is_read(tmp_path: Path, sep: str) -> None:
    # Excel in an Indonesian locale saves CSV with ';' (decimal commas): the outcomes are recorded.
    led = started(tmp_path, n=6)
    dispatch_day(led, START)
    rows = [(ref, "DITERIMA", f"{START}T10:00") for ref in _sent(led).card_ref[:3]]
    path = tmp_path / "h.csv"
    pd.DataFrame(rows, columns=["card_ref", "hasil", "waktu"]).assign(lon="106,98").to_csv(
        path, index=False, sep=sep
    )
    rep = record_outcomes(led, [path], now=NOW)
    assert rep.applied == 3 and rep.problems.empty
    state = led.cards().set_index("card_ref")["state"]
    assert [state[r[0]] for r in rows] == ["delivered"] * 3


@pytest.mark.parametrize(("encoding", "sep"), [("cp1252", ";"), ("utf-16", "\t")])
def test_a_csv_resaved_by_excel_in_cp1252_or_utf16_is_read(tmp_path: Path, encoding: str, sep: str) -> None:
    # Excel's "CSV" on Windows saves in cp1252 and its "Unicode Text" in UTF-16 with tabs: a receiver's
    # name typed with an accent made the whole file unreadable (UnicodeDecodeError) before.
    led = started(tmp_path, n=6)
    dispatch_day(led, START)
    rows = [(ref, "DITERIMA", f"{START}T10:00") for ref in _sent(led).card_ref[:3]]
    path = tmp_path / "h.csv"
    frame = pd.DataFrame(rows, columns=["card_ref", "hasil", "waktu"]).assign(penerima="José Ñúñez")
    frame.to_csv(path, index=False, sep=sep, encoding=encoding)
    rep = record_outcomes(led, [path], now=NOW)
    assert rep.applied == 3 and rep.problems.empty
    state = led.cards().set_index("card_ref")["state"]
    assert [state[r[0]] for r in rows] == ["delivered"] * 3


def test_failed_card_is_redispatched_then_returned_at_the_limit(tmp_path: Path) -> None:
    led = started(tmp_path, n=5)  # attempt_limit = 2 in CONFIG
    dispatch_day(led, START)
    ref = _sent(led).card_ref[0]
    record_outcomes(
        led, [_handheld(tmp_path / "a.csv", [(ref, "TIDAK_DI_RUMAH", f"{START}T09:00")])], now=NOW
    )
    card = led.cards().set_index("card_ref").loc[ref]
    assert card["state"] == "failed" and card["window"] == "late" and str(card["due"]) == "2026-08-15"
    dispatch_day(led, date(2026, 8, 15))
    assert led.cards().set_index("card_ref").loc[ref, "state"] == "dispatched"
    record_outcomes(
        led, [_handheld(tmp_path / "b.csv", [(ref, "TIDAK_DI_RUMAH", "2026-08-15T16:00")])], now=NOW
    )
    card = led.cards().set_index("card_ref").loc[ref]
    assert card["state"] == "returned" and card["attempts"] == 2
    path = led.events().query(f"card_id == {int(card['card_id'])}")["to_state"].tolist()
    assert path == ["pending", "dispatched", "failed", "dispatched", "returned"]


def test_problem_rows_are_kept_out_and_the_rest_applied(tmp_path: Path) -> None:
    led = started(tmp_path, n=20, config=CONFIG + "family_handover = false\n")
    dispatch_day(led, START)
    s = _sent(led).card_ref
    pending = led.cards(states=[CardState.PENDING]).card_ref
    t = f"{START}T10:00"
    rows = [
        (s[0], "DITERIMA", t),
        ("K00000019", "DITERIMA", t),  # a reference no card has (the check digit is right)
        (s[1], "DITERIMA", "2026-08-13T10:00"),  # not out on that date
        (s[2], "DITERIMA", t),
        (s[2], "MENOLAK", t),  # a second, different outcome
        (s[3], "HILANG", t),  # unknown code
        (s[4], "DITERIMA", "2026-09-30T10:00"),  # in the future
        (s[5], "DITERIMA_KELUARGA", t),  # not allowed by this config
        (s[6], "DITERIMA", "kemarin"),
        (s[7], "", t),
    ] + ([(pending[0], "DITERIMA", t)] if len(pending) else [])
    rep = record_outcomes(led, [_handheld(tmp_path / "h.csv", rows)], now=NOW)
    reasons = dict(zip(rep.problems["row"], rep.problems["reason"], strict=True))
    assert reasons == {
        3: "unknown_card", 4: "not_dispatched_that_day", 5: "conflicting_outcome", 6: "conflicting_outcome",
        7: "unknown_outcome", 8: "future_date", 9: "family_handover_not_allowed", 10: "time_invalid",
        11: "outcome_empty", **({12: "not_dispatched_that_day"} if len(pending) else {}),
    }  # fmt: skip
    assert rep.applied == 1 and led.counts()["delivered"] == 1


# An unknown card has no dispatch day: comparing it must not lean on pandas behaviour that is going away.
@pytest.mark.filterwarnings("error::DeprecationWarning")
@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("3216061201900001", "321606******0001"),  # a NIK typed as the card reference
        ("SITI RAHAYU", "***********"),  # a name typed as the card reference
        (card_ref(999_999), card_ref(999_999)),  # a well-formed reference no card has: as typed
    ],
)
def test_problem_rows_never_show_a_nik_or_name_typed_as_card_ref(
    tmp_path: Path, typed: str, shown: str
) -> None:
    led = started(tmp_path, n=5)
    dispatch_day(led, START)
    rows = [(_sent(led).card_ref[0], "DITERIMA", f"{START}T10:00"), (typed, "DITERIMA", f"{START}T10:00")]
    rep = record_outcomes(led, [_handheld(tmp_path / "h.csv", rows)], now=NOW)
    assert rep.problems["reason"].tolist() == ["unknown_card"]
    assert rep.problems["card_ref"].tolist() == [shown]


def test_a_nik_one_digit_off_is_another_card_but_a_spreadsheet_cut_nik_is_not(tmp_path: Path) -> None:
    """A manifest NIK differing only in its last digit is another person's card; one a spreadsheet cut to
    15 significant digits (last digit 0) is compared on those 15 and applied."""
    led = started(tmp_path, n=10)
    dispatch_day(led, START)
    sent = _sent(led)
    sent = sent[~sent["nik"].str.endswith("0")].reset_index(drop=True)
    t = f"{START}T10:00"
    nik = sent["nik"]
    other = nik[0][:15] + str((int(nik[0][15]) % 9) + 1)  # last digit changed, never to 0
    assert other != nik[0]
    rows = [
        (sent.card_ref[0], "DITERIMA", t),
        (sent.card_ref[1], "DITERIMA", t),
        (sent.card_ref[2], "DITERIMA", t),
    ]
    written = [other, nik[1][:15] + "0", nik[2]]
    rep = record_outcomes(led, [_handheld(tmp_path / "h.csv", rows, nik=written)], now=NOW)
    assert rep.problems["reason"].tolist() == ["card_mismatch"]
    assert rep.problems["row"].tolist() == [2]
    assert rep.applied == 2


def test_the_same_file_twice_changes_nothing(tmp_path: Path) -> None:
    led = started(tmp_path, n=10)
    dispatch_day(led, START)
    s = _sent(led).card_ref
    f = _handheld(
        tmp_path / "h.csv", [(s[0], "DITERIMA", f"{START}T10:00"), (s[1], "PINDAH", f"{START}T11:00")]
    )
    first = record_outcomes(led, [f], now=NOW)
    events = len(led.events())
    second = record_outcomes(led, [f], now=NOW)
    assert (first.applied, second.applied, second.files_seen_before) == (2, 0, ("h.csv",))
    # another file repeating one of those outcomes (a re-typed sheet) changes nothing either
    g = _handheld(tmp_path / "g.csv", [(s[0], "DITERIMA", f"{START}T10:05")])
    third = record_outcomes(led, [g], now=NOW)
    assert (third.applied, third.unchanged, len(third.problems)) == (0, 1, 0)
    assert len(led.events()) == events


def test_handover_coordinates_become_a_field_location(tmp_path: Path) -> None:
    led = started(tmp_path, n=10)
    dispatch_day(led, START)
    s = _sent(led)
    x, y = _in_desa_of(led, s.card_ref[0])
    f = _handheld(tmp_path / "h.csv", [(s.card_ref[0], "DITERIMA", f"{START}T10:00")], lon=[x], lat=[y])
    rep = record_outcomes(led, [f], now=NOW)
    c = led.cards().set_index("stop_key")
    home = c.loc[[s.stop_key[0]]]
    assert rep.field_locations == 1
    assert (home["precision"] == "field").all() and (home["field_lon"] == x).all()


def _in_desa_of(led: Ledger, ref: str) -> tuple[float, float]:
    """A point inside the desa of card ``ref`` (rounded as a phone reports it)."""
    kode = led.cards().set_index("card_ref").loc[ref, "desa_kode"]
    p = Gazetteer.bekasi().polygon(kode).representative_point()
    return round(p.x, 6), round(p.y, 6)


def test_a_handover_point_far_from_the_cards_desa_is_not_the_households_location(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A phone's GPS slip (here central Jakarta, ~40 km from the Bojongmangu desa) was kept as the
    # household's door: every later dispatch of its cards routed the courier there.
    led = started(tmp_path, n=10)
    dispatch_day(led, START)
    s = _sent(led)
    rows = [(s.card_ref[0], "DITERIMA", f"{START}T10:00"), (s.card_ref[1], "DITERIMA", f"{START}T10:05")]
    x, y = _in_desa_of(led, s.card_ref[1])
    f = _handheld(tmp_path / "h.csv", rows, lon=[106.8272, x], lat=[-6.1754, y])
    with caplog.at_level("WARNING", logger="ektp_routes.outcomes"):
        rep = record_outcomes(led, [f], now=NOW)
    c = led.cards().set_index("card_ref")
    assert rep.applied == 2 and (c.loc[[s.card_ref[0], s.card_ref[1]], "state"] == "delivered").all()
    assert pd.isna(c.loc[s.card_ref[0], "field_lon"]) and c.loc[s.card_ref[0], "precision"] != "field"
    assert c.loc[s.card_ref[1], "field_lon"] == x and rep.field_locations == 1
    (said,) = [r.getMessage() for r in caplog.records if "handover" in r.getMessage()]
    assert said.startswith("1 handover points lie more than 2 km from their card's desa")
    assert s.card_ref[0] not in said


def test_unreadable_outcome_file_is_one_clear_error(tmp_path: Path) -> None:
    led = started(tmp_path, n=5)
    bad = tmp_path / "x.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(InputFileError, match="card_ref and hasil"):
        record_outcomes(led, [bad], now=NOW)
    with pytest.raises(InputFileError, match=r"xlsx or \.csv"):
        record_outcomes(led, [tmp_path / "ledger.db"], now=NOW)


_KILLED_RECORD = """
import os, signal, sys
from pathlib import Path
from ektp_routes.ledger import Ledger
from ektp_routes import outcomes

def die(*a, **k):  # kill -9 once every transition is written, before the commit
    os.kill(os.getpid(), signal.SIGKILL)

outcomes.Ledger.note_import = staticmethod(die)
outcomes.record_outcomes(Ledger.open(sys.argv[1]), [Path(sys.argv[2])])
"""


def test_kill_9_during_record_leaves_the_ledger_as_before(tmp_path: Path) -> None:
    led = started(tmp_path, n=30)
    dispatch_day(led, START)
    s = _sent(led).card_ref
    f = _handheld(tmp_path / "h.csv", [(r, "DITERIMA", f"{START}T10:00") for r in s])
    before = (led.counts(), len(led.events()))
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.run(
        [sys.executable, "-c", _KILLED_RECORD, str(tmp_path / "ledger.db"), str(f)], env=env
    )
    assert proc.returncode == -9
    assert (led.counts(), len(led.events())) == before
    rep = record_outcomes(led, [f], now=NOW)  # the re-run applies it all, once
    assert rep.applied == len(s) and led.counts()["delivered"] == len(s)


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield str(tmp_path / "ledger.db")
    else:
        yield from pg_schema_url()


def test_a_whole_round_on_both_databases(tmp_path: Path, target: str) -> None:
    led = started(tmp_path, n=40, target=target)
    dispatch_day(led, START)
    s = _sent(led).card_ref
    rows = [(r, "DITERIMA" if i % 2 else "TIDAK_DI_RUMAH", f"{START}T10:00") for i, r in enumerate(s)]
    rep = record_outcomes(led, [_handheld(tmp_path / "h.csv", rows)], now=NOW)
    assert rep.applied == len(s) and record_outcomes(led, [tmp_path / "h.csv"], now=NOW).applied == 0
    redo = dispatch_day(led, date(2026, 8, 15))
    assert redo.cards >= len(s) // 2 and redo.stability == 1.0
    assert sum(led.counts().values()) == 40
    led.close()


def _two_operations(tmp_path: Path) -> tuple[Ledger, Ledger, pd.DataFrame]:
    """Our ledger (20 cards) and another operation's (20 other people), both dispatched on START, and
    the other operation's manifests of that day as one table, every card filled in as delivered."""
    from opsdata import registry_cards

    from ektp_routes.operation import start_operation
    from ektp_routes.opsreport import write_dispatch

    for sub in ("ours", "theirs"):
        (tmp_path / sub).mkdir()
    ours = started(tmp_path / "ours", n=20)
    theirs = Ledger.open(tmp_path / "theirs" / "ledger.db", create=True)
    start_operation(registry_cards().iloc[60:80], ledger=theirs, config_text=CONFIG, start_date=START,
                    source_name="other.csv")  # fmt: skip
    for led in (ours, theirs):
        dispatch_day(led, START)
    write_dispatch(theirs, START, tmp_path / "d")
    manifest = pd.concat(
        pd.read_csv(p, dtype=str, encoding="utf-8-sig", keep_default_na=False)
        for p in sorted((tmp_path / "d" / "manifests").glob("*.csv"))
    )
    filled = manifest.assign(hasil="DITERIMA", jam="10:00")
    assert set(filled["card_ref"]) & set(_sent(ours).card_ref)  # the references collide
    return ours, theirs, filled


def test_a_manifest_of_another_operation_is_refused_whole_in_one_line(tmp_path: Path) -> None:
    # Card references count up in each ledger: another operation's manifest (another list, another
    # kabupaten, a test ledger) names references this ledger has too, for other people. Its hidden
    # operation id gives it away; the message names both operations and no card.
    ours, theirs, filled = _two_operations(tmp_path)
    filled.to_csv(tmp_path / "m.csv", index=False)
    before = (ours.counts(), len(ours.events()))
    with pytest.raises(InputFileError) as info:
        record_outcomes(ours, [tmp_path / "m.csv"], now=NOW)
    exc = info.value
    assert exc.key == "error.other_operation"
    assert exc.values == {"name": "m.csv", "theirs": theirs.operation_id(), "ours": ours.operation_id()}
    assert (ours.counts(), len(ours.events())) == before
    said = [str(exc), error_text(exc, messages("id"))]
    assert "milik operasi " + theirs.operation_id() in said[1] and "\n" not in "".join(said)
    people = [*filled["nik"], *filled["nama"], *_sent(ours)["nik"], *_sent(ours)["nama"]]
    assert not any(p in text for p in people for text in said)
    # the same manifest in its own operation is applied
    assert record_outcomes(theirs, [tmp_path / "m.csv"], now=NOW).applied == len(filled)


def test_an_older_manifest_of_another_operation_is_refused_and_a_mixed_one_checked_per_row(
    tmp_path: Path,
) -> None:
    # A manifest printed before manifests carried the operation id: none of its NIKs is that of the card
    # its reference names here, so no row is ours and the file is refused whole.
    ours, _, filled = _two_operations(tmp_path)
    old = filled.drop(columns=["operation_id", "route_id"])
    old.to_csv(tmp_path / "old.csv", index=False)
    with pytest.raises(InputFileError) as info:
        record_outcomes(ours, [tmp_path / "old.csv"], now=NOW)
    assert info.value.key == "error.not_this_operation" and info.value.values["n"] == len(old)
    assert ours.counts()["delivered"] == 0
    # One of our own rows among them: the file is ours (typed over), each foreign row a card_mismatch.
    colliding = set(old["card_ref"]) & set(_sent(ours).card_ref)
    mine = old["card_ref"].eq(min(colliding))
    ours_nik = _sent(ours).set_index("card_ref").loc[min(colliding), "nik"]
    old.assign(nik=old["nik"].where(~mine, ours_nik)).to_csv(tmp_path / "mixed.csv", index=False)
    rep = record_outcomes(ours, [tmp_path / "mixed.csv"], now=NOW)
    assert rep.applied == 1 and (rep.problems["reason"] == "card_mismatch").sum() == len(colliding) - 1
    assert not any(n in rep.problems.to_csv() for n in old["nik"])  # the report shows no NIK


def test_a_handheld_file_carries_the_operation_and_route_and_is_checked_against_them(tmp_path: Path) -> None:
    from ektp_routes.opsreport import write_dispatch

    led = started(tmp_path, n=20)
    dispatch_day(led, START)
    sent = pd.read_csv(write_dispatch(led, START, tmp_path / "d")["dispatch"], dtype=str)
    assert (
        sent["operation_id"].eq(led.operation_id()).all()
        and sent["operation_id"].str.fullmatch(r"OP-\w{6}").all()
    )
    other_route = sent["route_id"].iloc[-1]
    first = sent[sent["route_id"].ne(other_route)].head(2)
    assert len(first) == 2 and first["route_id"].str.fullmatch(r".+-20260814-K\d\d").all()
    rows = first[["operation_id", "route_id", "card_ref"]].assign(hasil="DITERIMA", waktu=f"{START}T10:00")
    rows.iloc[1, rows.columns.get_loc("route_id")] = other_route  # the card was on another courier's route
    rows.to_csv(tmp_path / "h.csv", index=False)
    rep = record_outcomes(led, [tmp_path / "h.csv"], now=NOW)
    assert rep.applied == 1 and rep.problems[["row", "reason"]].values.tolist() == [[3, "not_on_route"]]
    # a handheld file of another operation is refused whole
    rows.assign(operation_id="OP-ZZZZZZ", waktu=f"{START}T11:00").to_csv(tmp_path / "g.csv", index=False)
    with pytest.raises(InputFileError, match=r"g\.csv belongs to operation OP-ZZZZZZ, not to this one"):
        record_outcomes(led, [tmp_path / "g.csv"], now=NOW)


def test_an_older_handheld_file_of_no_card_out_that_day_is_refused(tmp_path: Path) -> None:
    # The older handheld format (card_ref, hasil, waktu) names no operation: it is judged by its rows.
    led = started(tmp_path, n=100)  # 2 couriers with 40 cards each: some stay pending
    dispatch_day(led, START)
    pending = led.cards(states=[CardState.PENDING]).card_ref.tolist()
    sent = _sent(led).card_ref.tolist()
    assert pending and sent
    t = f"{START}T10:00"
    foreign = _handheld(
        tmp_path / "f.csv", [(r, "DITERIMA", t) for r in pending[:3]] + [(card_ref(999), "PINDAH", t)]
    )
    with pytest.raises(InputFileError, match="none of its 4 rows is a card this operation sent out"):
        record_outcomes(led, [foreign], now=NOW)
    day_before = _handheld(tmp_path / "b.csv", [(r, "DITERIMA", "2026-08-13T10:00") for r in sent[:3]])
    with pytest.raises(InputFileError, match=r"b\.csv is not a file of this operation"):
        record_outcomes(led, [day_before], now=NOW)
    assert led.counts()["delivered"] == 0
    # one row of the day makes it ours: the other rows are problem rows with their reason
    ours = _handheld(tmp_path / "o.csv", [(sent[0], "DITERIMA", t), (pending[0], "DITERIMA", t)])
    rep = record_outcomes(led, [ours], now=NOW)
    assert rep.applied == 1 and rep.problems["reason"].tolist() == ["not_dispatched_that_day"]


def _dispatched(tmp_path: Path, led: Ledger, day: date) -> pd.DataFrame:
    """dispatch.csv of ``day`` as a handheld app reads it."""
    from ektp_routes.opsreport import write_dispatch

    dispatch_day(led, day)
    return pd.read_csv(write_dispatch(led, day, tmp_path / f"d{day:%d}")["dispatch"], dtype=str)


def _hand(path: Path, sent: pd.DataFrame, codes: list[str], *, time: str = "T10:00") -> Path:
    frame = sent[["operation_id", "route_id", "card_ref"]].assign(
        hasil=[codes[i % len(codes)] for i in range(len(sent))], waktu=sent["date"] + time
    )
    frame.to_csv(path, index=False)
    return path


def test_empty_and_header_only_files_say_so(tmp_path: Path) -> None:
    led = started(tmp_path, n=10)
    for content in ("", "\n\n"):
        (tmp_path / "e.csv").write_text(content)
        with pytest.raises(InputFileError) as info:
            record_outcomes(led, [tmp_path / "e.csv"], now=NOW)
        assert info.value.key == "error.outcome_file_empty"
        assert error_text(info.value, messages("id")).startswith(
            "e.csv kosong: berkas hasil berisi baris judul"
        )
    (tmp_path / "h.csv").write_text("operation_id,route_id,card_ref,hasil,waktu\n")
    for _ in range(2):  # a header alone is never 'recorded before': each time it says it holds no row
        rep = record_outcomes(led, [tmp_path / "h.csv"], now=NOW)
        assert (rep.files_without_rows, rep.files_seen_before, rep.applied) == (("h.csv",), (), 0)


def test_one_file_given_twice_and_two_files_of_one_name(tmp_path: Path) -> None:
    led = started(tmp_path, n=100)
    sent = _dispatched(tmp_path, led, START)
    (tmp_path / "k1").mkdir()
    (tmp_path / "k2").mkdir()
    one = _hand(tmp_path / "k1" / "hasil.csv", sent[sent["courier"] == "1"], ["DITERIMA"])
    two = _hand(tmp_path / "k2" / "hasil.csv", sent[sent["courier"] == "2"], ["TIDAK_DI_RUMAH"])
    rep = record_outcomes(led, [one, two, one], now=NOW)  # each courier's export is called hasil.csv
    assert rep.applied == len(sent) and rep.files_seen_before == (str(one),)
    assert led.counts()["delivered"] == (sent["courier"] == "1").sum()


def test_a_folder_of_outcome_files_is_read_as_its_files_in_name_order(tmp_path: Path) -> None:
    # A planner copies every courier's handheld export into one folder and gives the folder.
    led = started(tmp_path, n=100)
    sent = _dispatched(tmp_path, led, START)
    folder = tmp_path / "hasil"
    folder.mkdir()
    two = _hand(folder / "kurir2.csv", sent[sent["courier"] == "2"], ["TIDAK_DI_RUMAH"])
    one = _hand(folder / "kurir1.CSV", sent[sent["courier"] == "1"], ["DITERIMA"])
    for junk in (".DS_Store", "._kurir1.csv", ".kurir3.csv", "Thumbs.db", "~$kurir1.xlsx", "catatan.txt"):
        (folder / junk).write_bytes(b"\x00\x05 not an outcome file")
    (folder / "lama").mkdir()  # a folder inside is not read
    _hand(folder / "lama" / "kurir9.csv", sent, ["PINDAH"])
    assert outcome_files([folder]) == [one, two]
    assert outcome_files([two, folder]) == [two, one, two]  # files and folders as given, in order
    rep = record_outcomes(led, [folder], now=NOW)
    assert rep.applied == len(sent) and rep.problems.empty
    assert led.counts()["delivered"] == (sent["courier"] == "1").sum()
    assert record_outcomes(led, [one, two], now=NOW).files_seen_before == ("kurir1.CSV", "kurir2.csv")


def test_a_folder_reads_outcome_exports_saved_as_txt_and_leaves_notes_out(tmp_path: Path) -> None:
    # Excel's "Unicode Text" and "Text (Tab delimited)" save a sheet as .txt: a clerk drops them into
    # the day's folder with the handheld CSVs. Before, the folder's .txt files were silently left out
    # and their cards stayed out for delivery with no outcome; a note (catatan.txt) is still no file.
    led = started(tmp_path, n=100)
    sent = _dispatched(tmp_path, led, START)
    folder = tmp_path / "hasil"
    folder.mkdir()
    one = _hand(folder / "kurir1.csv", sent[sent["courier"] == "1"], ["DITERIMA"])
    frame = pd.read_csv(_hand(tmp_path / "k2.csv", sent[sent["courier"] == "2"], ["MENOLAK"]), dtype=str)
    unicode_text, tab_text = folder / "kurir2.txt", folder / "Kurir2-tab.TXT"
    frame.iloc[::2].to_csv(unicode_text, index=False, sep="\t", encoding="utf-16")
    frame.iloc[1::2].to_csv(tab_text, index=False, sep="\t", encoding="cp1252")
    (folder / "catatan.txt").write_text("kurir 2 pulang jam 3\nhasil: lihat manifes\n")
    (folder / "log.txt").write_bytes(b"\x00\x05 not text")
    assert outcome_files([folder]) == [tab_text, one, unicode_text]
    rep = record_outcomes(led, [folder], now=NOW)
    assert rep.applied == len(sent) and rep.problems.empty
    assert led.counts()["returned"] == (sent["courier"] == "2").sum()


def test_a_folder_with_no_outcome_file_is_refused_in_one_line(tmp_path: Path) -> None:
    led = started(tmp_path, n=10)
    folder = tmp_path / "kosong"
    folder.mkdir()
    (folder / ".DS_Store").write_bytes(b"\x00")
    (folder / "catatan.txt").write_text("dikirim besok")
    with pytest.raises(InputFileError) as info:
        record_outcomes(led, [folder], now=NOW)
    assert str(info.value) == (
        f"{folder} holds no outcome file (.csv, .xlsx, or .txt with the columns card_ref and hasil): "
        "give the folder of the handheld or manifest "
        "files, or the files themselves"
    )
    assert error_text(info.value, messages("id")).startswith(f"{folder} tidak berisi berkas hasil")
    assert led.counts().get("delivered", 0) == 0


def test_days_recorded_out_of_order_and_an_old_file_again_after_the_cards_went_out_again(
    tmp_path: Path,
) -> None:
    led = started(tmp_path, n=100)  # 80 cards a day: day 2 takes the 20 left and the failed ones
    day1 = _dispatched(tmp_path, led, START)
    first = _hand(tmp_path / "h1.csv", day1, ["TIDAK_DI_RUMAH", "DITERIMA"])
    assert record_outcomes(led, [first], now=NOW).applied == len(day1)
    day2 = _dispatched(tmp_path, led, date(2026, 8, 15))
    again = set(day2["card_ref"]) & set(day1["card_ref"])
    assert again  # the cards not at home went out again
    # the day-1 file again, re-saved (other bytes): its rows repeat what is recorded, nothing else
    resaved = _hand(tmp_path / "h1b.csv", day1, ["TIDAK_DI_RUMAH", "DITERIMA"], time="T10:05")
    rep = record_outcomes(led, [resaved], now=NOW)
    assert (rep.applied, rep.unchanged, len(rep.problems)) == (0, len(day1), 0)
    # the same file typed with another outcome for a card out again: a conflict, not 'not out that day'
    changed = pd.read_csv(resaved, dtype=str)
    changed.loc[changed["card_ref"] == min(again), "hasil"] = "PINDAH"
    changed.to_csv(tmp_path / "h1c.csv", index=False)
    rep = record_outcomes(led, [tmp_path / "h1c.csv"], now=NOW)
    assert rep.applied == 0 and rep.problems["reason"].tolist() == ["conflicting_outcome"]
    # day 3 dispatched and recorded before day 2 is: both are recorded whole
    day3 = _dispatched(tmp_path, led, date(2026, 8, 18))
    assert not set(day3["card_ref"]) & set(day2["card_ref"])
    now = datetime(2026, 8, 20, 12)
    assert record_outcomes(led, [_hand(tmp_path / "h3.csv", day3, ["DITERIMA"])], now=now).applied == len(
        day3
    )
    assert record_outcomes(led, [_hand(tmp_path / "h2.csv", day2, ["DITERIMA"])], now=now).applied == len(
        day2
    )
    assert led.counts()["dispatched"] == 0 and sum(led.counts().values()) == 100


def test_a_time_without_a_date_takes_the_day_of_its_route_and_is_never_today(tmp_path: Path) -> None:
    led = started(tmp_path, n=10)
    sent = _dispatched(tmp_path, led, START)
    hand = _hand(tmp_path / "h.csv", sent, ["DITERIMA"])
    frame = pd.read_csv(hand, dtype=str).assign(waktu="10.35")
    frame.to_csv(hand, index=False)
    assert record_outcomes(led, [hand], now=NOW).applied == len(sent)
    frame.drop(columns=["operation_id", "route_id"]).assign(hasil="PINDAH", waktu="10:35").to_csv(
        tmp_path / "o.csv", index=False
    )
    rep = record_outcomes(led, [tmp_path / "o.csv"], now=datetime(2026, 8, 14, 12))  # 'today' is that day
    assert set(rep.problems["reason"]) == {"time_invalid"} and len(rep.problems) == len(sent)


def test_a_date_day_first_and_a_dotted_time_as_indonesian_excel_writes_them_are_read(tmp_path: Path) -> None:
    # Outside review: a manifest re-saved by Indonesian Excel ("02/09/2026", jam "10.30") was read as
    # the 9th of February, and every row was kept out as not dispatched that day.
    led = started(tmp_path, n=10)
    day = date(2026, 9, 2)
    sent = _dispatched(tmp_path, led, day)
    frame = pd.read_csv(_hand(tmp_path / "h.csv", sent, ["DITERIMA"]), dtype=str)
    frame = frame.drop(columns="waktu").assign(tanggal="02/09/2026", jam="10.30")
    frame.to_csv(tmp_path / "m.csv", index=False)
    rep = record_outcomes(led, [tmp_path / "m.csv"], now=datetime(2026, 9, 3, 12))
    assert rep.problems.empty and rep.applied == len(sent)


SEP_2, AUG_14 = date(2026, 9, 2), date(2026, 8, 14)


@pytest.mark.parametrize(
    ("day", "tanggal"),
    [
        (SEP_2, "02/09/26"),  # Excel's short date in an Indonesian locale: two-digit year, day first
        (SEP_2, "2-9-26"),
        (SEP_2, "Rabu, 02 September 2026"),  # Excel's long date in an Indonesian locale
        (SEP_2, "rabu 2 sep 26"),
        (AUG_14, "14 Agustus 2026"),
        (AUG_14, "14-Agt-26"),
        (AUG_14, "Jum'at, 14 Agu 2026"),
        (SEP_2, "46267"),  # the date cell re-saved as a number: Excel's serial day (1899-12-30 = 0)
        (AUG_14, "46248"),
    ],
)
def test_dates_typed_as_indonesian_excel_shows_them_are_read_day_first(
    tmp_path: Path, day: date, tanggal: str
) -> None:
    # A clerk typing outcomes in Excel (id-ID) gets "02/09/26" or "Rabu, 02 September 2026" in the
    # date column. Before, "02/09/26" was read month first (9 February: every row 'not dispatched that
    # day'; 12/08/26 'in the future') and a month or weekday in Bahasa Indonesia not at all.
    led = started(tmp_path, n=10)
    sent = _dispatched(tmp_path, led, day)
    frame = pd.read_csv(_hand(tmp_path / "h.csv", sent, ["DITERIMA"]), dtype=str)
    frame.drop(columns="waktu").assign(tanggal=tanggal, jam="10.30").to_csv(tmp_path / "m.csv", index=False)
    rep = record_outcomes(led, [tmp_path / "m.csv"], now=datetime(2026, 9, 3, 12))
    assert rep.problems.empty and rep.applied == len(sent)
    delivered = led.events().dropna(subset=["outcome"])
    assert set(pd.to_datetime(delivered["op_date"]).dt.date) == {day}


def test_a_file_with_problem_rows_given_again_reports_and_retries_them(tmp_path: Path) -> None:
    # Before, a file was remembered as recorded whatever its rows gave: given again (its problems
    # fixed elsewhere: a later batch started, the outcome codes explained to the clerk, a program that
    # now reads its dates) it said 'recorded before' and its kept-out rows were never tried again, nor
    # shown again.
    led = started(tmp_path, n=10)
    dispatch_day(led, START)
    s = _sent(led).card_ref
    rows = [(s[0], "DITERIMA", f"{START}T10:00"), (s[1], "HILANG", f"{START}T10:05"),
            (s[2], "PINDAH", f"{START}T23:30")]  # fmt: skip
    f = _handheld(tmp_path / "h.csv", rows)
    first = record_outcomes(led, [f], now=datetime.combine(START, datetime.min.time()).replace(hour=18))
    assert first.applied == 1 and list(first.problems["reason"]) == ["unknown_outcome", "future_date"]
    again = record_outcomes(led, [f], now=NOW)
    assert (again.files_seen_before, again.applied, again.unchanged) == ((), 1, 1)
    assert list(again.problems["reason"]) == ["unknown_outcome"]
    assert led.cards().set_index("card_ref").loc[[s[0], s[2]], "state"].tolist() == ["delivered", "returned"]
    third = record_outcomes(led, [f], now=NOW)  # nothing new: the same problem row, nothing applied
    assert (third.applied, third.unchanged, len(third.problems)) == (0, 2, 1)
    assert sum(led.counts().values()) == 10


def test_a_folder_leaves_out_the_problems_report_an_earlier_record_wrote_into_it(tmp_path: Path) -> None:
    # `ops record hasil/ --problems hasil/problems.csv`, then `ops record hasil/` again (another
    # file added) without --problems: the report was read as an outcome file and the run refused.
    from ektp_routes.export import write_csv

    led = started(tmp_path, n=100)
    sent = _dispatched(tmp_path, led, START)
    folder = tmp_path / "hasil"
    folder.mkdir()
    one = _hand(folder / "kurir1.csv", sent[sent["courier"] == "1"], ["DITERIMA", "HILANG"])
    first = record_outcomes(led, [folder], now=NOW)
    write_csv(first.problems, folder / "problems.csv")
    two = _hand(folder / "kurir2.csv", sent[sent["courier"] == "2"], ["DITERIMA"])
    assert outcome_files([folder]) == [one, two]
    rep = record_outcomes(led, [folder], now=NOW)
    assert rep.applied == (sent["courier"] == "2").sum() and len(rep.problems) == len(first.problems) > 0


def test_a_courier_who_did_not_go_out_gives_the_cards_back_without_an_attempt(tmp_path: Path) -> None:
    # A courier falls ill and does not go out: before, there was no way to say so, and the cards of
    # that manifest stayed 'dispatched' for ever (never sent out again; the operation never ended).
    # TIDAK_DIANTAR ("not taken out") gives each card back as it was before that day, no attempt counted.
    led = started(tmp_path, n=20)  # attempt_limit = 2
    sent = _dispatched(tmp_path, led, START)
    first = sent[sent["courier"] == "1"]
    ill = sent[sent["courier"] == "2"]
    record_outcomes(led, [_hand(tmp_path / "k1.csv", first, ["TIDAK_DI_RUMAH"])], now=NOW)
    record_outcomes(led, [_hand(tmp_path / "k2.csv", ill, ["TIDAK_DIANTAR"])], now=NOW)
    c = led.cards().set_index("card_ref")
    assert (
        c.loc[ill["card_ref"], "state"].eq("pending").all() and c.loc[ill["card_ref"], "attempts"].eq(0).all()
    )
    assert c.loc[first["card_ref"], "state"].eq("failed").all()
    day2 = _dispatched(tmp_path, led, date(2026, 8, 15))
    assert set(sent["card_ref"]) <= set(day2["card_ref"])  # both couriers' cards out again
    again = day2[day2["card_ref"].isin(first["card_ref"])]
    rep = record_outcomes(led, [_hand(tmp_path / "k3.csv", again, ["TIDAK_DIANTAR"])], now=NOW)
    assert rep.applied == len(again) and rep.by_outcome == {"TIDAK_DIANTAR": len(again)}
    c = led.cards().set_index("card_ref")
    # one attempt made of two: failed again (not returned), due again on the next working day
    assert c.loc[again["card_ref"], "state"].eq("failed").all()
    assert c.loc[again["card_ref"], "attempts"].eq(1).all()
    assert set(pd.to_datetime(c.loc[again["card_ref"], "due"]).dt.date) == {date(2026, 8, 18)}
    assert sum(led.counts().values()) == 20
    # the events and the status count no attempt for it: no attempt number, no failed card that day
    ev = led.events()
    not_out = ev[ev["outcome"] == "TIDAK_DIANTAR"]
    assert len(not_out) == len(ill) + len(again) and not_out["attempt"].isna().all()
    per_day = status(led).per_day.set_index("date")
    assert per_day.loc[str(date(2026, 8, 15)), "failed"] == 0


def test_a_redelivery_not_taken_out_keeps_its_window(tmp_path: Path) -> None:
    # A 'not home' card held for the weekend (nobody home on weekdays) goes out on Saturday; the
    # courier does not go out (TIDAK_DIANTAR). The card is given back as it was: still held for the
    # weekend, not sent out on the Monday morning when nobody is home.
    led = started(tmp_path, n=20, config=CONFIG + 'not_home_window = "weekend"\n')
    sent = _dispatched(tmp_path, led, START)
    record_outcomes(led, [_hand(tmp_path / "k1.csv", sent, ["TIDAK_DI_RUMAH"])], now=NOW)
    saturday = date(2026, 8, 15)
    again = _dispatched(tmp_path, led, saturday)
    assert len(again) == len(sent)
    record_outcomes(led, [_hand(tmp_path / "k2.csv", again, ["TIDAK_DIANTAR"])], now=NOW)
    c = led.cards().set_index("card_ref").loc[again["card_ref"]]
    assert c["state"].eq("failed").all() and c["attempts"].eq(1).all()
    assert c["window"].eq("weekend").all()
