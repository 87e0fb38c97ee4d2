"""Assembling the plan's tables from the offices' results."""

from __future__ import annotations

import numpy as np

from ektp_routes import schema
from ektp_routes.pseudonyms import pseudonym
from ektp_routes.report import Scoped, assemble


def test_every_row_once_with_status_and_reason(plan_parts) -> None:  # type: ignore[no-untyped-def]
    cards, stops, scoped, office, res = plan_parts
    plan = assemble(cards, stops, scoped, [office], {"PO1": res}, network_is_straight=True)
    a = plan.assignments
    assert list(a.columns) == list(schema.ASSIGNMENT_VALUES)
    assert list(a["row"]) == [1, 2, 3, 4]
    assert list(a["status"]) == ["planned", "planned", "rejected", "unserved"]
    assert a.loc[2, "reason_code"] == "nik_format" and a.loc[3, "reason_code"] == "beyond_shift"
    assert (a.loc[[0, 1], "reason_code"] == "").all()
    assert list(a["route_id"]) == ["PO1-K01-H02", "PO1-K01-H02", "", ""]
    assert list(a["sequence"]) == [2, 1, 0, 0]


def test_routes_stops_and_summary(plan_parts) -> None:  # type: ignore[no-untyped-def]
    cards, stops, scoped, office, res = plan_parts
    plan = assemble(cards, stops, scoped, [office], {"PO1": res}, network_is_straight=True)
    assert list(plan.routes.columns) == list(schema.ROUTES)
    r = plan.routes.iloc[0]
    assert (r.route_id, r.courier, r.day, r.stops, r.cards) == ("PO1-K01-H02", 1, 2, 2, 2)
    assert set(schema.STOPS) <= set(plan.stops.columns)
    assert plan.geometries == {"PO1-K01-H02": [(107.1, -6.2), (107.11, -6.2)]}
    s = plan.summary
    assert list(s.columns) == list(schema.SUMMARY) and list(s["office_id"]) == ["PO1", "TOTAL"]
    assert (s.loc[0, "cards"], s.loc[0, "cards_planned"], s.loc[0, "stops_planned"]) == (3, 2, 2)


def test_out_of_scope_cards_are_unserved_with_their_reason(plan_parts) -> None:  # type: ignore[no-untyped-def]
    cards, stops, _, office, _ = plan_parts
    scoped = Scoped(np.zeros(len(cards.cards), bool), np.array([], np.intp))
    plan = assemble(cards, stops.head(0), scoped, [office], {}, network_is_straight=True)
    a = plan.assignments
    assert list(a["status"]) == ["unserved", "unserved", "rejected", "unserved"]
    assert (a.loc[a.status == "unserved", "reason_code"] == schema.OUT_OF_SCOPE).all()


def test_pseudonym_column_only_with_a_key(plan_parts) -> None:  # type: ignore[no-untyped-def]
    cards, stops, scoped, office, res = plan_parts
    key = b"0123456789abcdef-kunci"
    plan = assemble(cards, stops, scoped, [office], {"PO1": res}, network_is_straight=True, pseudonym_key=key)
    a = plan.assignments
    assert a.columns[1] == schema.CARD_REF
    assert a.loc[0, schema.CARD_REF] == pseudonym(key, "3216101201900001")
    assert a.loc[2, schema.CARD_REF] == ""  # a rejected row has no accepted NIK to pseudonymise


def test_a_visit_walks_one_settlement_and_rw_and_namesakes_stay_apart() -> None:
    import pandas as pd

    from ektp_routes.ids import RouteId
    from ektp_routes.offices import PostOffice
    from ektp_routes.report import stops_table
    from ektp_routes.runner import OfficeResult, PlannedRoute

    # One day: RT 1 and RT 2 of Kp. Pulo in RW 002 (one walk), then the other Kp. Pulo in RW 007.
    stops = pd.DataFrame(
        {
            "stop_id": ["S1", "S2", "S3"],
            "desa_kode": "D1",
            "settlement": "kampung Pulo",
            "rw": ["002", "002", "007"],
            "office_id": "O1",
        }
    )
    route = PlannedRoute(
        RouteId("O1", 1, 1), ("S1", "S2", "S3"), (60.0, 600.0, 1500.0), 3, 1.0, 3000.0, 1.0, ()
    )
    office = PostOffice("O1", "Kantor", 107.0, -6.2)
    out = stops_table(stops, [OfficeResult("O1", (route,), ())], {"O1": office})
    assert out["visit"].tolist() == [1, 1, 2]
    # Consecutive windows: RT 1 until RT 2 begins, RT 2 until the next visit, the last until the end.
    assert out["until_s"].tolist() == [600.0, 1500.0, 3000.0]


def test_summary_counts_cards_by_what_their_point_is(plan_parts) -> None:  # type: ignore[no-untyped-def]
    # Issue 11 §4: the mix input/street/block/desa, per office; a street point is not a block pin.
    cards, stops, scoped, office, res = plan_parts
    stops["precision"] = ["input", "street", "settlement"]
    plan = assemble(cards, stops, scoped, [office], {"PO1": res}, network_is_straight=True)
    row = plan.summary.iloc[0]
    mix = [int(row[c]) for c in schema.SUMMARY_PRECISION]
    assert schema.SUMMARY_PRECISION == ("cards_house", "cards_street", "cards_block", "cards_desa")
    assert mix == [1, 1, 1, 0] and sum(mix) == row["cards"]
    stops["precision"] = ["block", "desa", "kodepos"]
    plan = assemble(cards, stops, scoped, [office], {"PO1": res}, network_is_straight=True)
    assert [int(plan.summary.iloc[-1][c]) for c in schema.SUMMARY_PRECISION] == [0, 0, 1, 2]
