"""How many iterations PyVRP needs on the library's problems, and what stopping earlier would cost.

    python benchmarks/stopping_rule.py [--seed 3] [--kecamatan NAME ...] [--what registry|oracle]
                                       [--time-limit S]

Plans a synthetic card list (registry columns only, or the oracle's true coordinates) with the
library's defaults, while every PyVRP search records its best cost after each iteration. A search is
deterministic for a seed, so the prefix of one long run is exactly what a shorter run would have done:
from one recorded run per territory the script tells, for each rule "stop after K iterations without
improvement" (PyVRP's ``NoImprovement``), the iterations it would have run and the cost it would have
returned. The library's own patience is switched off while recording (each search runs its budget). Prints per rule: the share of iterations used, the total cost against running the whole
budget, and in how many searches the result got worse. The cost is the engines' objective: courier-
days at their fixed cost plus travel seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyvrp

import ektp_routes.engines.pyvrp as engine
from ektp_routes import Gazetteer, read_cards, synthetic_cards
from ektp_routes.plan import PlanConfig, plan_routes
from ektp_routes.synthetic import TRUTH_COLUMNS

#: 5,000 is the library's own patience at its defaults (a third of the 15,000-iteration budget of a
#: search of up to 250 stops at 30 s: ``engines.pyvrp.patience``), the line README quotes.
PATIENCE = (100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000)

_solve = pyvrp.solve


def _recording(folder: Path, label: Callable[[], str] = lambda: "") -> Any:
    def solve(data: Any, stop: Any, *args: Any, **kwargs: Any) -> Any:
        kwargs["collect_stats"] = True
        t0 = time.perf_counter()
        res = _solve(data, stop, *args, **kwargs)
        seconds = time.perf_counter() - t0
        best = [d.best_cost if d.best_feas else None for d in res.stats.data]
        row = {"clients": data.num_clients, "best": best, "seconds": seconds}
        with open(folder / f"{label()}{os.getpid()}.jsonl", "a", encoding="utf-8") as f:
            f.write(json.dumps(row) + "\n")
        return res

    return solve


def stop_at(best: list[float | None], patience: int) -> int:
    """Iterations a ``NoImprovement(patience)`` rule would run on this best-cost trajectory."""
    target, counter = None, 0
    for i, c in enumerate(best):
        cost = float("inf") if c is None else c
        if target is None or cost < target:
            target, counter = cost, 0
        else:
            counter += 1
        if counter >= patience:
            return i + 1
    return len(best)


def _at(best: list[float | None], iterations: int) -> float:
    c = best[iterations - 1]
    return float("inf") if c is None else c


def report(folder: Path, label: str = "") -> None:
    """Print, from the searches recorded in ``folder``, what each patience would have cost."""
    files = sorted(folder.glob(f"{label}*.jsonl"))
    runs = [json.loads(line) for f in files for line in f.read_text().splitlines()]
    runs = [r for r in runs if r["best"] and r["best"][-1] is not None]
    sizes = np.array([r["clients"] for r in runs])
    iters = np.array([len(r["best"]) for r in runs])
    last = np.array([r["best"].index(r["best"][-1]) + 1 for r in runs])
    print(
        f"{len(runs)} searches, clients median {np.median(sizes):.0f} max {sizes.max()}; iterations "
        f"run median {np.median(iters):.0f} (total {iters.sum()}); last improvement at median "
        f"{np.median(last):.0f}, 90th pct {np.percentile(last, 90):.0f}, max {last.max()}"
    )
    full = sum(r["best"][-1] for r in runs)
    for k in PATIENCE:
        stops = [stop_at(r["best"], k) for r in runs]
        got = [_at(r["best"], s) for r, s in zip(runs, stops, strict=True)]
        worse = sum(g > r["best"][-1] for g, r in zip(got, runs, strict=True))
        print(
            f"NoImprovement({k:5d}): iterations {sum(stops) / iters.sum():6.1%} of the budget, "
            f"cost {sum(got) / full - 1:+.4%}, worse in {worse}/{len(runs)} searches"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--kecamatan", action="append")
    ap.add_argument("--what", choices=["registry", "oracle"], default="registry")
    ap.add_argument("--time-limit", type=float, default=None)
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="stopping-rule-"))
    pyvrp.solve = _recording(folder)  # the engine calls pyvrp.solve; worker processes fork with it
    engine.PATIENCE_MIN = 10**9
    truth = synthetic_cards(191_000, seed=args.seed, kecamatan=args.kecamatan)
    source = truth.drop(columns=TRUTH_COLUMNS)
    if args.what == "oracle":
        source = source.assign(lon=truth["true_lon"], lat=truth["true_lat"])
    cfg = PlanConfig(workers=2)
    if args.time_limit:
        cfg = cfg.with_options(time_limit_s=args.time_limit)
    gaz = Gazetteer.bekasi()
    t0 = time.perf_counter()
    res = plan_routes(read_cards(source, gazetteer=gaz), config=cfg, gazetteer=gaz)
    print(f"{len(truth)} cards, {args.what}, seed {args.seed}: planned in {time.perf_counter() - t0:.0f} s")
    print(f"courier-days {len(res.routes)}, travel {res.routes['travel_s'].sum() / 3600:.1f} h (plan's own)")
    report(folder)


if __name__ == "__main__":
    main()
