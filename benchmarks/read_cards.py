"""Read and validate the 191,000-card synthetic list; report median time and peak memory.

    python benchmarks/read_cards.py [--n 191000] [--repeat 3] [--format csv]

Target (issue 2): under 10 s and under 1.5 GB on 2 cores.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _measure import run_isolated


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=191_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--format", choices=["csv", "xlsx", "parquet"], default="csv")
    ap.add_argument("--defect-rate", type=float, default=0.02)
    args = ap.parse_args()

    from ektp_routes.synthetic import synthetic_cards, write_cards

    tmp = Path(tempfile.mkdtemp())
    t0 = time.perf_counter()
    df = synthetic_cards(args.n, seed=0, defect_rate=args.defect_rate)
    gen_s = time.perf_counter() - t0
    path = write_cards(df.drop(columns=["true_lon", "true_lat"]), tmp / f"cards.{args.format}")
    print(
        f"generated {len(df)} synthetic cards in {gen_s:.1f} s -> {path.name} ({path.stat().st_size / 2**20:.1f} MiB)"
    )
    code = f"""
def main():
    t = time.perf_counter()
    from ektp_routes import read_cards
    res = read_cards({str(path)!r})
    return {{"seconds": time.perf_counter() - t, "accepted": len(res.cards), "rejected": len(res.rejects),
            "warnings": {{str(k): int(v) for k, v in res.warning_counts().items()}}}}
"""
    med, peak, runs = run_isolated(code, args.repeat)
    times = ", ".join(f"{r['seconds']:.2f}" for r in runs)
    print(f"runs (s): {times}")
    print(
        f"accepted={runs[0]['accepted']} rejected={runs[0]['rejected']} (planted defects: {(df.defect != '').sum()})"
    )
    elsewhere = int((~df.NIK.str.startswith("3216") & df.defect.eq("")).sum())
    print(
        f"warnings on accepted cards: {runs[0]['warnings']} (clean rows with a NIK issued elsewhere: {elsewhere})"
    )
    print(
        f"read_cards n={len(df)} format={args.format} median_s={med:.2f} peak_rss_mib={peak:.0f} "
        f"(includes import of ektp_routes)"
    )


if __name__ == "__main__":
    main()
