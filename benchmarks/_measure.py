"""Shared helpers of the benchmark scripts: run a step in a fresh process, report median and peak RSS."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys


def run_isolated(code: str, repeat: int = 3) -> tuple[float, float, list[dict[str, float]]]:
    """Run ``code`` (which must print one JSON dict with "seconds") in fresh interpreters.

    Returns (median seconds, max peak RSS in MiB, all results). Each run is a new process so the peak
    RSS of one run is not hidden by an earlier one.
    """
    wrapper = (
        "import json, resource, time\n"
        + code
        + "\nres = main()\n"
        + "res['peak_rss_mib'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        # VmHWM is this process's own peak (ru_maxrss keeps the parent's RSS at fork).
        + "res['peak_rss_mib'] = next((int(x.split()[1]) / 1024 for x in open('/proc/self/status') "
        + "if x.startswith('VmHWM:')), res['peak_rss_mib'])\n"
        + "print(json.dumps(res))\n"
    )
    results = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", wrapper], check=True, capture_output=True, text=True)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return (
        statistics.median(r["seconds"] for r in results),
        max(r["peak_rss_mib"] for r in results),
        results,
    )
