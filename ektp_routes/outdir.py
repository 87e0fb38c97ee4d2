"""The output folder a run owns: checked before any work, locked while a run writes, replaced as a whole.

:func:`claim` checks that the folder can be written (its parent exists, it is not a file, no input
file of the run lies among the files the run replaces), takes a lock so that a second run into the
same folder stops with a clear message, and removes hidden ``.part`` files a killed run left behind
(they may hold personal data). :meth:`OutDir.finish` removes what the previous run wrote and this one
did not, and records what this run wrote, so the folder holds one run's outputs, never a mix.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import shutil
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from ektp_routes._errors import OutputError
from ektp_routes._files import PART_SUFFIX, is_system_file, output_error, require_folder, write_text
from ektp_routes.i18n import error

logger = logging.getLogger(__name__)

RUN_RECORD = ".ektp-routes-run.json"
LOCK_FILE = ".ektp-routes.lock"
WORK_DIR = ".work"
MANIFESTS_DIR = "manifests"


class OutDir:
    """A claimed output folder (see :func:`claim`)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def work(self) -> Path:
        return self.path / WORK_DIR

    def previous(self) -> list[Path]:
        """Files and folders the previous run recorded (inside this folder only)."""
        try:
            names = json.loads((self.path / RUN_RECORD).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        root = self.path.resolve()
        out = []
        for name in names if isinstance(names, list) else []:
            p = (self.path / str(name)).resolve()
            if p != root and root in p.parents:
                out.append(p)
        return out

    def finish(self, written: Iterable[Path]) -> None:
        """Remove what the previous run wrote and this run did not; record this run's outputs."""
        root = self.path.resolve()
        mine = {Path(p).resolve() for p in written}
        for old in self.previous():
            if old not in mine and not any(old in m.parents for m in mine):
                _remove(old)
        names = sorted(str(p.relative_to(root)) for p in mine if root in p.parents)
        write_text(self.path / RUN_RECORD, json.dumps(names, indent=0))


def _remove(p: Path) -> None:
    try:
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p)
        else:
            p.unlink(missing_ok=True)
    except OSError as exc:
        raise output_error(p, exc) from exc


def check(path: Path, *, inputs: Sequence[Path] = (), option: str = "--out") -> None:
    """Refuse an output folder a run cannot own, before any work is done."""
    require_folder(path, option)
    for sub in (WORK_DIR, MANIFESTS_DIR):
        if (path / sub).exists() and not (path / sub).is_dir():
            raise error(OutputError, "error.out_sub_is_file", option=option, path=path, sub=sub)
    _refuse_others(path, option)
    owned = OutDir(path).previous() + [(path / d).resolve() for d in (WORK_DIR, MANIFESTS_DIR)]
    for f in inputs:
        r = Path(f).resolve()
        if any(r == o or o in r.parents for o in owned) or (r.parent == path.resolve() and r.name in OWNED):
            raise error(OutputError, "error.out_holds_input", name=Path(f).name, path=path)


#: A courier manifest a plan writes (``manifest_<route>.csv``/``.xlsx``); one of a delivery day of
#: ``ektp-routes ops`` carries the day's date (``manifest_<office>_<YYYYMMDD>_K<nn>``) and may hold
#: outcomes a clerk typed in.
_PLAN_MANIFEST = re.compile(r"manifest_.+\.(?:csv|xlsx)", re.IGNORECASE)
_DAY_MANIFEST = re.compile(r"manifest_.+_[0-9]{8}_K[0-9]+\.[a-z]+", re.IGNORECASE)


def _refuse_others(path: Path, option: str) -> None:
    """Refuse a folder holding what a plan would destroy but did not write: a delivery day of
    ``ektp-routes ops`` (its dispatch.csv, its manifests) or files in manifests/ that are no plan's
    manifests (a plan replaces manifests/ whole). Files are counted, never named: a name of a file
    put there by hand may be a person's."""
    day = (path / "dispatch.csv").is_file()
    folder = path / MANIFESTS_DIR
    names = (
        [f.name for f in folder.iterdir() if PART_SUFFIX not in f.name and not is_system_file(f.name)]
        if folder.is_dir()
        else []
    )
    if day or any(_DAY_MANIFEST.fullmatch(n) for n in names):
        raise error(OutputError, "error.out_holds_ops_day", option=option, path=path)
    foreign = [n for n in names if not _PLAN_MANIFEST.fullmatch(n)]
    if foreign:
        raise error(OutputError, "error.out_manifests_foreign", option=option, path=path, n=len(foreign))


OWNED = frozenset(
    {
        "routes.geojson",
        "stops.geojson",
        "offices.geojson",
        "assignments.csv",
        "summary.csv",
        "map.html",
        "leaflet-LICENSE.txt",
        RUN_RECORD,
    }
)
"""Top-level files a plan run writes (views add their own; the run record lists them all)."""


@contextmanager
def claim(path: str | Path, *, inputs: Sequence[Path] = (), option: str = "--out") -> Iterator[OutDir]:
    """Check, create and lock the output folder for one run; clean up stale ``.part`` files.

    A run that fails before it wrote anything (a bad option found late, an unreachable scheduler)
    leaves no folder behind that it created itself: nothing but its lock file is removed with it.
    """
    out = Path(path)
    check(out, inputs=inputs, option=option)
    created = not out.exists()
    try:
        out.mkdir(exist_ok=True)
        fd = os.open(out / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise output_error(out, exc) from exc
    failed = True
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise error(OutputError, "error.out_in_use", option=option, path=out) from None
        _probe(out)
        _remove_parts(out)
        yield OutDir(out)
        failed = False
    finally:
        os.close(fd)  # closing releases the lock
        if failed and created:
            _remove_if_only_the_lock(out)


def _remove_if_only_the_lock(out: Path) -> None:
    try:
        if [p.name for p in out.iterdir()] == [LOCK_FILE]:
            (out / LOCK_FILE).unlink()
            out.rmdir()
    except OSError:  # another run came in meanwhile, or the folder is gone: leave it as it is
        pass


def _probe(out: Path) -> None:
    probe = out / f".probe{PART_SUFFIX}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise output_error(out, exc) from exc


def _remove_parts(out: Path) -> None:
    # "*.part", and a writer's own suffix after it (".plan.gpkg.x1.part.gpkg", its "-journal")
    patterns = (f"*{PART_SUFFIX}", f".*{PART_SUFFIX}.*")
    dirs = [d for d in (out, out / WORK_DIR, out / MANIFESTS_DIR) if d.is_dir()]
    stale = [f for d in dirs for pattern in patterns for f in d.glob(pattern)]
    stale += [d for d in out.glob(f".*{PART_SUFFIX}-*") if d.is_dir()]
    for f in stale:
        _remove(f)
    if stale:
        logger.info("removed %d unfinished files a killed run left in %s", len(stale), out)
