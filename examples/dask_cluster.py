"""Plan on a Dask cluster: the same plan_routes, post offices solved on the cluster's workers.

    python examples/dask_cluster.py [SCHEDULER_ADDRESS]

Without an address a LocalCluster is started (what CI runs); with one, e.g. tcp://10.0.0.5:8786, the
offices are sent to that cluster (every worker needs ektp_routes installed).

The cards keep only the registry columns (no coordinates, as Disdukcapil exports them): the synthetic
truth (true_lon/true_lat, household) is dropped before planning, so the plan is the registry path, its
cards grouped into delivery blocks at their desa (the summary's cards_desa).
"""

from __future__ import annotations

import sys

from dask.distributed import Client, LocalCluster

from ektp_routes import synthetic_cards
from ektp_routes.plan import PlanConfig, plan_file
from ektp_routes.synthetic import TRUTH_COLUMNS


def main(address: str | None) -> None:
    cards = synthetic_cards(191_000, seed=1, kecamatan=["Bojongmangu", "Sukawangi"])
    registry = cards.groupby("true_desa_kode").head(40).drop(columns=TRUTH_COLUMNS)  # what a post office has
    if address:
        client = Client(address)
        cluster = None
    else:
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
        client = Client(cluster)
    try:
        res = plan_file(registry, config=PlanConfig().with_options(time_limit_s=3), client=client)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    print("plan from registry columns only (no coordinates):")
    print(res.summary.to_string(index=False))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
