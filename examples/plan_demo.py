"""Plan the delivery of synthetic e-KTP cards for one kecamatan of Kabupaten Bekasi, as a post office would.

    python examples/plan_demo.py [OUTDIR]

Synthetic cards (no real person) with only the registry columns (no coordinates, as Disdukcapil exports
them); placeholder post offices stand in for the real ones (flagged placeholder=true in every output).
The plan is then judged on the synthetic truth: every courier-day driven through the true households.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ektp_routes import synthetic_cards
from ektp_routes.evaluate import replay
from ektp_routes.export import write_plan
from ektp_routes.plan import PlanConfig, plan_file
from ektp_routes.synthetic import TRUTH_COLUMNS


def main(out: Path) -> None:
    truth = synthetic_cards(191_000, seed=0, kecamatan=["Bojongmangu"], defect_rate=0.01)
    registry = truth.drop(columns=TRUTH_COLUMNS)  # what a post office has
    result = plan_file(
        registry, config=PlanConfig(workers=1).with_options(time_limit_s=5), work_dir=out / ".work"
    )
    write_plan(result, out)
    print(result.summary.to_string(index=False))
    print(result.assignments["status"].value_counts().to_string())
    print("registry plan replayed on the true households (registry-path figures):")
    print(replay(result, truth).describe())


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "out/example_demo"))
