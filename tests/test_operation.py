from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

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
