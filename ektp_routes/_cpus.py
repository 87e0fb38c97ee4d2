"""The CPUs this process may use: its affinity set, capped by a container's CPU quota (cgroup v2).

``os.cpu_count()`` counts the machine's CPUs, not the ones a ``taskset``, a container's ``--cpuset-cpus``
or a ``--cpus`` quota leaves to us; sizing worker pools by it oversubscribes such a machine.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

#: Where cgroup v2 publishes this container's CPU quota ("max 100000" or "150000 100000").
CPU_MAX = Path("/sys/fs/cgroup/cpu.max")


def cpu_quota(path: Path = CPU_MAX) -> float | None:
    """CPUs' worth of time the cgroup quota allows (quota / period), or None when unlimited or unknown."""
    try:
        quota, period = path.read_text().split()[:2]
        return None if quota == "max" else max(0.01, int(quota) / int(period))
    except (OSError, ValueError, ZeroDivisionError):
        return None


def affinity_cpus() -> list[int]:
    """The CPUs in this process's affinity set (every CPU where the platform has no affinity)."""
    try:
        return sorted(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return list(range(os.cpu_count() or 1))


def usable_cpus(quota_path: Path = CPU_MAX) -> int:
    """Whole CPUs this process may keep busy: the affinity set, capped by the quota (rounded up)."""
    n = len(affinity_cpus())
    quota = cpu_quota(quota_path)
    return max(1, min(n, math.ceil(quota)) if quota is not None else n)
