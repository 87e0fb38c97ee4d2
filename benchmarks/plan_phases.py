"""Where the time of ``ektp-routes plan CARDS --out DIR`` goes, phase by phase (defaults, no flags).

    python benchmarks/plan_phases.py CARDS --out DIR [--profile-output N] [-- extra plan options]

Runs the command line's own ``plan`` command in this process with the library's functions wrapped
by timers: reading, geocoding, stops, estimates, solving (offices in worker processes), assembling
the tables, and every output writer. Prints each phase's wall and CPU seconds (this process's; the
workers' CPU is in the total line) and calls, the whole run's
wall and CPU seconds (this process and its workers), peak RSS and the load average before and after.
With ``--profile-output N`` the output phase (``write_plan``) also runs under cProfile and the N
functions with the most cumulative time are printed.

Make the card list first, e.g. the whole kabupaten from the registry columns only:
``python -m ektp_routes.cli demo-cards --seed 3 --out /tmp/cards.csv``.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import io
import os
import pstats
import resource
import time
from collections.abc import Callable
from typing import Any

#: (module, function) pairs timed; nested phases are indented under their caller in the output.
PHASES: list[tuple[str, str, int]] = [
    ("ektp_routes.plan", "read_cards", 0),
    ("ektp_routes.plan", "geocode_cards", 0),
    ("ektp_routes.plan", "make_stops", 0),
    ("ektp_routes.plan", "plan_estimates", 0),
    ("ektp_routes.plan", "run_jobs", 0),
    ("ektp_routes.plan", "assemble", 0),
    ("ektp_routes.export", "write_plan", 0),
    ("ektp_routes.export", "plan_layers", 1),
    ("ektp_routes.export", "_write_layer", 1),
    ("ektp_routes.export", "write_csv", 1),
    ("ektp_routes.export", "_write_manifests", 1),
    ("ektp_routes.export", "write_xlsx", 2),
    ("ektp_routes.views", "write_gpkg", 1),
    ("ektp_routes.views", "write_qgz", 1),
    ("ektp_routes.views", "write_map", 1),
    ("ektp_routes.views", "report_figures", 1),
    ("ektp_routes.views", "write_report", 1),
]

_spent: dict[str, list[tuple[float, float]]] = {}


def _timed(name: str, fn: Callable[..., Any], profile: int) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        prof = cProfile.Profile() if profile and name == "write_plan" else None
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            if prof is None:
                return fn(*args, **kwargs)
            return prof.runcall(fn, *args, **kwargs)
        finally:
            _spent.setdefault(name, []).append((time.perf_counter() - t0, time.process_time() - c0))
            if prof is not None:
                buf = io.StringIO()
                pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(profile)
                print(buf.getvalue())

    return wrapper


def _install(profile: int) -> None:
    import importlib

    for module, name, _ in PHASES:
        mod = importlib.import_module(module)
        setattr(mod, name, _timed(name, getattr(mod, name), profile))


def _cpu_s() -> tuple[float, float]:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("cards")
    ap.add_argument("--out", required=True)
    ap.add_argument("--profile-output", type=int, default=0, metavar="N")
    ap.add_argument("extra", nargs="*", help="more plan options (after --)")
    args = ap.parse_args()
    _install(args.profile_output)
    from ektp_routes.cli import main as cli_main

    load0 = os.getloadavg()
    t0 = time.perf_counter()
    rc = cli_main(["plan", args.cards, "--out", args.out, *args.extra])
    wall = time.perf_counter() - t0
    cpu_me, cpu_kids = _cpu_s()
    print(f"exit={rc}")
    for _module, name, depth in PHASES:
        got = _spent.get(name)
        if got:
            w, c = sum(w for w, _ in got), sum(c for _, c in got)
            print(f"{'  ' * depth}{name:<{22 - 2 * depth}} wall {w:7.1f} s  cpu {c:7.1f} s  calls={len(got)}")
    peak_me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"total wall_s={wall:.1f} cpu_s={cpu_me + cpu_kids:.1f} (main {cpu_me:.1f}, workers {cpu_kids:.1f}) "
        f"peak_rss_mib main={peak_me:.0f} worker={peak_kids:.0f} "
        f"load_before={load0[0]:.1f} load_after={os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
