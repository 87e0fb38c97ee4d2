"""Honest estimates of what the planner cannot see: travel inside a block and between blocks.

A block known only to its desa (the registry gives desa, settlement, RW and RT, no coordinates) lies
somewhere in the desa; a block pinned by a GIS analyst lies at its pin. Either way its households are
unseen. This module turns what is known into the travel times a routing problem needs:

- *Between places*: the expected travel between two random points of the places involved (a point,
  or the desa polygon, sampled deterministically), through the same travel network as planning.
- *Inside a settlement*: its card households are spread over the desa's settled land. The settled
  land of a desa is estimated from its 2024 population at :attr:`TravelModel.settled_density_km2`
  persons per km² (capped at the desa's area); the card households of the desa share it, so one
  household takes ``a = settled area / households`` and a courier walking door to door covers about
  ``k * sqrt(a)`` per household (continuous approximation: a tour through n points spread over an area
  A is about ``k * sqrt(n A)``; ``k`` for a nearest-next courier), times the circuity of the roads.
  A list that names few settlements of a desa (a small batch) covers less land than the desa has
  settled: its households then share at most :attr:`TravelModel.settlement_km2` per settlement named.
- Moving to a neighbouring RT of the same settlement (name and RW) costs one such step per RT number apart
  (RT numbers of a settlement run along it more often than not); blocks of one settlement therefore
  stay together and are visited in RT order.
- *Between road and door*: a road network charges a ridden leg the walk from each end's point to its
  road (``snap_m`` at walking pace), and walks two points near each other directly (great-circle
  times ``WALK_CIRCUITY`` at walking pace, up to ``WALK_CAP_M``) when that is faster. A step from one
  household to the next follows the same rule: the cheaper of riding it with two walks to the road and
  walking it door to door. A block known only to its desa walks to the road, per household, the mean
  over the desa's sample points (0 on the straight-line model, which never walks); a point (a house, a
  pin) its own.

The constants, their sources and their spread are in the README (section "Planning from registry
columns") and measured by ``benchmarks/tour_constant.py``.

Example
-------
>>> m = TravelModel()
>>> round(m.step_m(spacing_m=50.0), 1)
66.8
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from ektp_routes._errors import ConfigError
from ektp_routes.geodesy import METRES_PER_DEGREE
from ektp_routes.network import (
    DEFAULT_CIRCUITY,
    WALK_CAP_M,
    WALK_CIRCUITY,
    WALK_MPS,
    TravelMatrix,
    TravelNetwork,
)
from ektp_routes.regions import Gazetteer

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]

#: Points sampled in a desa polygon to take expectations over "somewhere in the desa".
SAMPLES_PER_DESA = 24


@dataclass(frozen=True)
class TravelModel:
    """Constants of the estimates (defaults and their sources in the README).

    Parameters
    ----------
    tour_k
        Length of a nearest-next tour through n points spread over an area A, divided by sqrt(n A).
    circuity
        Road distance / straight distance for the walks inside a settlement.
    settled_density_km2
        Persons per km² of settled land (kampung, perumahan), used to estimate a desa's settled area;
        None: the 90th percentile of the desa densities of the gazetteer (the desa built up end to end).
    speed_kmh
        Speed of the door-to-door walk/ride inside a settlement.
    shift_utilisation
        Share of the shift a courier-day with estimated stops is planned to fill, so that the
        realised day stays inside the shift although its travel is an estimate.
    settlement_km2
        Most land one settlement (a name and RW) covers, in km²: a desa's card households lie on at
        most this much land per settlement the list names in the desa (see
        :func:`named_settlements`); None: no limit, the desa's settled land always.
    """

    tour_k: float = 0.81
    circuity: float = DEFAULT_CIRCUITY
    settled_density_km2: float | None = None
    speed_kmh: float = 20.0
    shift_utilisation: float = 0.85
    settlement_km2: float | None = 0.6

    def __post_init__(self) -> None:
        if not (0.5 <= self.tour_k <= 2.0 and 1.0 <= self.circuity <= 3.0):
            raise ConfigError("tour_k must lie in 0.5-2 and circuity in 1-3")
        if not ((self.settled_density_km2 is None or self.settled_density_km2 > 0) and self.speed_kmh > 0):
            raise ConfigError("settled_density_km2 and speed_kmh must be > 0")
        if not 0.3 <= self.shift_utilisation <= 1.0:
            raise ConfigError("shift_utilisation must lie in 0.3-1")
        if self.settlement_km2 is not None and not self.settlement_km2 > 0:
            raise ConfigError("settlement_km2 must be > 0 (or None: no limit)")

    def step_m(self, *, spacing_m: float) -> float:
        """Road metres from one door to the next where each household takes ``spacing_m``² of land."""
        return self.tour_k * self.circuity * float(spacing_m)


def desa_spacing_m(
    gaz: Gazetteer,
    doors_per_desa: Mapping[str, float],
    model: TravelModel,
    *,
    settlements_per_desa: Mapping[str, int] | None = None,
) -> dict[str, float]:
    """Side of the square of settled land one card household takes, per desa (metres).

    ``settlements_per_desa`` (from :func:`named_settlements`) limits a desa's land to
    :attr:`TravelModel.settlement_km2` per settlement its cards name; a desa not in it has no limit.
    """
    named = settlements_per_desa or {}
    t = gaz.desa_table.set_index("kode")
    area_m2 = pd.Series(
        [desa_area_m2(g, float(y)) for g, y in zip(t.geometry, t.rep_lat, strict=True)], index=t.index
    )
    people = t["penduduk"].fillna(0).astype(float)
    density = model.settled_density_km2 or settled_density_km2(people, area_m2)
    out = {}
    for kode, doors in doors_per_desa.items():
        settled = min(float(area_m2[kode]), float(people[kode]) / density * 1e6) or float(area_m2[kode])
        if model.settlement_km2 is not None and str(kode) in named:
            settled = min(settled, named[str(kode)] * model.settlement_km2 * 1e6)
        out[str(kode)] = float(np.sqrt(settled / max(1.0, float(doors))))
    return out


#: Share of a desa's doors that may lie in stops naming no settlement for :func:`named_settlements`
#: still to count the desa's settlements (beyond it, the list does not say where its households live).
UNNAMED_DOORS_SHARE = 0.1


def named_settlements(stops: pd.DataFrame) -> dict[str, int]:
    """Per desa, how many settlements (a name and RW) its stops name.

    Stops that name none count as one more settlement together; a desa where they hold more than
    :data:`UNNAMED_DOORS_SHARE` of the doors is left out (its list does not say how much land it covers).
    """
    ident = settlement_identity(stops)
    unnamed = ident.eq("")
    t = pd.DataFrame({"desa": stops["desa_kode"].astype(str), "ident": ident, "doors": stops["doors"]})
    per = t.groupby("desa").agg(
        names=("ident", lambda s: s[s.ne("")].nunique()),
        unnamed=("ident", lambda s: int(s.eq("").any())),
        doors=("doors", "sum"),
    )
    unnamed_doors = t["doors"].where(unnamed, 0.0).groupby(t["desa"]).sum()
    ok = unnamed_doors <= UNNAMED_DOORS_SHARE * per["doors"]
    counts = (per["names"] + per["unnamed"])[ok]
    return {str(k): int(v) for k, v in counts.items() if v > 0}


def settled_density_km2(people: pd.Series, area_m2: pd.Series) -> float:
    """Persons per km² of settled land: the 90th percentile of desa densities (the built-up desa)."""
    dens = (people / (area_m2 / 1e6)).to_numpy(dtype=float)
    return float(np.percentile(dens[np.isfinite(dens) & (dens > 0)], 90))


def desa_area_m2(poly: shapely.Geometry, lat: float) -> float:
    """Area of a lon/lat polygon in square metres (local equirectangular scale)."""
    return float(poly.area) * METRES_PER_DEGREE**2 * float(np.cos(np.radians(lat)))


def desa_samples(gaz: Gazetteer, kode: str, k: int = SAMPLES_PER_DESA) -> tuple[FloatArray, FloatArray]:
    """``k`` points spread over the desa polygon, the same in every run (seeded by the desa code)."""
    poly = gaz.polygon(kode)
    rng = np.random.default_rng(zlib.crc32(kode.encode()))
    minx, miny, maxx, maxy = poly.bounds
    xs: list[float] = []
    ys: list[float] = []
    shapely.prepare(poly)
    while len(xs) < k:
        x = rng.uniform(minx, maxx, 4 * k)
        y = rng.uniform(miny, maxy, 4 * k)
        ok = shapely.contains_xy(poly, x, y)
        xs += x[ok].tolist()
        ys += y[ok].tolist()
    return np.asarray(xs[:k]), np.asarray(ys[:k])


@dataclass(frozen=True)
class PlaceNodes:
    """The nodes of one office's problem as the estimates see them (node 0 = the post office).

    Columns of ``table``: ``lon``/``lat`` (a point, or NaN where only the desa is known), ``desa_kode``,
    ``settlement`` (block stops; "" for a household), ``rt`` (number, -1 unknown), ``doors``
    (households at the node, 1 for a household stop), ``spacing_m`` (see :func:`desa_spacing_m`).
    """

    table: pd.DataFrame

    def __post_init__(self) -> None:
        need = {"lon", "lat", "desa_kode", "settlement", "rt", "doors", "spacing_m"}
        missing = need - set(self.table.columns)
        if missing:
            raise ConfigError(f"place nodes lack columns {sorted(missing)}")


Samples = Mapping[str, tuple[FloatArray, FloatArray]]


@dataclass(frozen=True)
class EstimatedTravel:
    """Expected travel among place nodes (:func:`estimated_travel`): time (s), distance (m), and per
    node whether its place lies beyond the road network's snap limit (straight legs): its point, or for
    a node known only to its desa every sample point of the desa; false on the straight-line model."""

    time_s: FloatArray
    dist_m: FloatArray
    off_network: npt.NDArray[np.bool_]


def estimated_matrices(
    nodes: PlaceNodes, network: TravelNetwork, samples: Samples, model: TravelModel
) -> tuple[FloatArray, FloatArray]:
    """Expected (time s, distance m) between the nodes: :func:`estimated_travel` without the flags."""
    e = estimated_travel(nodes, network, samples, model)
    return e.time_s, e.dist_m


def estimated_travel(
    nodes: PlaceNodes, network: TravelNetwork, samples: Samples, model: TravelModel
) -> EstimatedTravel:
    """Expected (time s, distance m) between the nodes, with each block's inner tour on its way out.

    ``samples`` gives the sample points of every desa with a node known only to the desa. The walk
    through a block's households (``doors - 1`` steps, each as :func:`door_step` prices it) is added
    to every arc leaving the block, so a route's travel includes the walks inside its blocks.
    """
    t = nodes.table.reset_index(drop=True)
    e_time, e_dist, access_m, off = _expected_between_places(t, network, samples)
    step = np.array([model.step_m(spacing_m=s) for s in t["spacing_m"].to_numpy(dtype=float)])
    hop = _settlement_hops(t, step)
    # On a road network every door is reached from its road, or from a neighbouring door on foot: a
    # step from one door to the next is the cheaper of the two (the straight-line model never walks).
    mean_m = access_m.mean(axis=1)
    hop_d, hop_t = door_step(hop, mean_m[:, None] + mean_m[None, :], model)
    dist = np.where(np.isnan(hop), e_dist, hop_d)
    time = np.where(np.isnan(hop), e_time, hop_t)
    steps = np.maximum(0.0, t["doors"].to_numpy(dtype=float) - 1.0)
    # A block's doors lie together, at one of its place's points: each step walks or rides as the
    # doors at that point would, averaged over the points (the mean of the cheaper, not the cheaper
    # of the means, which would ride where the near doors ride and the far ones walk).
    step_d, step_t = (x.mean(axis=1) for x in door_step(step[:, None], 2 * access_m, model))
    dist = dist + (steps * step_d)[:, None]
    time = time + (steps * step_t)[:, None]
    np.fill_diagonal(dist, 0.0)
    np.fill_diagonal(time, 0.0)
    return EstimatedTravel(time, dist, off)


def door_step(road_m: FloatArray, to_road_m: FloatArray, model: TravelModel) -> tuple[FloatArray, FloatArray]:
    """(distance m, time s) of steps between doors ``road_m`` apart by road, as the network prices them.

    The cheaper of riding (``road_m`` at the model's speed plus ``to_road_m`` walked between the doors
    and their roads) and walking door to door (``road_m`` straightened by the model's circuity, times
    ``WALK_CIRCUITY``, at walking pace), the walk only up to ``WALK_CAP_M`` and only where doors are
    off the road (``to_road_m`` > 0: never on the straight-line model, whose estimates stay as they were).
    """
    ride_d = road_m + to_road_m
    ride_t = road_m / (model.speed_kmh / 3.6) + to_road_m / WALK_MPS
    walk_d = road_m / model.circuity * WALK_CIRCUITY
    walk_t = walk_d / WALK_MPS
    with np.errstate(invalid="ignore"):
        walk = (to_road_m > 0) & (walk_d <= WALK_CAP_M) & (walk_t < ride_t)
    return np.where(walk, walk_d, ride_d), np.where(walk, walk_t, ride_t)


def _expected_between_places(
    t: pd.DataFrame, network: TravelNetwork, samples: Samples
) -> tuple[FloatArray, FloatArray, FloatArray, npt.NDArray[np.bool_]]:
    """Mean network time and distance between the places of every pair of nodes, each node's walk
    from a door to its road in metres at each of its points (see :func:`_door_to_road_m`), and which
    nodes lie beyond the network's snap limit (a desa node when all its desa's samples do)."""
    is_point = t["lon"].notna().to_numpy()
    areas = sorted(set(t.loc[~is_point, "desa_kode"].astype(str)))
    k = SAMPLES_PER_DESA
    lon = np.r_[t["lon"].to_numpy(dtype=float)[is_point], *[samples[a][0] for a in areas]]
    lat = np.r_[t["lat"].to_numpy(dtype=float)[is_point], *[samples[a][1] for a in areas]]
    m = network.matrix(lon, lat)
    n_pts = int(is_point.sum())
    # Place of each node: its own point, or its desa's sample cloud (rows of the matrix it averages).
    group = np.empty(len(t), dtype=int)
    group[is_point] = np.arange(n_pts)
    area_of = {a: n_pts + j for j, a in enumerate(areas)}
    group[~is_point] = [area_of[str(d)] for d in t.loc[~is_point, "desa_kode"]]
    # Averaging weights: a place's row spreads evenly over its points (one, or its desa's k samples).
    weight = np.zeros((n_pts + len(areas), len(lon)))
    weight[np.arange(n_pts), np.arange(n_pts)] = 1.0
    for j in range(len(areas)):
        weight[n_pts + j, n_pts + j * k : n_pts + (j + 1) * k] = 1.0 / k
    out = []
    for mat in (m.time_s, m.dist_m):
        out.append(_expected(mat, weight, n_pts, len(areas), k)[np.ix_(group, group)])
    # A desa place is off the network when every sample point of its desa is (its legs are straight).
    place_off = np.r_[m.off_network[:n_pts], m.off_network[n_pts:].reshape(len(areas), k).all(axis=1)]
    off = place_off[group]
    return out[0], out[1], _door_to_road_m(m, n_pts, len(areas), k)[group], off


def _door_to_road_m(m: TravelMatrix, n_pts: int, n_areas: int, k: int) -> FloatArray:
    """Per place: the metres walked between a door and its road, each way, as the network charges them.

    A road network adds the walk from a point to its road (``snap_m``, at walking pace) to every leg
    from or to the point; a point beyond the snap limit gets straight legs instead (no walk), and the
    straight-line model has no roads (0). One row per place, ``k`` columns: a point place its own
    distance ``k`` times; a desa place each of its sample points' (a block lies at one of them). Their
    mean is what the walks of a day add up to (not the median: on the placeholder Bekasi network
    36.9 m over the samples against 37.1 m over the true households).
    """
    walked = np.isfinite(m.snap_m) & ~m.off_network
    walked[list(m.unroutable)] = False
    snap = np.where(walked, m.snap_m, 0.0)
    per_area = snap[n_pts : n_pts + n_areas * k].reshape(n_areas, k)
    return np.r_[np.repeat(snap[:n_pts, None], k, axis=1), per_area]


def _expected(mat: FloatArray, weight: FloatArray, n_pts: int, n_areas: int, k: int) -> FloatArray:
    """Mean of ``mat`` over each pair of places, over the pairs of points that have a path."""
    finite = np.isfinite(mat)
    total = weight @ np.where(finite, mat, 0.0) @ weight.T
    count = weight @ finite.astype(float) @ weight.T
    for j in range(n_areas):  # two random points of one desa: not the same sample twice
        cut = slice(n_pts + j * k, n_pts + (j + 1) * k)
        cloud, ok = np.where(finite[cut, cut], mat[cut, cut], 0.0), finite[cut, cut]
        np.fill_diagonal(ok, False)
        np.fill_diagonal(cloud, 0.0)
        total[n_pts + j, n_pts + j] = cloud.sum() / (k * k)
        count[n_pts + j, n_pts + j] = ok.sum() / (k * k)
    with np.errstate(invalid="ignore", divide="ignore"):
        e = total / count
    return np.where(count > 0, e, np.inf)


def _settlement_hops(t: pd.DataFrame, step: FloatArray) -> FloatArray:
    """Metres between blocks of one settlement (NaN elsewhere): a step per RT number apart (1-4)."""
    key = (t["desa_kode"].astype(str) + "|" + t["settlement"].astype(str)).to_numpy()
    block = t["settlement"].astype(str).ne("").to_numpy()
    same = (key[:, None] == key[None, :]) & block[:, None] & block[None, :]
    rt = t["rt"].to_numpy(dtype=float)
    apart = np.abs(rt[:, None] - rt[None, :])
    apart = np.where((rt[:, None] < 0) | (rt[None, :] < 0), 2.0, np.clip(apart, 1.0, 4.0))
    hop = np.maximum(step[:, None], step[None, :]) * apart
    return np.where(same, hop, np.nan)


# ---------------------------------------------------------------------------------------------- stops
#: Precisions whose point is where the cards are (a house, a street, a pin, a named place); the others
#: only say which desa (or coarser area) a card belongs to.
POINT_PRECISIONS = frozenset({"input", "address", "street", "block", "settlement"})

#: Node columns a stops table must carry for the estimates (see :class:`PlaceNodes`).
STOP_ESTIMATE_COLUMNS = ("settlement", "rt_number", "doors", "spacing_m", "rw")


@dataclass(frozen=True)
class PlaceEstimates:
    """What one office's solver needs to estimate travel among stops it cannot see as points."""

    model: TravelModel
    samples: Mapping[str, tuple[FloatArray, FloatArray]]

    @classmethod
    def for_desa(cls, gaz: Gazetteer, codes: Sequence[str], model: TravelModel) -> PlaceEstimates:
        return cls(model, {str(k): desa_samples(gaz, str(k)) for k in sorted(set(codes))})

    def fingerprint(self) -> str:
        """Identifies the estimates (part of the key of a saved office result)."""
        m = self.model
        return f"{m}|{sorted(self.samples)}"

    def matrices(
        self, stops: pd.DataFrame, depot: tuple[float, float], network: TravelNetwork
    ) -> tuple[FloatArray, FloatArray]:
        """Expected (time, distance) among the office (node 0) and ``stops`` (nodes 1..n)."""
        e = self.travel(stops, depot, network)
        return e.time_s, e.dist_m

    def travel(
        self, stops: pd.DataFrame, depot: tuple[float, float], network: TravelNetwork
    ) -> EstimatedTravel:
        """:meth:`matrices` with each node's ``off_network`` flag."""
        return estimated_travel(place_nodes(stops, depot), network, self.samples, self.model)


def place_nodes(stops: pd.DataFrame, depot: tuple[float, float]) -> PlaceNodes:
    """The office and its stops as :class:`PlaceNodes` (a stop known only to its desa has no point)."""
    known = stops["precision"].astype(str).isin(POINT_PRECISIONS).to_numpy()
    table = pd.DataFrame(
        {
            "lon": np.where(known, stops["lon"].to_numpy(dtype=float), np.nan),
            "lat": np.where(known, stops["lat"].to_numpy(dtype=float), np.nan),
            "desa_kode": stops["desa_kode"].astype(str).to_numpy(),
            "settlement": settlement_identity(stops).to_numpy(),
            "rt": stops["rt_number"].to_numpy(dtype=float),
            "doors": stops["doors"].to_numpy(dtype=float),
            "spacing_m": stops["spacing_m"].to_numpy(dtype=float),
        }
    )
    office = {"lon": depot[0], "lat": depot[1], "desa_kode": "", "settlement": "", "rt": -1.0}
    office |= {"doors": 1.0, "spacing_m": 0.0}
    return PlaceNodes(pd.concat([pd.DataFrame([office]), table], ignore_index=True))


def settlement_identity(stops: pd.DataFrame) -> pd.Series:
    """The settlement a block stop belongs to, told apart by RW ("" for a household stop).

    Two settlements of one desa may bear one name (a "Kp. Pulo" in RW 002 and another in RW 007); the
    RW says which is which, so blocks of one name in two RWs are not taken for neighbours.
    """
    label = stops["settlement"].astype(str)
    rw = stops["rw"].astype(str) if "rw" in stops.columns else pd.Series("", index=stops.index)
    return (label + "|" + rw).where(label.ne(""), "")


def needs_estimates(stops: pd.DataFrame) -> bool:
    """True when some stop is a block of several doors or is known only to its desa."""
    if not len(stops) or "doors" not in stops.columns:
        return False
    coarse = ~stops["precision"].astype(str).isin(POINT_PRECISIONS)
    return bool(coarse.any() or (stops["doors"] > 1).any())


def plan_estimates(
    gaz: Gazetteer, stops: pd.DataFrame, model: TravelModel | None = None
) -> tuple[pd.DataFrame, PlaceEstimates | None]:
    """``stops`` with ``spacing_m`` and the estimates their offices need (None: every stop is a house)."""
    if not needs_estimates(stops):
        return stops, None
    m = model or TravelModel()
    doors = stops.groupby("desa_kode")["doors"].sum().to_dict()
    spacing = desa_spacing_m(gaz, doors, m, settlements_per_desa=named_settlements(stops))
    coarse = ~stops["precision"].astype(str).isin(POINT_PRECISIONS)
    out = stops.assign(spacing_m=stops["desa_kode"].map(spacing).astype(float))
    return out, PlaceEstimates.for_desa(gaz, stops.loc[coarse, "desa_kode"].astype(str).tolist(), m)
