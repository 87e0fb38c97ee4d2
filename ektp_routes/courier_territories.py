"""Courier territories: which courier delivers which stops.

At start each office's delivery blocks are cut into one territory per courier (:func:`territories`:
a sweep around the office into slices of equal cards). On each day the couriers who work share out
the due stops (:func:`choose_jobs`): each takes the re-deliveries and pending cards of their own
territory first (a courier keeps their blocks from day to day), then helps with blocks whose courier
is away or busy, nearest their own territory, up to a full bag.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ektp_routes.offices import PostOffice
from ektp_routes.operation_config import OperationConfig


def territories(
    frame: pd.DataFrame, offices: Sequence[PostOffice], known: pd.DataFrame
) -> list[dict[str, Any]]:
    """Courier territories: each office's blocks in sweep order around the office, cut into one slice
    of equal cards per courier. Blocks added later join the slice of the nearest known block."""
    if not len(frame):
        return []
    by_id = {o.office_id: o for o in offices}
    b = (
        frame.groupby("block")
        .agg(
            office_id=("office_id", "first"), lon=("lon", "mean"), lat=("lat", "mean"), cards=("nik", "size")
        )
        .reset_index()
    )
    b["sweep"] = [
        math.atan2(r.lat - by_id[r.office_id].lat, r.lon - by_id[r.office_id].lon) for r in b.itertuples()
    ]
    b = b[~b["block"].isin(set(known["block"]))] if len(known) else b
    rows: list[dict[str, Any]] = []
    for oid, grp in b.sort_values(["office_id", "sweep", "block"]).groupby("office_id", sort=True):
        old = known[known["office_id"] == oid] if len(known) else known
        if len(old):
            near = [int(np.argmin(np.abs(old["sweep"].to_numpy() - s))) for s in grp["sweep"]]
            homes = old["home_courier"].to_numpy()[near]
        else:
            k = by_id[str(oid)].fleet.couriers
            before = (grp["cards"].cumsum() - grp["cards"]) / grp["cards"].sum()
            homes = np.minimum(k, np.floor(before.to_numpy() * k).astype(int) + 1)
        rows += [
            {"block": blk, "office_id": oid, "home_courier": int(h), "last_courier": None, "sweep": float(s)}
            for blk, h, s in zip(grp["block"], homes, grp["sweep"], strict=True)
        ]
    return rows


@dataclass(frozen=True)
class CourierJob:
    """One courier-day to route: the stops chosen for the courier, in the order they were chosen."""

    courier: int
    stop_keys: tuple[str, ...]
    lon: np.ndarray
    lat: np.ndarray
    cards: np.ndarray
    late: np.ndarray


def _stops_of(cards: pd.DataFrame, blocks: pd.DataFrame, config: OperationConfig) -> pd.DataFrame:
    """Candidate cards grouped into stops (households), with their block's courier and sweep."""
    late = cards["state"].eq("failed") & cards["window"].eq("late") & (config.not_home_window == "late")
    prev = pd.to_numeric(cards["courier"], errors="coerce").where(cards["state"].eq("failed"))
    s = cards.assign(late=late.astype(bool), prev=prev.astype(float), retry=cards["state"].eq("failed"),
                     lon=cards["lon"].astype(float), lat=cards["lat"].astype(float))  # fmt: skip
    st = (
        s.groupby("stop_key", sort=False)
        .agg(
            block=("block", "first"),
            lon=("lon", "mean"),
            lat=("lat", "mean"),
            cards=("card_id", "size"),
            late=("late", "any"),
            retry=("retry", "any"),
            prev=("prev", "max"),
        )
        .reset_index()
    )
    b = blocks.set_index("block")
    st["home"] = st["block"].map(b["home_courier"]).fillna(1).astype(int)
    st["sweep"] = st["block"].map(b["sweep"]).fillna(0.0)
    st["owner"] = st["prev"].fillna(st["home"]).astype(int)
    return st.sort_values(["retry", "sweep", "block", "stop_key"], ascending=[False, True, True, True])


def bag_sized(cards: pd.DataFrame, capacity: Mapping[str, int]) -> pd.DataFrame:
    """``cards`` with each stop that holds more cards than its office's bag (``capacity`` by office id)
    cut into parts of at most a bag, each its own stop for the day (``stop_key`` + ``#2``, ``#3``, ...;
    re-deliveries first, then by card id): many cards at one address with no house number share one
    stop at their desa point, which would fit no courier's bag and never go out."""
    bag = cards["office_id"].map(capacity).fillna(1).clip(lower=1).astype(int)
    size = cards.groupby("stop_key")["card_id"].transform("size")
    big = size > bag
    if not big.any():
        return cards
    order = cards[big].assign(_new=cards["state"].ne("failed")).sort_values(["stop_key", "_new", "card_id"])
    part = order.groupby("stop_key").cumcount() // bag[order.index]
    keys = order["stop_key"] + part.map(lambda k: f"#{k + 1}" if k else "")
    return cards.assign(stop_key=keys.reindex(cards.index).fillna(cards["stop_key"]))


def choose_jobs(
    cards: pd.DataFrame, blocks: pd.DataFrame, couriers: Sequence[int], capacity: int, config: OperationConfig
) -> tuple[CourierJob, ...]:
    """Each working courier takes due stops of their own territory (re-deliveries first), then stops
    whose courier is away or busy, nearest to their territory in sweep order, up to a full bag."""
    if not len(cards) or not couriers:
        return ()
    st = _stops_of(cards, blocks, config)
    taken: dict[int, list[int]] = {c: [] for c in couriers}
    load = dict.fromkeys(couriers, 0)
    free = np.ones(len(st), bool)
    n_cards, owner = st["cards"].to_numpy(), st["owner"].to_numpy()
    for i in range(len(st)):
        c = int(owner[i])
        if c in load and load[c] + n_cards[i] <= capacity:
            taken[c].append(i)
            load[c] += int(n_cards[i])
            free[i] = False
    sweep = st["sweep"].to_numpy()
    for c in couriers:
        home = blocks.loc[blocks["home_courier"] == c, "sweep"]
        centre = float(home.median()) if len(home) else 0.0
        gap = np.abs(np.angle(np.exp(1j * (sweep - centre))))
        for i in np.flatnonzero(free)[np.argsort(gap[free], kind="stable")]:
            if load[c] + n_cards[i] > capacity:
                continue
            taken[c].append(int(i))
            load[c] += int(n_cards[i])
            free[i] = False
    return tuple(_job(c, st.iloc[idx]) for c, idx in taken.items() if idx)


def _job(courier: int, st: pd.DataFrame) -> CourierJob:
    return CourierJob(
        courier,
        tuple(st["stop_key"]),
        st["lon"].to_numpy(float),
        st["lat"].to_numpy(float),
        st["cards"].to_numpy(np.int64),
        st["late"].to_numpy(bool),
    )
