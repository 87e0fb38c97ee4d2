"""Plan the delivery of synthetic e-KTP cards for one kecamatan of Kabupaten Bekasi.

    python examples/plan_demo.py [OUTDIR]

Synthetic cards (no real person) carry their households' coordinates; placeholder post offices stand in
for the real ones (flagged placeholder=true in every output).
"""

from __future__ import annotations

import sys
from pathlib import Path

from ektp_routes import synthetic_cards
from ektp_routes.export import write_plan
from ektp_routes.plan import PlanConfig, plan_file


def main(out: Path) -> None:
    cards = synthetic_cards(191_000, seed=0, kecamatan=["Bojongmangu"], defect_rate=0.01)
    cards = cards.drop(columns=["defect"]).rename(columns={"true_lon": "lon", "true_lat": "lat"})
    result = plan_file(
        cards, config=PlanConfig(workers=1).with_options(time_limit_s=5), work_dir=out / ".work"
    )
    write_plan(result, out)
    print(result.summary.to_string(index=False))
    print(result.assignments["status"].value_counts().to_string())


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "out/example_demo"))
