from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from opsdata import CONFIG, START, registry_cards, started

from ektp_routes._errors import ConfigError
from ektp_routes.ledger import CardState, Outcome
from ektp_routes.operation import OperationConfig, dispatch_day, due_cards, retry_due, start_operation


def test_start_loads_every_valid_card_and_reports_rejects(tmp_path: Path) -> None:
    cards = registry_cards().head(50).copy()
    cards.loc[cards.index[3], "NIK"] = "12345"  # a bad NIK: rejected with its reason
    from ektp_routes.ledger import Ledger

    led = Ledger.open(tmp_path / "l.db", create=True)
    rep = start_operation(cards, ledger=led, config_text=CONFIG, start_date=START)
    assert rep.added == 49 and list(rep.rejects["reason"]) == ["nik_format"]
    assert "12345" not in rep.rejects.to_csv()  # masked, no raw input in the report
    c = led.cards()
    assert c["office_id"].notna().all() and c["block"].str.count(r"\|").eq(3).all()
    assert sum(led.counts().values()) == 49


def test_second_batch_adds_new_cards_only(tmp_path: Path) -> None:
    led = started(tmp_path, n=60)
    again = start_operation(registry_cards().iloc[40:90], ledger=led, source_name="batch2.csv")
    assert again.added == 30 and len(again.already_present) == 20
    c = led.cards()
    assert len(c) == 90 and c["nik"].is_unique
    assert set(c["batch"]) == {"batch1.csv", "batch2.csv"}
    assert set(led.blocks()["block"]) >= set(c["block"])  # new blocks got a courier


def test_first_start_needs_a_start_date(tmp_path: Path) -> None:
    from ektp_routes.ledger import Ledger

    led = Ledger.open(tmp_path / "l.db", create=True)
    with pytest.raises(ConfigError, match="start-date"):
        start_operation(registry_cards().head(5), ledger=led)
    assert sum(led.counts().values()) == 0


@pytest.mark.parametrize("day", [date(2026, 8, 16), date(2026, 8, 17), date(2026, 12, 25)])
def test_a_closed_day_dispatches_nothing(tmp_path: Path, day: date) -> None:
    led = started(tmp_path, n=20)
    rep = dispatch_day(led, day)
    assert rep.closed and rep.cards == 0 and led.counts()["dispatched"] == 0


def test_dispatch_respects_bags_and_is_done_once_per_day(tmp_path: Path) -> None:
    led = started(tmp_path)
    rep = dispatch_day(led, START)
    c = led.cards()
    sent = c[c["state"] == "dispatched"]
    assert rep.cards == len(sent) > 0 and rep.courier_days == 2
    assert sent.groupby("courier").size().max() <= 40  # the bag
    assert sent["stop_id"].notna().all() and sent.groupby("stop_id")["stop_key"].nunique().eq(1).all()
    again = dispatch_day(led, START)
    assert again.already and led.counts()["dispatched"] == len(sent)
    with pytest.raises(ConfigError, match="before the start"):
        dispatch_day(led, START - timedelta(days=1))


def test_territories_are_stable_from_day_to_day(tmp_path: Path) -> None:
    led = started(tmp_path)
    dispatch_day(led, START)
    day2 = dispatch_day(led, date(2026, 8, 15))
    assert day2.known_stops > 0 and day2.stability is not None and day2.stability >= 0.5
    blocks = led.blocks()
    assert blocks["last_courier"].notna().any()


def test_a_courier_on_leave_gets_nothing(tmp_path: Path) -> None:
    leave = CONFIG + '[[operation.leave]]\noffice = "PH-321623"\ncourier = 2\nfrom = "2026-08-14"\n'
    led = started(tmp_path, config=leave)
    rep = dispatch_day(led, START)
    c = led.cards(states=[CardState.DISPATCHED])
    assert rep.courier_days == 1 and set(c["courier"]) == {1}


def test_not_home_retry_windows() -> None:
    late = OperationConfig.from_toml_text(CONFIG)
    assert retry_due(late, Outcome.TIDAK_DI_RUMAH, date(2026, 8, 14)) == (date(2026, 8, 15), "late")
    assert retry_due(late, Outcome.ALAMAT_TIDAK_DITEMUKAN, date(2026, 8, 15)) == (date(2026, 8, 18), "any")
    weekend = OperationConfig.from_toml_text(CONFIG + 'not_home_window = "weekend"\n')
    assert retry_due(weekend, Outcome.TIDAK_DI_RUMAH, date(2026, 8, 18)) == (date(2026, 8, 22), "weekend")


def test_field_location_replaces_the_planned_point(tmp_path: Path) -> None:
    led = started(tmp_path, n=10)
    import sqlalchemy as sa

    from ektp_routes.ledger import cards_t

    with led.transaction() as conn:
        conn.execute(
            sa.update(cards_t).where(cards_t.c.card_id == 1).values(field_lon=107.25, field_lat=-6.41)
        )
    due = due_cards(led, START)
    row = due[due["card_id"] == 1].iloc[0]
    assert (row["lon"], row["lat"]) == (107.25, -6.41)


@pytest.mark.parametrize(
    "text",
    [
        "[operation]\nattempts = 3\n",
        "[operation]\nnot_home_window = 'night'\n",
        "[operation]\nlate_window_h = [5, 9]\n",
        "[operation]\nfinal_outcomes = ['HILANG']\n",
        "[operation]\nattempt_limit = 0\n",
        "[plan]\ncouriers = 'six'\nbogus = 1\n",
        "not toml [",
    ],
)
def test_bad_operation_config_is_one_clear_error(text: str) -> None:
    with pytest.raises(ConfigError):
        OperationConfig.from_toml_text(text)


#: plan.toml texts with a mistake in [operation] (or the file), and what a planner reads about it.
BAD_OPERATION = [
    (
        '[operation]\nnot_home_window = "sore"\n',
        "[operation] not_home_window harus any, late atau weekend, bukan 'sore'",
        "[operation] not_home_window must be any, late or weekend, not 'sore'",
    ),
    (
        "[operation]\nlate_window_h = [6, 9]\n",
        "[operation] late_window_h harus [dari, sampai] di dalam shift; tertulis [6, 9]",
        "[operation] late_window_h must be [from, to] inside the shift; got [6, 9]",
    ),
    (
        "[operation]\nretry_after_days = 45\n",
        "[operation] retry_after_days harus 0..30",
        "[operation] retry_after_days must be 0..30",
    ),
    (
        "[operation]\nbogus = 1\n",
        "kunci [operation] tidak dikenal ['bogus']; yang dikenal: ['attempt_limit',",
        "unknown [operation] keys ['bogus']; known: ['attempt_limit',",
    ),
    ("operation = 5\n", "[plan] dan [operation] harus berupa tabel", "[plan] and [operation] must be tables"),
    (
        '[operation]\nattempt_limit = "tiga"\n',
        "[operation] attempt_limit = 'tiga': harus bilangan bulat",
        "[operation] attempt_limit = 'tiga': must be a whole number",
    ),
    (
        '[operation]\nroute_time_limit_s = "lama"\n',
        "[operation] route_time_limit_s = 'lama': harus angka",
        "[operation] route_time_limit_s = 'lama': must be a number",
    ),
    (
        '[operation]\nfinal_outcomes = ["HILANG"]\n',
        "[operation] final_outcomes = ['HILANG']: harus daftar dari DITERIMA, DITERIMA_KELUARGA,",
        "[operation] final_outcomes = ['HILANG']: must be a list of DITERIMA, DITERIMA_KELUARGA,",
    ),
    (
        '[operation]\nfinal_outcomes = ["DITERIMA"]\n',
        "final_outcomes tidak boleh berisi hasil terkirim (DITERIMA, DITERIMA_KELUARGA)",
        "final_outcomes cannot contain a delivered outcome (DITERIMA, DITERIMA_KELUARGA)",
    ),
    (  # not taken out is no attempt: it cannot return a card (before, it was silently ignored)
        '[operation]\nfinal_outcomes = ["MENOLAK", "TIDAK_DIANTAR"]\n',
        "final_outcomes tidak boleh berisi TIDAK_DIANTAR (kartu tidak dibawa kurir: bukan percobaan)",
        "final_outcomes cannot contain TIDAK_DIANTAR (the card was not taken out: no attempt)",
    ),
    (
        "[operation]\nattempt_limit = 0\n",
        "attempt_limit harus 1..20, bukan 0",
        "attempt_limit must be 1..20, not 0",
    ),
    (
        '[operation]\nworking_days = ["senin"]\n',
        "working_days harus daftar dari mon, tue, wed, thu, fri, sat, sun; tertulis ['senin']",
        "working_days must be a list of mon, tue, wed, thu, fri, sat, sun; got ['senin']",
    ),
    (
        '[operation]\nclosures = ["17-08-2026"]\n',
        "closures: '17-08-2026' bukan tanggal (TTTT-BB-HH)",
        "closures: '17-08-2026' is not a date (YYYY-MM-DD)",
    ),
    (
        "[operation]\nclosures = 2026-08-17\n",
        "closures harus berupa daftar [...], bukan datetime.date(2026, 8, 17)",
        "closures must be a list [...], not datetime.date(2026, 8, 17)",
    ),
    (
        '[operation]\npublic_holidays = "ya"\n',
        "public_holidays harus true atau false, bukan 'ya'",
        "public_holidays must be true or false, not 'ya'",
    ),
    (
        '[operation]\nleave = [{office = "17510"}]\n',
        "setiap entri leave perlu office, courier, from (dan boleh to)",
        "each leave entry needs office, courier, from (and optionally to)",
    ),
    (
        '[operation]\nleave = [{office = "17510", courier = "dua", from = 2026-08-03}]\n',
        "courier pada leave harus bilangan bulat, bukan 'dua'",
        "leave courier must be a whole number, not 'dua'",
    ),
    (
        '[operation]\nleave = [{office = "17510", courier = 2, from = 2026-08-05, to = 2026-08-03}]\n',
        "cuti kurir 2 di 17510: courier harus >= 1 dan hari terakhir (2026-08-03) tidak sebelum hari pertama",
        "leave of courier 2 at 17510: courier must be >= 1 and the last day (2026-08-03) not before",
    ),
    (
        "[operation\n",
        "plan.toml bukan TOML yang sah: galat pada baris 1, kolom",
        "plan.toml is not valid TOML: error at",
    ),
    (
        "[operasi]\nx = 1\n",
        "plan.toml: tabel [operasi] tidak dikenal; yang boleh: run, fleet,",
        "plan.toml: unknown table [operasi]; allowed: run, fleet,",
    ),
]


@pytest.mark.parametrize(("text", "indonesian", "english"), BAD_OPERATION)
def test_a_mistake_in_the_operation_table_is_said_in_the_language(
    text: str, indonesian: str, english: str
) -> None:
    from ektp_routes.i18n import error_text, messages

    with pytest.raises(ConfigError) as err:
        OperationConfig.from_toml_text(text)
    said = error_text(err.value, messages("id"))
    assert said.startswith(indonesian) and "\n" not in said, said
    assert str(err.value).startswith(english) and error_text(err.value, messages("en")) == str(err.value)


def test_ops_start_says_a_mistake_in_the_operation_table_in_indonesian(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ektp_routes.cli import main

    config = tmp_path / "plan.toml"
    config.write_text('[operation]\nnot_home_window = "sore"\n')
    cards = tmp_path / "cards.csv"
    cards.write_text("NIK,NAMA,ALAMAT\n")
    argv = ["ops", "start", str(cards), "--ledger", str(tmp_path / "l.db"), "--config", str(config)]
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        "galat: [operation] not_home_window harus any, late atau weekend, bukan 'sore'\n"
    )
    assert main([*argv, "--lang", "en"]) == 2
    assert (
        capsys.readouterr().err
        == "error: [operation] not_home_window must be any, late or weekend, not 'sore'\n"
    )


def test_a_stop_holding_more_cards_than_a_bag_goes_out_bag_by_bag(tmp_path: Path) -> None:
    """Twenty cards at one address with no house number (one stop at the desa point) and bags of 8:
    before, the stop fitted no bag and its cards stayed pending for ever, day after day."""
    from ektp_routes.ledger import Ledger

    cards = registry_cards().head(20).copy()
    for col in ("ALAMAT", "RT", "RW", "KEL/DESA"):
        cards[col] = cards[col].iloc[0]
    led = Ledger.open(tmp_path / "l.db", create=True)
    config = CONFIG.replace("capacity = 40", "capacity = 8")
    start_operation(cards, ledger=led, config_text=config, start_date=START)
    assert led.cards()["stop_key"].nunique() == 1
    first = dispatch_day(led, START)
    sent = led.cards(states=[CardState.DISPATCHED])
    assert first.cards == 16 and sent.groupby("courier").size().max() <= 8
    assert first.left_pending == 4 and dispatch_day(led, date(2026, 8, 15)).cards == 4
    events = led.events()
    out = events[events["to_state"].eq(CardState.DISPATCHED)]
    assert len(out) == 20 and out["card_id"].is_unique


@pytest.mark.parametrize(
    ("office", "courier", "words"),
    [
        ("PLACEHOLDER", 2, "names office PLACEHOLDER, which is not an office of this operation"),
        ("PH-321623", 3, "courier 3 of office PH-321623, which has 2 couriers"),
    ],
)
def test_leave_of_an_office_or_courier_the_operation_does_not_have_is_refused_at_start(
    tmp_path: Path, office: str, courier: int, words: str
) -> None:
    """Before, leave naming an office id that is not one of the operation's (a typo, the placeholder
    office's id guessed) was stored and silently never applied: the courier was sent out that day."""
    from ektp_routes.ledger import Ledger

    leave = CONFIG + f'[[operation.leave]]\noffice = "{office}"\ncourier = {courier}\nfrom = "2026-08-14"\n'
    led = Ledger.open(tmp_path / "l.db", create=True)
    with pytest.raises(ConfigError, match=words) as info:
        start_operation(registry_cards().head(10), ledger=led, config_text=leave, start_date=START)
    assert "PH-321623" in str(info.value)  # the offices it does have are named
    assert sum(led.counts().values()) == 0 and led.meta("start_date") is None


def test_a_day_that_sent_nothing_can_be_dispatched_again_once_outcomes_are_in(tmp_path: Path) -> None:
    """The morning's dispatch ran before yesterday's outcomes were recorded: every card was still out,
    nothing went out. Before, the day was marked dispatched all the same, and dispatching it again
    after recording said 'already dispatched': the failed cards lost that day."""
    from ektp_routes.outcomes import record_outcomes

    led = started(tmp_path, n=30)
    dispatch_day(led, START)
    sent = led.cards(states=[CardState.DISPATCHED])
    assert len(sent) == 30
    early = dispatch_day(led, date(2026, 8, 15))
    assert (early.cards, early.already, early.unreported) == (0, False, 30)
    hand = tmp_path / "h.csv"
    sent[["card_ref"]].assign(hasil="TIDAK_DI_RUMAH", waktu=f"{START}T10:00").to_csv(hand, index=False)
    record_outcomes(led, [hand], now=datetime(2026, 8, 15, 7))
    later = dispatch_day(led, date(2026, 8, 15))
    assert not later.already and later.cards == 30
    assert dispatch_day(led, date(2026, 8, 15)).already  # a day that sent cards is dispatched once


def test_a_day_before_the_last_dispatched_day_is_refused(tmp_path: Path) -> None:
    """A date typed wrong (the 15th for the 25th) after the 18th went out: before, the pending cards
    were dispatched back-dated, with manifests of a past day whose outcomes could not be recorded on
    the day they were delivered."""
    led = started(tmp_path, n=120)
    assert dispatch_day(led, date(2026, 8, 18)).cards > 0
    with pytest.raises(ConfigError, match="2026-08-15 lies before 2026-08-18, the last day dispatched"):
        dispatch_day(led, date(2026, 8, 15))
    assert dispatch_day(led, date(2026, 8, 18)).already  # the last day itself: its outputs again
    assert dispatch_day(led, date(2026, 8, 19)).cards > 0


def test_an_earlier_day_dispatched_again_says_which_cards_its_outputs_no_longer_hold(tmp_path: Path) -> None:
    """Re-running the dispatch of day 1 after its failed cards went out again on day 2 rewrites day 1
    from the ledger without them (each card holds its latest dispatch): before, silently, the
    manifests printed again being shorter than the ones the couriers carried."""
    from ektp_routes.opsreport import write_dispatch
    from ektp_routes.outcomes import record_outcomes

    led = started(tmp_path, n=30)
    dispatch_day(led, START)
    sent = led.cards(states=[CardState.DISPATCHED])
    hand = tmp_path / "h.csv"
    codes = ["TIDAK_DI_RUMAH"] * 10 + ["DITERIMA"] * (len(sent) - 10)
    sent[["card_ref"]].assign(hasil=codes, waktu=f"{START}T10:00").to_csv(hand, index=False)
    record_outcomes(led, [hand], now=datetime(2026, 8, 15, 7))
    assert dispatch_day(led, date(2026, 8, 15)).cards == 10
    again = dispatch_day(led, START)
    assert again.already and again.sent_again == 10
    rows = pd.read_csv(write_dispatch(led, START, tmp_path / "again")["dispatch"], dtype=str)
    assert len(rows) == len(sent) - 10
    assert dispatch_day(led, date(2026, 8, 15)).sent_again == 0
