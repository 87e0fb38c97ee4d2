from __future__ import annotations

from datetime import date
from pathlib import Path

from opsdata import CONFIG, START, registry_cards

from ektp_routes.fleet import attempts_per_card, fleet_report, size_fleet


def test_expected_attempts() -> None:
    assert attempts_per_card(0.0, 3) == 1.0
    assert abs(attempts_per_card(0.5, 3) - 1.75) < 1e-9


def test_more_couriers_never_finish_later_and_the_target_is_met(tmp_path: Path) -> None:
    cards = registry_cards()
    two = size_fleet(cards, config_text=CONFIG, start=START, couriers=2, failure=0.2)
    four = size_fleet(
        cards, config_text=CONFIG, start=START, couriers=4, failure=0.2, chart=tmp_path / "f.png"
    )
    a, b = two.offices[0], four.offices[0]
    assert a.cards == 120 and a.binds in ("bag", "shift") and 0 < a.cards_per_courier_day <= 40
    assert b.finish <= a.finish and a.courier_days >= 120 * 1.2 / 40
    assert (tmp_path / "f.png").read_bytes()[:4] == b"\x89PNG"
    target = size_fleet(cards, config_text=CONFIG, start=START, finish_by=date(2026, 8, 21), failure=0.2)
    t = target.offices[0]
    assert t.finish <= date(2026, 8, 21) and t.binds.startswith("days")
    assert "PH-321623" in fleet_report(target)


def test_no_failures_means_no_redelivery_tail() -> None:
    r = size_fleet(registry_cards(), config_text=CONFIG, start=START, couriers=3, failure=0.0)
    o = r.offices[0]
    assert r.attempts_per_card == 1.0 and o.working_days == -(-o.courier_days // 3)
