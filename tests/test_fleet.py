from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from matplotlib.figure import Figure
from opsdata import CONFIG, START, registry_cards

from ektp_routes.fleet import FleetResult, attempts_per_card, curve_figure, fleet_report, size_fleet
from ektp_routes.i18n import Messages, messages


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
    indonesian, english = fleet_report(target), fleet_report(target, lang="en")
    assert "PH-321623" in indonesian and "PH-321623" in english
    assert "hari (tas per hari-kurir)" in indonesian or "hari (shift per hari-kurir)" in indonesian
    assert "days (bag per courier-day)" in english or "days (shift per courier-day)" in english
    assert "kantor terakhir selesai" in indonesian and "last office finishes" in english


def test_a_list_with_no_card_to_deliver_sizes_no_fleet_and_says_so(tmp_path: Path) -> None:
    # An empty list, or one whose every row validation refuses, crashed with KeyError ('office_id').
    cards = registry_cards()
    for none_left in (cards.head(0), cards.head(5).assign(NIK="12345")):
        chart = tmp_path / "f.png"
        by_couriers = size_fleet(none_left, config_text=CONFIG, start=START, couriers=2, chart=chart)
        by_date = size_fleet(none_left, config_text=CONFIG, start=START, finish_by=date(2026, 8, 21))
        for r in (by_couriers, by_date):
            assert r.offices == () and r.curve.empty
            assert "TOTAL 0 cards, couriers 0, courier-days 0" in fleet_report(r, lang="en")
        assert chart.read_bytes()[:4] == b"\x89PNG"


def test_an_office_with_fewer_cards_than_its_couriers_carry_is_sized_from_full_courier_days() -> None:
    # 30 cards, 6 couriers with 40-card bags: the first day spread 5 cards over each courier, and the
    # sizing took 5 cards for what a courier-day carries (6 courier-days, the shift named as the limit).
    r = size_fleet(registry_cards().head(30), config_text=CONFIG, start=START, couriers=6, failure=0.0)
    (o,) = r.offices
    assert o.cards == 30 and o.cards_per_courier_day == 30 and o.courier_days == 1
    assert o.day_limit == "none" and o.binds == "none"  # its cards ran out before the bag or the shift
    assert "none" in fleet_report(r, lang="en").splitlines()[2]  # the office's row


def test_no_failures_means_no_redelivery_tail() -> None:
    r = size_fleet(registry_cards(), config_text=CONFIG, start=START, couriers=3, failure=0.0)
    o = r.offices[0]
    assert r.attempts_per_card == 1.0 and o.working_days == -(-o.courier_days // 3)


def test_missing_courier_days_of_a_plan_too_small() -> None:
    import pandas as pd

    from ektp_routes.fleet import missing_courier_days

    stops = pd.DataFrame(
        {
            "office_id": ["A", "A", "A", "B", "B"],
            "cards": [100, 130, 50, 10, 400],
            "status": ["planned", "unserved", "unserved", "planned", "unserved"],
            "reason_code": ["", "no_capacity", "beyond_shift", "", "no_capacity"],
        }
    )
    routes = pd.DataFrame({"office_id": ["A", "A", "B"], "cards": [60, 40, 10]})
    m = missing_courier_days(stops, routes, capacity=150).set_index("office_id")
    assert m.loc["A", "cards_no_capacity"] == 130 and m.loc["A", "courier_days_missing"] == 3  # 130 / 50
    assert m.loc["B", "courier_days_missing"] == 40  # 400 / 10


def _texts(fig: Figure) -> list[str]:
    ax = fig.axes[0]
    legend = [x.get_text() for x in ax.get_legend().get_texts()]
    return [ax.get_title(), ax.get_xlabel(), ax.get_ylabel(), *legend]


def test_the_chart_speaks_the_language_of_the_rest_of_the_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `fleet --lang en --chart` printed its table in English beside a chart labelled in Indonesian.
    import ektp_routes.fleet

    drawn: list[list[str]] = []

    def spy(result: FleetResult, t: Messages) -> Figure:
        fig = curve_figure(result, t)
        drawn.append(_texts(fig))
        return fig

    monkeypatch.setattr(ektp_routes.fleet, "curve_figure", spy)
    cards, chart = registry_cards().head(30), tmp_path / "f.png"
    target = date(2026, 8, 21)
    r = size_fleet(cards, config_text=CONFIG, start=START, finish_by=target, chart=chart, lang="en")
    assert chart.read_bytes()[:4] == b"\x89PNG"
    english = [
        "Finish date against couriers (20% of attempts fail)",
        "couriers per post office",
        "finish date",
    ]
    assert drawn == [[*english, "every office done", "target"]]
    indonesian = _texts(curve_figure(r, messages("id")))
    assert indonesian == [
        "Tanggal selesai vs jumlah kurir (gagal 20% per percobaan)",
        "kurir per kantor pos",
        "tanggal selesai",
        "semua kantor selesai",
        "target",
    ]
