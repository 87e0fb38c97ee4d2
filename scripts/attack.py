"""Outside attack on the command line (issue 12): hostile cases run against ``python -m ektp_routes.cli``.

Each case runs one or more commands in its own temporary directory, with small inputs (a few dozen
synthetic cards of one kecamatan, short solver limits), and is classified:

- ``handled``      exit 0 and every invariant holds
- ``clear error``  exit 2, one message line (``galat:``/``error:``), no traceback
- ``UNCLEAR``      exit 2 but the message is not one clear line
- ``REFUSED``      a valid input refused with exit 2
- ``TRACEBACK``    'Traceback' in stderr, an exit code outside {0, 2}, or a timeout
- ``SILENT WRONG`` exit 0 but an invariant fails (every card in assignments once, every planned card on
  exactly one manifest, no stale or foreign file in OUTDIR, no file outside OUTDIR, bad input accepted, ...)
- ``LEAK``         a full NIK, name or address from the input in stdout/stderr or in a non-private output
  (GIS layers, map, report, summary, assignments, rejects, geocode/blocks files, ...)

Usage::

    python scripts/attack.py [--jobs 2] [-k SUBSTRING] [--keep]

One line per case, then a tally line. Personal data in this script is synthetic (``demo-cards``).
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import csv
import io
import itertools
import json
import os
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLASSES = ("handled", "clear error", "UNCLEAR", "REFUSED", "TRACEBACK", "SILENT WRONG", "LEAK")
BAD = ("UNCLEAR", "REFUSED", "TRACEBACK", "SILENT WRONG", "LEAK")
HEADER = ["NIK", "NAMA", "ALAMAT", "RT", "RW", "KEL/DESA", "KECAMATAN", "KODE POS"]
PRIVATE_DIRS = ("manifests",)  # files under these hold names and NIKs by design
PRIVATE_SUFFIXES = (".sqlite", ".db", ".ledger")
FAST = ["--time-limit", "1", "--workers", "1"]
MEM_LIMIT = 3 * 1024**3


class SilentWrong(Exception):
    """An invariant failed although the command exited 0."""


@dataclass
class Run:
    """One command's outcome."""

    args: list[str]
    rc: int
    out: str
    err: str
    secs: float


@dataclass
class Work:
    """A case's sandbox: its directory, its commands, the personal data it fed in."""

    root: Path
    base_rows: list[list[str]]
    runs: list[Run] = field(default_factory=list)
    pii: set[str] = field(default_factory=set)
    scan: list[Path] = field(default_factory=list)  # non-private outputs to scan for leaks
    notes: list[str] = field(default_factory=list)
    inputs: set[Path] = field(default_factory=set)  # files this case wrote as input: never scanned

    # ---- inputs -------------------------------------------------------------------------------
    def rows(self, n: int | None = None) -> list[list[str]]:
        return [list(r) for r in self.base_rows[: n or len(self.base_rows)]]

    def cards(
        self,
        name: str = "cards.csv",
        rows: list[list[str]] | None = None,
        *,
        header: list[str] | None = None,
        write_header: bool = True,
        encoding: str = "utf-8",
    ) -> Path:
        rows = self.rows(30) if rows is None else rows
        head = header or HEADER
        for r in rows:
            rec = dict(zip(head, r, strict=False))
            for key in ("NIK", "NAMA", "ALAMAT"):
                v = rec.get(key, "")
                if _is_personal(key, v):
                    self.pii.add(v)
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        self.inputs.add(path.resolve())
        with open(path, "w", newline="", encoding=encoding) as fh:
            w = csv.writer(fh)
            if write_header:
                w.writerow(head)
            w.writerows(rows)
        return path

    def write(self, name: str, text: str | bytes) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def offices(self, rows: list[dict[str, object]], name: str = "offices.csv") -> Path:
        cols: list[str] = []
        for r in rows:
            cols += [c for c in r if c not in cols]
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)
        return self.write(name, buf.getvalue())

    # ---- commands -----------------------------------------------------------------------------
    def run(self, *args: object, timeout: float = 150, env: dict[str, str] | None = None) -> Run:
        argv = [str(a) for a in args]
        t0 = time.monotonic()
        e = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="1", **(env or {}))
        proc = subprocess.Popen(
            [sys.executable, "-m", "ektp_routes.cli", *argv],
            cwd=self.root,
            env=e,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
            start_new_session=True,
            preexec_fn=_limit_memory,
        )
        try:
            out, err = proc.communicate(timeout=timeout)
            rc = proc.returncode
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            rc, err = -999, err + f"\n[attack] TIMEOUT after {timeout:.0f} s"
        run = Run(argv, rc, out, err, time.monotonic() - t0)
        self.runs.append(run)
        return run

    def ok(self, *args: object, **kw: object) -> Run:
        """Run a command that must succeed (exit 0); a refusal is a finding."""
        run = self.run(*args, **kw)  # type: ignore[arg-type]
        if run.rc == 2 and "Traceback" not in run.err:
            raise Refused(_last_line(run.err))
        return run

    def check(self, cond: bool, msg: str) -> None:
        if not cond:
            raise SilentWrong(msg)


class Refused(Exception):
    """A valid input was refused."""


def _is_personal(key: str, v: str) -> bool:
    """Whether a cell is distinctive enough that finding it in an output is a leak, not a coincidence."""
    if key == "NIK":
        return len(v) >= 16
    if key == "NAMA":
        return len(v) >= 8 and " " in v
    return key == "ALAMAT" and len(v) >= 14


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEM_LIMIT, MEM_LIMIT))


def _last_line(text: str) -> str:
    lines = [ln for ln in re.split(r"[\r\n]+", text) if ln.strip() and "%|" not in ln]
    return lines[-1][:160] if lines else ""


# ---- invariants ---------------------------------------------------------------------------------
def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def manifest_cells(outdir: Path) -> Counter[str]:
    """Every cell of every manifest (CSV where written, else XLSX), counted."""
    cells: Counter[str] = Counter()
    mdir = outdir / "manifests"
    if not mdir.is_dir():
        return cells
    csvs = sorted(mdir.rglob("*.csv"))
    if csvs:
        for p in csvs:
            with open(p, newline="", encoding="utf-8-sig") as fh:
                for row in csv.reader(fh):
                    cells.update(c.strip() for c in row)
        return cells
    import openpyxl

    for p in sorted(mdir.rglob("*.xlsx")):
        wb = openpyxl.load_workbook(p, read_only=True)
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                cells.update(str(c).strip() for c in row if c is not None)
    return cells


def check_plan(w: Work, outdir: Path, rows: list[list[str]], started: float) -> None:
    """The invariants of a finished ``plan`` run into ``outdir`` from ``rows`` (header excluded)."""
    w.check(outdir.is_dir(), "no OUTDIR after exit 0")
    asg = outdir / "assignments.csv"
    w.check(asg.is_file(), "no assignments.csv")
    table = read_csv(asg)
    nums = Counter(int(r["row"]) for r in table)
    w.check(len(table) == len(rows), f"assignments has {len(table)} rows for {len(rows)} cards")
    w.check(all(v == 1 for v in nums.values()), "a card appears twice in assignments")
    w.check(set(nums) == set(range(1, len(rows) + 1)), "assignments rows are not the input rows 1..N")
    status_key = "status"
    planned = [r for r in table if r.get(status_key) == "planned"]
    cells = manifest_cells(outdir)
    want: Counter[str] = Counter()
    for r in planned:
        nik = rows[int(r["row"]) - 1][0]
        if re.fullmatch(r"[0-9]{16}", nik):
            want[nik] += 1
    for nik, k in want.items():
        w.check(k == 1, f"one NIK planned {k} times")
        w.check(cells.get(nik, 0) == k, f"a planned card is on {cells.get(nik, 0)} manifests (want {k})")
    unplanned = {rows[int(r["row"]) - 1][0] for r in table if r.get(status_key) != "planned"}
    for nik in unplanned - set(want) - {""}:  # an empty NIK cell (a blank row) names nobody
        w.check(cells.get(nik, 0) == 0, "an unplanned card is on a manifest")
    # no stale or half-written files
    for p in outdir.rglob("*"):
        rel = p.relative_to(outdir)
        if rel.parts[0] == ".work" or p.is_dir() or p.name.endswith(".lock"):
            continue
        w.check(not p.name.endswith(".part"), f"left-over part file {rel}")
        w.check(p.stat().st_mtime >= started - 1, f"stale file from an earlier run: {rel}")
    # identities
    stops = outdir / "stops.geojson"
    if stops.is_file():
        feats = json.loads(stops.read_text(encoding="utf-8"))["features"]
        ids = [f["properties"].get("stop_id") for f in feats]
        w.check(len(ids) == len(set(ids)), "duplicate stop ids in stops.geojson")
        known = set(ids)
        for r in planned:
            w.check(r.get("stop_id") in known, "a planned card's stop is not in stops.geojson")
    routes = outdir / "routes.geojson"
    if routes.is_file():
        feats = json.loads(routes.read_text(encoding="utf-8"))["features"]
        rids = [f["properties"].get("route_id") for f in feats]
        w.check(len(rids) == len(set(rids)), "duplicate route ids")
    w.scan.append(outdir)


def check_no_escape(w: Work, before: set[Path], allowed: Iterable[Path]) -> None:
    """No file appeared in the case directory outside the allowed outputs."""
    allowed = [a.resolve() for a in allowed]
    for p in w.root.rglob("*"):
        if p in before or p.is_dir():
            continue
        rp = p.resolve()
        if not any(rp == a or a in rp.parents for a in allowed):
            raise SilentWrong(f"file written outside OUTDIR: {p.relative_to(w.root)}")


def snapshot(w: Work) -> set[Path]:
    return set(w.root.rglob("*"))


# ---- leak scan ----------------------------------------------------------------------------------
def _file_texts(path: Path, inputs: set[Path]) -> Iterable[tuple[str, bytes]]:
    if path.resolve() in inputs:
        return
    if path.is_dir():
        for p in sorted(path.rglob("*")):
            rel = p.relative_to(path).parts
            if p.is_file() and not any(d in rel for d in PRIVATE_DIRS):
                yield from _file_texts(p, inputs)
        return
    if not path.is_file() or path.suffix in PRIVATE_SUFFIXES or path.suffix == ".png":
        return
    data = path.read_bytes()
    if path.suffix in (".qgz", ".zip", ".xlsx"):
        try:
            with zipfile.ZipFile(path) as z:
                for n in z.namelist():
                    yield f"{path.name}:{n}", z.read(n)
        except zipfile.BadZipFile:
            yield path.name, data
        return
    if path.suffix == ".pdf" and shutil.which("pdftotext"):
        txt = subprocess.run(["pdftotext", str(path), "-"], capture_output=True).stdout
        yield path.name, txt
        return
    yield path.name, data


def find_leaks(w: Work) -> list[str]:
    needles = sorted(p for p in w.pii if p.strip())
    found: list[str] = []
    for run in w.runs:
        for where, text in (("stdout", run.out), ("stderr", run.err)):
            for s in needles:
                if s in text:
                    found.append(f"{where} of `{' '.join(run.args[:2])}` holds {_kind(s)}")
    for target in w.scan:
        for name, data in _file_texts(target, w.inputs):
            for s in needles:
                enc = s.encode("utf-8")
                if enc in data or json.dumps(s).encode()[1:-1] in data:
                    found.append(f"{name} holds {_kind(s)}")
    return sorted(set(found))


def _kind(s: str) -> str:
    if re.fullmatch(r"\d{16}", s):
        return "a full NIK"
    return "a name/address" if not s.startswith("postgres") else "a password"


# ---- classification -----------------------------------------------------------------------------
@dataclass
class Case:
    name: str
    group: str
    fn: Callable[[Work], None]
    expect: str  # "ok", "error" or "either"


CASES: list[Case] = []


def case(group: str, expect: str = "either") -> Callable[[Callable[[Work], None]], Callable[[Work], None]]:
    def deco(fn: Callable[[Work], None]) -> Callable[[Work], None]:
        CASES.append(Case(fn.__name__, group, fn, expect))
        return fn

    return deco


def classify(c: Case, w: Work) -> tuple[str, str]:
    try:
        c.fn(w)
        problem = ""
    except SilentWrong as exc:
        problem = f"SW:{exc}"
    except Refused as exc:
        problem = f"RF:{exc}"
    except Exception as exc:
        problem = f"SW:harness check failed: {type(exc).__name__}: {exc}"
    for run in w.runs:
        if "Traceback" in run.err or run.rc not in (0, 2):
            tail = _last_line(run.err) or f"exit {run.rc}"
            return "TRACEBACK", f"`{' '.join(run.args[:3])[:60]}` exit {run.rc}: {tail}"
    leaks = find_leaks(w)
    if leaks:
        return "LEAK", "; ".join(leaks[:3])
    if problem.startswith("SW:"):
        return "SILENT WRONG", problem[3:]
    if problem.startswith("RF:"):
        return "REFUSED", problem[3:]
    last = w.runs[-1] if w.runs else None
    if last is None:
        return "SILENT WRONG", "no command ran"
    if last.rc == 0:
        if c.expect == "error":
            return "SILENT WRONG", "bad input accepted (exit 0)"
        return "handled", _last_line(last.out) or "ok"
    lines = re.split(r"[\r\n]+", last.err)
    msg = [ln for ln in lines if re.match(r"^(galat|error|ektp-routes.*error):", ln.strip())]
    other = [
        ln
        for ln in lines
        if ln.strip()
        and not re.match(r"^(galat|error)", ln.strip())
        and not ln.startswith(("usage:", "  ", "CATATAN", "NOTE", "PERINGATAN", "WARNING"))
        and not re.match(r"^(DEBUG|INFO|WARNING|ERROR|CRITICAL) [\w.]+: ", ln)
        and "%|" not in ln
    ]
    if len(msg) == 1 and not other:
        if c.expect == "ok":
            return "REFUSED", msg[0][:160]
        return "clear error", msg[0].strip()[:160]
    return "UNCLEAR", (" | ".join(last.err.strip().splitlines()[-3:]))[:200]


# ==== the corpus =================================================================================
R = "Bojongmangu"


def plan_ok(w: Work, cards: Path, out: Path, rows: list[list[str]], *extra: object) -> Run:
    before = snapshot(w)
    t0 = time.time()
    run = w.ok("plan", cards, "--out", out, *FAST, *extra)
    # The pins a plan refuses are listed beside the blocks file (README), not in OUTDIR.
    pins = [Path(str(b)) for a, b in itertools.pairwise(extra) if a == "--blocks"]
    refused = [p.with_name(f"{p.stem}_refused.csv") for p in pins]
    w.scan.extend(refused)
    if run.rc == 0:
        check_plan(w, out, rows, t0)
        check_no_escape(w, before, [out, *refused])
    return run


def two_offices(w: Work, a: str, b: str, **kw: object) -> Path:
    base = {"lon": 107.204184, "lat": -6.408684, "couriers": 2, "capacity": 10, "shift_h": 7, "days": 3}
    return w.offices(
        [
            {"office_id": a, "name": "Kantor A", **base, **kw},
            {"office_id": b, "name": "Kantor B", **base, "lon": 107.17, "lat": -6.44},
        ]
    )


# -- outputs a run owns ---------------------------------------------------------------------------
def _office_pair(a: str, b: str) -> Callable[[Work], None]:
    def fn(w: Work) -> None:
        rows = w.rows(40)
        run = w.run(
            "plan", w.cards(rows=rows), "--out", w.root / "out", *FAST, "--offices", two_offices(w, a, b)
        )
        if run.rc == 0:
            check_plan(w, w.root / "out", rows, time.time() - 600)

    return fn


for _i, (_a, _b) in enumerate(
    [
        ("KP A", "KP/A"),
        ("X" * 90 + "1", "X" * 90 + "2"),
        ("KP-A", "kp-a"),
        ("KP:A", "KP*A"),
        ("KP.A", "KP_A"),
        ("A", "A "),
    ]
):
    CASES.append(Case(f"office_ids_collide_{_i}", "outputs", _office_pair(_a, _b), "either"))


@case("outputs")
def replan_smaller_same_outdir(w: Work) -> None:
    rows = w.rows(40)
    plan_ok(w, w.cards(rows=rows), w.root / "out", rows)
    small = rows[:5]
    plan_ok(w, w.cards("small.csv", small), w.root / "out", small)
    cells = manifest_cells(w.root / "out")
    gone = [r[0] for r in rows[5:] if r[0] in cells]
    w.check(not gone, f"{len(gone)} NIKs of the earlier list still on manifests")


@case("outputs")
def replan_other_offices_same_outdir(w: Work) -> None:
    rows = w.rows(30)
    cards = w.cards(rows=rows)
    plan_ok(w, cards, w.root / "out", rows, "--offices", two_offices(w, "AA", "BB"))
    w.offices([{"office_id": "CC", "name": "C", "lon": 107.2, "lat": -6.41}], "o2.csv")
    plan_ok(w, cards, w.root / "out", rows, "--offices", w.root / "o2.csv")


@case("outputs")
def concurrent_plans_one_outdir(w: Work) -> None:
    rows = w.rows(60)
    cards = w.cards(rows=rows)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ektp_routes.cli",
                "plan",
                str(cards),
                "--out",
                "out",
                "--time-limit",
                "3",
                "--workers",
                "1",
            ],
            cwd=w.root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    t0 = time.time()
    for p in procs:
        out, err = p.communicate(timeout=200)
        w.runs.append(Run(["plan", "(concurrent)"], p.returncode, out, err, 0))
    rcs = sorted(p.returncode for p in procs)
    w.check(rcs != [0, 0], "two plans into one OUTDIR at once both exited 0")
    check_plan(w, w.root / "out", rows, t0 - 5)
    w.runs.sort(key=lambda r: -r.rc)  # the refusal is the case's last word


@case("outputs", "error")
def input_inside_outdir(w: Work) -> None:
    rows = w.rows(20)
    plan_ok(w, w.cards(rows=rows), w.root / "out", rows)
    src = w.cards("out/summary.csv", rows)
    before = src.read_bytes()
    run = w.run("plan", src, "--out", w.root / "out", *FAST)
    w.check(src.read_bytes() == before or run.rc != 0, "plan overwrote its own input")


@case("outputs", "error")
def out_is_a_file(w: Work) -> None:
    w.write("out", "x")
    w.run("plan", w.cards(), "--out", w.root / "out", *FAST)


@case("outputs")
def work_is_a_file(w: Work) -> None:
    rows = w.rows(20)
    w.write("out/.work", "x")
    run = w.run("plan", w.cards(rows=rows), "--out", w.root / "out", *FAST)
    if run.rc == 0:
        check_plan(w, w.root / "out", rows, time.time() - 600)


@case("outputs")
def manifests_is_a_file(w: Work) -> None:
    rows = w.rows(20)
    w.write("out/manifests", "x")
    run = w.run("plan", w.cards(rows=rows), "--out", w.root / "out", *FAST)
    if run.rc == 0:
        check_plan(w, w.root / "out", rows, time.time() - 600)


@case("outputs")
def stale_part_files_cleaned(w: Work) -> None:
    rows = w.rows(20)
    cards = w.cards(rows=rows)
    secret = "3216239999999999,Rahasia Tersimpan Dalam Part"
    w.pii.update(secret.split(","))
    w.write("out/manifests/.manifest_X.csv.part", secret)
    w.write("out/.assignments.csv.part", secret)
    plan_ok(w, cards, w.root / "out", rows)


@case("outputs", "error")
def out_parent_missing(w: Work) -> None:
    w.run("plan", w.cards(), "--out", w.root / "nope" / "out", *FAST)
    w.check(not (w.root / "nope").exists(), "plan created the missing parent")


@case("outputs", "error")
def out_readonly(w: Work) -> None:
    (w.root / "ro").mkdir()
    (w.root / "ro").chmod(0o500)
    try:
        if os.geteuid() == 0:  # root ignores permissions: use a path under a file instead
            w.write("f", "x")
            w.run("plan", w.cards(), "--out", w.root / "f" / "out", *FAST)
        else:
            w.run("plan", w.cards(), "--out", w.root / "ro" / "out", *FAST)
    finally:
        (w.root / "ro").chmod(0o700)


@case("outputs")
def office_id_dotdot(w: Work) -> None:
    rows = w.rows(20)
    cards = w.cards(rows=rows)
    offices = two_offices(w, "../../evil", "..")
    (w.root / "deep" / "x").mkdir(parents=True)
    before = snapshot(w)
    run = w.run("plan", cards, "--out", w.root / "deep" / "x" / "out", *FAST, "--offices", offices)
    if run.rc == 0:
        check_plan(w, w.root / "deep" / "x" / "out", rows, time.time() - 600)
    check_no_escape(w, before, [w.root / "deep" / "x" / "out"])


for _i, _bad in enumerate(["A" * 300, "KP\x00A", "KP\nA", "", "   ", "KP\tA", "\u202eKP", "KP\x1b[31mA"]):

    def _fn(w: Work, bad: str = _bad) -> None:
        rows = w.rows(20)
        w.run(
            "plan", w.cards(rows=rows), "--out", w.root / "out", *FAST, "--offices", two_offices(w, bad, "B")
        )
        if w.runs[-1].rc == 0:
            check_plan(w, w.root / "out", rows, time.time() - 600)

    CASES.append(Case(f"office_id_bad_{_i}", "outputs", _fn, "either"))


@case("outputs")
def killed_then_rerun(w: Work) -> None:
    rows = w.rows(60)
    cards = w.cards(rows=rows)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    p = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ektp_routes.cli",
            "plan",
            str(cards),
            "--out",
            "out",
            "--time-limit",
            "5",
            "--workers",
            "1",
        ],
        cwd=w.root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    time.sleep(7)
    os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    plan_ok(w, cards, w.root / "out", rows)


@case("outputs")
def resume_does_not_grow_work(w: Work) -> None:
    rows = w.rows(30)
    cards = w.cards(rows=rows)
    plan_ok(w, cards, w.root / "out", rows)
    n1 = sorted(p.name for p in (w.root / "out" / ".work").rglob("*") if p.is_file())
    plan_ok(w, cards, w.root / "out", rows)
    n2 = sorted(p.name for p in (w.root / "out" / ".work").rglob("*") if p.is_file())
    w.check(n1 == n2, f".work grew from {len(n1)} to {len(n2)} files on an identical rerun")


# -- personal data --------------------------------------------------------------------------------
for _i, _key in enumerate([b"", b"   \n", b"abc", b"a" * 40, b"0" * 64, b"\x00" * 32, b"passwordpassword"]):

    def _kfn(w: Work, key: bytes = _key) -> None:
        w.write("key", key)
        w.run("plan", w.cards(), "--out", w.root / "out", *FAST, "--pseudonym-key-file", w.root / "key")

    CASES.append(Case(f"weak_pseudonym_key_{_i}", "pii", _kfn, "error"))


@case("pii", "ok")
def good_pseudonym_key(w: Work) -> None:
    w.write("key", os.urandom(32).hex())
    rows = w.rows(20)
    plan_ok(w, w.cards(rows=rows), w.root / "out", rows, "--pseudonym-key-file", w.root / "key")
    table = read_csv(w.root / "out" / "assignments.csv")
    w.check(all(r.get("card_ref") for r in table), "assignments without card_ref under a key")


@case("pii", "error")
def missing_key_file(w: Work) -> None:
    w.run("plan", w.cards(), "--out", w.root / "out", *FAST, "--pseudonym-key-file", w.root / "nokey")


@case("pii", "error")
def key_file_is_dir(w: Work) -> None:
    w.run("plan", w.cards(), "--out", w.root / "out", *FAST, "--pseudonym-key-file", w.root)


def _noheader(cmd: list[str]) -> Callable[[Work], None]:
    def fn(w: Work) -> None:
        cards = w.cards(write_header=False)
        args = [a.replace("{CARDS}", str(cards)).replace("{W}", str(w.root)) for a in cmd]
        w.run(*args)
        for p in w.root.iterdir():
            if p.suffix in (".csv", ".gpkg") and p.name != cards.name:
                w.scan.append(p)
        if (w.root / "out").is_dir():
            w.scan.append(w.root / "out")

    return fn


for _nm, _cmd in {
    "validate": ["validate", "{CARDS}", "--rejects", "{W}/rej.csv"],
    "plan": ["plan", "{CARDS}", "--out", "{W}/out", *FAST],
    "geocode": ["geocode", "{CARDS}", "--out", "{W}/geo.csv"],
    "blocks": ["blocks", "{CARDS}", "--out", "{W}/blocks.csv"],
    "ops_start": ["ops", "start", "{CARDS}", "--ledger", "{W}/l.sqlite"],
    "fleet": ["fleet", "{CARDS}", "--couriers", "2", "--start-date", "2026-12-01"],
    "plan_verbose": ["-vv", "plan", "{CARDS}", "--out", "{W}/out", *FAST],
}.items():
    CASES.append(Case(f"no_header_{_nm}", "pii", _noheader(_cmd), "either"))


def _mangled(mutate: Callable[[list[list[str]]], None], cmd: str, expect: str = "either"):
    def fn(w: Work) -> None:
        rows = w.rows(25)
        mutate(rows)
        cards = w.cards(rows=rows)
        if cmd == "plan":
            plan_ok(w, cards, w.root / "out", rows)
        elif cmd == "validate":
            w.run("validate", cards, "--rejects", w.root / "rej.csv")
            w.scan.append(w.root / "rej.csv")
        elif cmd == "geocode":
            w.run("geocode", cards, "--out", w.root / "geo.csv")
            w.scan.append(w.root / "geo.csv")
        elif cmd == "blocks":
            w.run("blocks", cards, "--out", w.root / "blocks.csv")
            w.scan.append(w.root / "blocks.csv")
        elif cmd == "ops":
            w.run("ops", "start", cards, "--ledger", w.root / "l.sqlite", "--rejects", w.root / "rej.csv")
            w.scan.append(w.root / "rej.csv")

    return fn


def _name_in_nik(rows: list[list[str]]) -> None:
    rows[0][0] = "Bambangsutrisnoputra Wijayakusuma"
    rows[1][0] = "Sri Rahayuningsih Kartikasari"


def _fullwidth(rows: list[list[str]]) -> None:
    rows[0][0] = rows[0][0].translate({ord(c): 0xFF10 + int(c) for c in "0123456789"})
    rows[1][0] = rows[1][0].translate({ord(c): 0x0660 + int(c) for c in "0123456789"})
    rows.append(list(rows[2]))
    rows[-1][0] = rows[2][0].translate({ord(c): 0xFF10 + int(c) for c in "0123456789"})


def _control(rows: list[list[str]]) -> None:
    rows[0][1] = "Budi\x01 Santoso\x0b Kontrol"
    rows[1][2] = "Jl. Mawar\x07 No. 5\x1f RT 1"
    rows[2][1] = "=cmd|' /C calc'!A0 Formula"
    rows[3][1] = "Ani\u202eYani Terbalik"


def _html_name(rows: list[list[str]]) -> None:
    rows[0][1] = "<script>alert(1)</script> Nama"
    rows[1][2] = "${alert(1)} `tick` Jl. Bahaya"


def _dup(rows: list[list[str]]) -> None:
    rows.append(list(rows[0]))
    rows.append(list(rows[1]))
    rows[-1][1] = "Orang Lain Sama Nik"


def _long(rows: list[list[str]]) -> None:
    rows[0][1] = "Panjang " * 2000
    rows[1][2] = "Alamat " * 5000


def _empty_fields(rows: list[list[str]]) -> None:
    rows[0] = ["", "", "", "", "", "", "", ""]
    rows[1][5] = ""
    rows[2][6] = ""
    rows[3] = [rows[3][0]]


def _spaces(rows: list[list[str]]) -> None:
    rows[0][0] = " " + rows[0][0] + " "
    rows[1][0] = rows[1][0][:6] + " " + rows[1][0][6:]
    rows[2][0] = rows[2][0][:6] + "-" + rows[2][0][6:]
    rows[3][0] = rows[3][0] + ".0"
    rows[4][0] = "3.21623e+15"


def _wrong_desa(rows: list[list[str]]) -> None:
    rows[0][5] = "Atlantis"
    rows[1][5] = "Sukabungah; DROP TABLE"
    rows[2][6] = "CIKARANG PUSAT"
    rows[3][7] = "99999"
    rows[4][3] = "-1"
    rows[5][4] = "999999999999"


_MUT = {
    "name_in_nik": _name_in_nik,
    "fullwidth_nik": _fullwidth,
    "control_chars": _control,
    "html_in_fields": _html_name,
    "duplicate_cards": _dup,
    "huge_fields": _long,
    "empty_fields": _empty_fields,
    "nik_formats": _spaces,
    "wrong_region": _wrong_desa,
}
_EVERY_COMMAND = ("name_in_nik", "control_chars", "html_in_fields")
for _nm, _mf in _MUT.items():
    for _cmd in (
        ("plan", "validate", "geocode", "blocks", "ops") if _nm in _EVERY_COMMAND else ("plan", "validate")
    ):
        CASES.append(
            Case(f"{_nm}_{_cmd}", "pii" if _cmd != "plan" else "wrong", _mangled(_mf, _cmd), "either")
        )


@case("pii")
def map_script_injection(w: Work) -> None:
    rows = w.rows(20)
    payload = 'KP ${globalThis.pwn=1} "q" </script><img src=x onerror=alert(1)> `tick`'
    offices = w.offices([{"office_id": "KPX", "name": payload, "lon": 107.204184, "lat": -6.408684}])
    plan_ok(w, w.cards(rows=rows), w.root / "out", rows, "--offices", offices)
    for name in ("map.html", "report.html"):
        page = (w.root / "out" / name).read_text(encoding="utf-8", errors="replace")
        w.check("</script><img" not in page, f"{name}: user text closes a <script>")
        w.check("<img src=x onerror" not in page, f"{name}: user HTML reaches the page unescaped")
        w.check('${globalThis.pwn=1} "q"' not in page, f"{name}: user text not JSON/HTML-encoded")


@case("pii")
def verbose_plan_logs(w: Work) -> None:
    rows = w.rows(20)
    cards = w.cards(rows=rows)
    before = snapshot(w)
    t0 = time.time()
    w.ok("-vv", "plan", cards, "--out", w.root / "out", *FAST)
    check_plan(w, w.root / "out", rows, t0)
    check_no_escape(w, before, [w.root / "out"])


# -- identities -----------------------------------------------------------------------------------
def _with_coords(w: Work, rows: list[list[str]], coords: list[tuple[str, str]]) -> Path:
    head = [*HEADER, "lon", "lat"]
    full = [r + list(c) for r, c in zip(rows, coords, strict=False)]
    return w.cards(rows=full, header=head)


@case("ids", "ok")
def same_point_many_cards(w: Work) -> None:
    rows = w.rows(40)
    cards = _with_coords(w, rows, [("107.2041", "-6.4087")] * len(rows))
    plan_ok(w, cards, w.root / "out", rows)


@case("ids", "ok")
def near_points(w: Work) -> None:
    rows = w.rows(40)
    coords = [(f"{107.18 + i * 1e-7:.8f}", f"{-6.43 + i * 1e-7:.8f}") for i in range(len(rows))]
    plan_ok(w, _with_coords(w, rows, coords), w.root / "out", rows)


@case("ids")
def far_points(w: Work) -> None:
    rows = w.rows(12)
    coords = [
        ("106.8272", "-6.1754"),
        ("107.2041", "6.4087"),
        ("-6.4087", "107.2041"),
        ("-107.2", "-6.4"),
        ("nan", "nan"),
        ("inf", "-inf"),
        ("1e308", "1e308"),
        ("", ""),
        ("abc", "def"),
        ("0", "0"),
        ("107.2041", "-6.4087"),
        ("107,2041", "-6,4087"),
    ]
    plan_ok(w, _with_coords(w, rows, coords), w.root / "out", rows)
    table = read_csv(w.root / "out" / "assignments.csv")
    routes = json.loads((w.root / "out" / "routes.geojson").read_text())["features"]
    for f in routes:
        km = f["properties"].get("km", f["properties"].get("distance_m", 0) / 1000)
        w.check(float(km) < 100, f"a route of {km} km from far-away card points")
    flagged = [
        r
        for r in table[:4]
        if any(k.startswith("outside") and r[k] in ("True", "true", "1") for k in r)
        or r["status"] != "planned"
    ]
    w.check(len(flagged) == 4, f"only {len(flagged)} of 4 far-away points flagged or refused")


# -- wrong results with exit 0 --------------------------------------------------------------------
@case("wrong", "error")
def duplicate_office_id(w: Work) -> None:
    w.run("plan", w.cards(), "--out", w.root / "out", *FAST, "--offices", two_offices(w, "KP1", "KP1"))


@case("wrong")
def office_desa_by_name(w: Work) -> None:
    rows = [r for r in w.base_rows if r[5].lower() == "sukabungah"][:10] + [
        r for r in w.base_rows if r[5].lower() != "sukabungah"
    ][:10]
    cards = w.cards(rows=rows)
    off = two_offices(w, "KPA", "KPB")
    text = off.read_text().splitlines()
    text[0] += ",desa"
    text[1] += ",Sukabungah"
    text[2] += ","
    w.write("offices.csv", "\n".join(text) + "\n")
    plan_ok(w, cards, w.root / "out", rows, "--offices", off)
    table = read_csv(w.root / "out" / "assignments.csv")
    for r in table[:10]:
        if r["status"] == "planned":
            w.check(
                r["route_id"].startswith("KPA"), "a Sukabungah card not served by the office named for it"
            )


@case("wrong", "error")
def office_desa_unknown(w: Work) -> None:
    off = two_offices(w, "KPA", "KPB")
    text = off.read_text().splitlines()
    text[0] += ",desa"
    text[1] += ",Atlantis"
    text[2] += ","
    w.write("offices.csv", "\n".join(text) + "\n")
    w.run("plan", w.cards(), "--out", w.root / "out", *FAST, "--offices", off)


for _i, _orow in enumerate(
    [
        {"office_id": "A", "name": "A", "lon": "abc", "lat": -6.4},
        {"office_id": "A", "name": "A", "lon": "nan", "lat": -6.4},
        {"office_id": "A", "name": "A", "lon": 200, "lat": -6.4},
        {"office_id": "A", "name": "A", "lon": 107.2, "lat": -6.4, "couriers": 0},
        {"office_id": "A", "name": "A", "lon": 107.2, "lat": -6.4, "couriers": 2.5},
        {"office_id": "A", "name": "A", "lon": 107.2, "lat": -6.4, "capacity": -3},
        {"office_id": "A", "name": "A", "lon": 107.2, "lat": -6.4, "shift_h": "inf"},
        {"office_id": "A", "name": "A", "lon": 107.2, "lat": -6.4, "days": 0},
        {"office_id": "A", "name": "A", "lon": 107.2, "lat": -6.4, "days": 1e12},
        {"office_id": "A", "name": "A", "lon": 107.2, "lat": -6.4, "kodepos": "abc"},
        {"office_id": "A", "name": "A", "lon": 107.2, "lat": -6.4, "desa": "99.99.99.9999"},
        {"office_id": "A", "name": "A", "lon": 107.2, "lat": -6.4, "kapasitas": 3},
        {"name": "A"},
    ]
):

    def _ofn(w: Work, orow: dict[str, object] = _orow) -> None:
        w.run("plan", w.cards(), "--out", w.root / "out", *FAST, "--offices", w.offices([orow]))

    CASES.append(Case(f"office_row_bad_{_i}", "wrong", _ofn, "error"))


@case("wrong", "error")
def offices_file_garbage(w: Work) -> None:
    w.run("plan", w.cards(), "--out", w.root / "out", *FAST, "--offices", w.write("o.geojson", "{not json"))


@case("wrong", "error")
def offices_file_empty(w: Work) -> None:
    w.run("plan", w.cards(), "--out", w.root / "out", *FAST, "--offices", w.write("o.csv", ""))


for _i, _toml in enumerate(
    [
        "[fleet]\ncapacity = 2.5\n",
        '[solve]\ndeterministic = "no"\n',
        "[solve]\nfoo = 1\n",
        "[bogus]\nx=1\n",
        '[fleet]\ncapacity = "150"\n',
        "[scope]\nkecamatan = 5\n",
        "[solve]\nseed = 1.5\n",
        "[fleet]\ncapacity = 0\n",
        "[fleet]\ndays = 0\n",
        "plan = 5\n",
        "[fleet\n",
        "[fleet]\nshift_s = inf\n",
        "[solve]\ntime_limit_s = nan\n",
        "[solve]\ntime_limit_s = 1e300\n",
        "[fleet]\ncouriers = 1e9\n",
        "[run]\nworkers = -1\n",
        "[service]\nper_card_s = -5\n",
        "[plan]\ncouriers = true\n",
        '[scope]\nkecamatan = ["Atlantis"]\n',
        "\x00\x01\x02",
        "[operation]\nattempts = 0\n",
        "[operation]\nbogus = 1\n",
    ]
):

    def _tfn(w: Work, toml: str = _toml) -> None:
        w.run("plan", w.cards(), "--out", w.root / "out", *FAST, "--config", w.write("plan.toml", toml))

    CASES.append(Case(f"config_bad_{_i}", "config", _tfn, "error"))


@case("config", "error")
def config_missing(w: Work) -> None:
    w.run("plan", w.cards(), "--out", w.root / "out", *FAST, "--config", w.root / "none.toml")


@case("config", "error")
def config_is_dir(w: Work) -> None:
    w.run("plan", w.cards(), "--out", w.root / "out", *FAST, "--config", w.root)


@case("config", "ok")
def config_shared_with_ops(w: Work) -> None:
    # README: one plan.toml for plan and ops start; its [operation] table, saved by Notepad with a BOM.
    toml = w.write("plan.toml", "\ufeff[fleet]\ncouriers = 3\n[operation]\nattempt_limit = 2\n")
    rows = w.rows(20)
    plan_ok(w, w.cards(rows=rows), w.root / "out", rows, "--config", toml)
    w.ok("ops", "start", w.cards(rows=rows), "--ledger", w.root / "l.db", "--config", toml,
         "--start-date", "2026-09-01")  # fmt: skip


# -- options --------------------------------------------------------------------------------------
for _opt, _vals in {
    "--time-limit": ["inf", "nan", "1e300", "-1", "0", "abc", ""],
    "--seed": ["-1", str(2**70), "abc"],
    "--workers": ["0", "-1", "1000000000", "abc"],
    "--start-date": ["2026-02-30", "tomorrow", "99999-01-01", "0001-01-01"],
    "--kecamatan": ["Atlantis", ""],
    "--consolidation": ["street"],
    "--scheduler": ["notaurl", "tcp://127.0.0.1:1", "tcp://[::1"],
    "--network": ["/nonexistent.osm", "{W}", "{W}/cards.csv"],
    "--blocks": ["/nonexistent.csv", "{W}/cards.csv"],
}.items():
    for _v in _vals:

        def _pfn(w: Work, opt: str = _opt, v: str = _v) -> None:
            cards = w.cards()
            w.run(
                "plan", cards, "--out", w.root / "out", *FAST, opt, v.replace("{W}", str(w.root)), timeout=90
            )

        CASES.append(Case(f"plan{_opt}={_v[:12]}", "options", _pfn, "error"))


@case("options", "error")
def plan_cards_missing(w: Work) -> None:
    w.run("plan", w.root / "none.csv", "--out", w.root / "out", *FAST)


@case("options", "error")
def plan_cards_is_dir(w: Work) -> None:
    w.run("plan", w.root, "--out", w.root / "out", *FAST)


for _i, _content in enumerate(
    [
        b"",
        b"NIK,NAMA\n",
        b"\x89PNG\r\n\x1a\n\x00\x00garbage",
        b"PK\x03\x04broken",
        "NIK;NAMA;ALAMAT\n\u00e9\u00e9;x;y\n".encode("latin-1"),
        b"\xff\xfe\x00\x00",
        b'"unterminated,quote\n1,2\n',
    ]
):

    def _gfn(w: Work, content: bytes = _content, i: int = _i) -> None:
        ext = [".csv", ".csv", ".xlsx", ".xlsx", ".csv", ".csv", ".csv"][i]
        w.run("validate", w.write("bad" + ext, content))

    CASES.append(Case(f"validate_garbage_{_i}", "inputs", _gfn, "either"))


@case("inputs", "error")
def validate_wrong_sheet(w: Work) -> None:
    w.ok("demo-cards", "--n", "2000", "--kecamatan", R, "--out", w.root / "c.xlsx")
    w.run("validate", w.root / "c.xlsx", "--sheet", "Nope")


@case("inputs", "ok")
def validate_xlsx_and_parquet(w: Work) -> None:
    w.ok("demo-cards", "--n", "2000", "--kecamatan", R, "--out", w.root / "c.xlsx")
    w.ok("validate", w.root / "c.xlsx")
    w.ok("demo-cards", "--n", "2000", "--kecamatan", R, "--out", w.root / "c.parquet")
    w.ok("validate", w.root / "c.parquet")


@case("inputs", "ok")
def validate_semicolon_latin1(w: Work) -> None:
    rows = w.rows(10)
    rows[0][1] = "Andr\u00e9 \u00c7ahya Nugraha"
    buf = io.StringIO()
    csv.writer(buf, delimiter=";").writerows([HEADER, *rows])
    w.write("c.csv", buf.getvalue().encode("latin-1"))
    w.pii.add(rows[0][1])
    run = w.ok("validate", w.root / "c.csv")
    w.check(re.search(r"\b10\b", run.out + run.err) is not None, "10 cards in, count not reported")


# -- output directories of the other commands -----------------------------------------------------
for _nm, _cmd in {
    "demo_cards": ["demo-cards", "--n", "500", "--kecamatan", R, "--out", "{W}/nope/c.csv"],
    "geocode": ["geocode", "{CARDS}", "--out", "{W}/nope/g.csv"],
    "blocks": ["blocks", "{CARDS}", "--out", "{W}/nope/b.csv"],
    "validate_rejects": ["validate", "{CARDS}", "--rejects", "{W}/nope/r.csv"],
    "fleet_chart": [
        "fleet",
        "{CARDS}",
        "--couriers",
        "2",
        "--start-date",
        "2026-12-01",
        "--chart",
        "{W}/nope/c.png",
    ],
    "network_build": [
        "network",
        "build",
        "--osm",
        str(ROOT / "tests/data/kelapa_gading.osm.bz2"),
        "--out",
        "{W}/nope/net",
    ],
    "ops_ledger": ["ops", "start", "{CARDS}", "--ledger", "{W}/nope/l.sqlite"],
    "ops_status_charts": ["ops", "status", "--ledger", "{W}/l.sqlite", "--charts", "{W}/nope/ch"],
    "ops_dispatch": [
        "ops",
        "dispatch",
        "--ledger",
        "{W}/l.sqlite",
        "--date",
        "2026-12-01",
        "--out",
        "{W}/nope/d",
    ],
    "ops_returns": ["ops", "returns", "--ledger", "{W}/l.sqlite", "--out", "{W}/nope/r"],
    "demo_cards_ext": ["demo-cards", "--n", "500", "--kecamatan", R, "--out", "{W}/c.txt"],
    "blocks_ext": ["blocks", "{CARDS}", "--out", "{W}/b.txt"],
    "demo_cards_dir": ["demo-cards", "--n", "500", "--kecamatan", R, "--out", "{W}"],
}.items():

    def _dfn(w: Work, cmd: list[str] = _cmd) -> None:
        cards = w.cards()
        if "ops" in cmd and "start" not in cmd:
            w.ok("ops", "start", cards, "--ledger", w.root / "l.sqlite", "--start-date", "2026-12-01")
        w.run(*[a.replace("{CARDS}", str(cards)).replace("{W}", str(w.root)) for a in cmd])
        w.check(not (w.root / "nope").exists(), "a missing output directory was created")

    CASES.append(Case(f"missing_dir_{_nm}", "outdirs", _dfn, "error"))


# -- demo-cards / demo / fleet options ------------------------------------------------------------
for _opt, _vals in {
    "--n": ["-5", "abc", "1e3", "10000000000"],
    "--defect-rate": ["0.9", "-1", "nan"],
    "--seed": ["-1", "abc"],
    "--kecamatan": ["Atlantis"],
}.items():
    for _v in _vals:

        def _dcfn(w: Work, opt: str = _opt, v: str = _v) -> None:
            args = ["demo-cards", "--out", w.root / "c.csv", opt, v]
            if opt != "--kecamatan":
                args += ["--kecamatan", R]
            if opt != "--n":
                args += ["--n", "500"]
            w.run(*args, timeout=60)

        CASES.append(Case(f"demo-cards{_opt}={_v}", "demo", _dcfn, "error"))


for _v in (
    ["--kecamatan", "Atlantis"],
    ["--time-limit", "nan"],
    ["--seed", "-3"],
    ["--workers", "0"],
    ["--start-date", "2026-13-01"],
):

    def _demo(w: Work, v: list[str] = _v) -> None:
        w.run("demo", "--out", w.root / "out", *v, timeout=90)

    CASES.append(Case(f"demo{_v[0]}={_v[1]}", "demo", _demo, "error"))


for _v in (
    ["--couriers", "0"],
    ["--couriers", "-1"],
    ["--couriers", "abc"],
    ["--couriers", "1e9"],
    ["--finish-by", "2026-11-01", "--start-date", "2026-12-01"],
    ["--finish-by", "2026-02-30"],
    ["--couriers", "2", "--first-attempt-failure", "1.0"],
    ["--couriers", "2", "--first-attempt-failure", "nan"],
    ["--couriers", "2", "--start-date", "nope"],
    ["--finish-by", "9999-12-31", "--start-date", "2026-12-01"],
):

    def _fleet(w: Work, v: list[str] = _v) -> None:
        w.run("fleet", w.cards(), *v, timeout=90)

    CASES.append(
        Case(f"fleet{' '.join(_v)[:30]}", "fleet", _fleet, "error" if _v[-1] != "2026-12-01" else "either")
    )


@case("fleet", "ok")
def fleet_ok(w: Work) -> None:
    w.ok("fleet", w.cards(), "--couriers", "2", "--start-date", "2026-12-01", "--chart", w.root / "f.png")
    w.ok("fleet", w.cards(), "--finish-by", "2026-12-31", "--start-date", "2026-12-01")


@case("demo")
def demo_cards_none(w: Work) -> None:
    run = w.run("demo-cards", "--n", "0", "--kecamatan", R, "--out", w.root / "c.csv")
    if run.rc == 0:
        w.check(read_csv(w.root / "c.csv") == [], "--n 0 wrote cards")


# -- network build ------------------------------------------------------------------------------
for _nm, _args in {
    "osm_missing": ["--osm", "{W}/none.osm"],
    "osm_garbage": ["--osm", "{W}/g.osm"],
    "pbf_garbage": ["--pbf", "{W}/g.osm.pbf"],
    "profile_bad": ["--osm", "{W}/g.osm", "--profile", "rocket"],
    "margin_neg": ["--pbf", str(ROOT / "tests/data/kelapa_gading.osm.pbf"), "--margin-m", "-5"],
    "margin_nan": ["--pbf", str(ROOT / "tests/data/kelapa_gading.osm.pbf"), "--margin-m", "nan"],
    "snap_inf": ["--osm", str(ROOT / "tests/data/kelapa_gading.osm.bz2"), "--max-snap-m", "inf"],
    "kec_bad": ["--pbf", str(ROOT / "tests/data/kelapa_gading.osm.pbf"), "--kecamatan", "Atlantis"],
    "area_garbage": ["--pbf", str(ROOT / "tests/data/kelapa_gading.osm.pbf"), "--area", "{W}/g.osm"],
    "out_is_file": ["--osm", str(ROOT / "tests/data/kelapa_gading.osm.bz2"), "--out", "{W}/g.osm"],
}.items():

    def _nfn(w: Work, args: list[str] = _args) -> None:
        w.write("g.osm", "<osm><node id='1' lat='x'/></osm>")
        w.write("g.osm.pbf", b"\x00\x00\x00\x0dgarbage")
        a = [x.replace("{W}", str(w.root)) for x in args]
        if "--out" not in a:
            a += ["--out", str(w.root / "net")]
        w.run("network", "build", *a, timeout=120)

    CASES.append(Case(f"network_{_nm}", "network", _nfn, "error"))


@case("network")  # its last word is the refusal of a corrupt network; its first plan must succeed
def network_build_and_plan(w: Work) -> None:
    w.ok(
        "network",
        "build",
        "--osm",
        ROOT / "tests/data/kelapa_gading.osm.bz2",
        "--out",
        w.root / "net",
        timeout=150,
    )
    rows = w.rows(20)
    # cards of Bojongmangu on a Jakarta network: every stop far from the roads; must stay whole
    plan_ok(w, w.cards(rows=rows), w.root / "out", rows, "--network", w.root / "net")
    (w.root / "net" / "graph.npz").write_bytes(b"garbage")
    w.run("plan", w.cards(rows=rows), "--out", w.root / "out2", *FAST, "--network", w.root / "net")
    if w.runs[-1].rc == 0:
        raise SilentWrong("a corrupt network directory was accepted")


# -- ops ------------------------------------------------------------------------------------------
def _ledger(w: Work, n: int = 25) -> tuple[Path, list[list[str]]]:
    rows = w.rows(n)
    w.ok("ops", "start", w.cards(rows=rows), "--ledger", w.root / "l.sqlite", "--start-date", "2026-12-01")
    return w.root / "l.sqlite", rows


def _states(w: Work, ledger: Path) -> dict[str, int]:
    run = w.ok("ops", "status", "--ledger", ledger, "--json")
    return json.loads(run.out)["states"]


@case("ops", "ok")
def ops_full_cycle(w: Work) -> None:
    ledger, rows = _ledger(w)
    st = _states(w, ledger)
    w.check(sum(st.values()) == len(rows), f"states add up to {sum(st.values())} for {len(rows)} cards")
    w.check(ledger.stat().st_mode & 0o077 == 0, "ledger readable by others")
    w.ok(
        "ops",
        "dispatch",
        "--ledger",
        ledger,
        "--date",
        "2026-12-01",
        "--out",
        w.root / "d1",
        "--workers",
        "1",
        timeout=200,
    )
    disp = read_csv(w.root / "d1" / "dispatch.csv")
    refs = [r["card_ref"] for r in disp]
    w.check(len(refs) == len(set(refs)), "a card dispatched twice in dispatch.csv")
    cells = manifest_cells(w.root / "d1")
    for ref in refs:
        w.check(cells.get(ref, 0) == 1, f"card_ref on {cells.get(ref, 0)} manifests")
    w.scan.append(w.root / "d1")
    st = _states(w, ledger)
    w.check(st.get("dispatched", 0) == len(refs), "dispatched count differs from dispatch.csv")
    out = io.StringIO()
    wr = csv.writer(out)
    wr.writerow(["card_ref", "hasil", "waktu"])
    codes = ["DITERIMA", "TIDAK_DI_RUMAH", "PINDAH", "MENINGGAL", "BOGUS", "DITERIMA"]
    for i, ref in enumerate(refs[:5]):
        wr.writerow([ref, codes[i], "2026-12-01T10:00:00"])
    wr.writerow(["NOPE-REF", "DITERIMA", "2026-12-01T10:00:00"])
    wr.writerow([rows[0][0], "DITERIMA", "2026-12-01T10:00:00"])  # a full NIK typed as card_ref
    wr.writerow([refs[5] if len(refs) > 5 else "x", "DITERIMA", "2099-01-01T10:00:00"])
    oc = w.write("outcomes.csv", out.getvalue())
    w.ok("ops", "record", "--ledger", ledger, oc, "--problems", w.root / "problems.csv")
    w.scan.append(w.root / "problems.csv")
    st1 = _states(w, ledger)
    w.ok("ops", "record", "--ledger", ledger, oc)
    w.check(_states(w, ledger) == st1, "recording the same file twice changed the ledger")
    w.check(sum(st1.values()) == len(rows), "states no longer add up after record")
    w.ok("ops", "returns", "--ledger", ledger, "--out", w.root / "ret")
    w.ok("ops", "status", "--ledger", ledger, "--charts", w.root / "charts", "--by", "desa")
    w.scan.append(w.root / "charts")


@case("ops")
def ops_dispatch_sunday(w: Work) -> None:
    ledger, _ = _ledger(w, 10)
    run = w.ok(
        "ops", "dispatch", "--ledger", ledger, "--date", "2026-12-06", "--out", w.root / "d", "--workers", "1"
    )
    if run.rc == 0:
        w.check(not list((w.root / "d").rglob("*.xlsx")), "manifests written for a Sunday")
    w.check(_states(w, ledger).get("dispatched", 0) == 0, "cards dispatched on a Sunday")


@case("ops", "error")
def ops_dispatch_missing_ledger(w: Work) -> None:
    w.run(
        "ops", "dispatch", "--ledger", w.root / "none.sqlite", "--date", "2026-12-01", "--out", w.root / "d"
    )
    w.check(not (w.root / "none.sqlite").exists(), "a missing ledger was created by dispatch")


@case("ops", "error")
def ops_status_missing_ledger(w: Work) -> None:
    w.run("ops", "status", "--ledger", w.root / "none.sqlite")
    w.check(not (w.root / "none.sqlite").exists(), "a missing ledger was created by status")


@case("ops", "error")
def ops_ledger_garbage(w: Work) -> None:
    w.write("l.sqlite", b"this is not a database" * 10)
    w.run("ops", "status", "--ledger", w.root / "l.sqlite")


@case("ops", "error")
def ops_ledger_other_sqlite(w: Work) -> None:
    con = sqlite3.connect(w.root / "l.sqlite")
    con.execute("create table x(a)")
    con.commit()
    con.close()
    w.run("ops", "status", "--ledger", w.root / "l.sqlite")


@case("ops", "error")
def ops_ledger_is_dir(w: Work) -> None:
    w.run("ops", "start", w.cards(), "--ledger", w.root)


@case("ops", "error")
def ops_postgres_refused(w: Work) -> None:
    url = "postgresql://atk:Sup3rSecretPw@127.0.0.1:1/db"
    w.pii.add("Sup3rSecretPw")
    w.run("ops", "start", w.cards(), "--ledger", url, timeout=60)


@case("ops", "error")
def ops_postgres_env_password(w: Work) -> None:
    w.pii.add("EnvSecretPw99")
    w.run(
        "ops",
        "status",
        "--ledger",
        "postgresql://atk@127.0.0.1:1/db",
        env={"PGPASSWORD": "EnvSecretPw99"},
        timeout=60,
    )


@case("ops")
def ops_start_twice(w: Work) -> None:
    ledger, rows = _ledger(w, 20)
    w.ok("ops", "start", w.cards("again.csv", rows), "--ledger", ledger)
    st = _states(w, ledger)
    w.check(sum(st.values()) == len(rows), f"a second batch of the same cards gives {sum(st.values())} cards")


@case("ops", "error")
def ops_dispatch_bad_date(w: Work) -> None:
    ledger, _ = _ledger(w, 10)
    w.run("ops", "dispatch", "--ledger", ledger, "--date", "2026-02-30", "--out", w.root / "d")


@case("ops")
def ops_dispatch_before_start(w: Work) -> None:
    ledger, _ = _ledger(w, 10)
    w.run(
        "ops", "dispatch", "--ledger", ledger, "--date", "2020-01-06", "--out", w.root / "d", "--workers", "1"
    )
    if w.runs[-1].rc == 0:
        w.check(_states(w, ledger).get("dispatched", 0) == 0, "cards dispatched before the operation's start")


@case("ops", "ok")
def ops_dispatch_twice_same_day(w: Work) -> None:
    ledger, rows = _ledger(w, 15)
    for d in ("d1", "d2"):
        w.run(
            "ops",
            "dispatch",
            "--ledger",
            ledger,
            "--date",
            "2026-12-01",
            "--out",
            w.root / d,
            "--workers",
            "1",
            timeout=200,
        )
    st = _states(w, ledger)
    w.check(sum(st.values()) == len(rows), "states do not add up after dispatching a day twice")
    w.scan += [w.root / "d1", w.root / "d2"]
    if (w.root / "d2" / "dispatch.csv").is_file() and (w.root / "d1" / "dispatch.csv").is_file():
        a = {r["card_ref"] for r in read_csv(w.root / "d1" / "dispatch.csv")}
        b = {r["card_ref"] for r in read_csv(w.root / "d2" / "dispatch.csv")}
        w.check(not (a & b) or a == b, "a card dispatched twice on one day to different lists")


for _i, _content in enumerate(
    [
        "card_ref,hasil,waktu\n",
        "garbage\x00\x01\n",
        "card_ref,hasil,waktu\nX,DITERIMA,not-a-date\n",
        "a,b\n1,2\n",
        "card_ref,hasil,waktu,lon,lat\nX,DITERIMA,2026-12-01T10:00:00,nan,inf\n",
    ]
):

    def _rfn(w: Work, content: str = _content) -> None:
        ledger, _ = _ledger(w, 5)
        w.run("ops", "record", "--ledger", ledger, w.write("o.csv", content))

    CASES.append(Case(f"ops_record_bad_{_i}", "ops", _rfn, "either"))


@case("ops", "error")
def ops_record_missing_file(w: Work) -> None:
    ledger, _ = _ledger(w, 5)
    w.run("ops", "record", "--ledger", ledger, w.root / "none.csv")


@case("ops", "error")
def ops_record_show_negative(w: Work) -> None:
    ledger, _ = _ledger(w, 5)
    w.run("ops", "record", "--ledger", ledger, w.write("o.csv", "card_ref,hasil,waktu\n"), "--show", "-1")


@case("ops")
def ops_record_garbage_xlsx(w: Work) -> None:
    ledger, _ = _ledger(w, 5)
    w.run("ops", "record", "--ledger", ledger, w.write("o.xlsx", b"PK\x03\x04garbage"))


# -- geocode / blocks -----------------------------------------------------------------------------
for _nm, _args in {
    "online_bogus": ["--online", "bogusprovider"],
    "osm_missing": ["--osm", "{W}/none.osm"],
    "osm_garbage": ["--osm", "{W}/g.osm"],
    "cache_is_dir": ["--online", "nominatim", "--cache", "{W}"],
    "blocks_garbage": ["--blocks", "{W}/g.osm"],
    "blocks_missing": ["--blocks", "{W}/none.csv"],
}.items():

    def _gcfn(w: Work, args: list[str] = _args) -> None:
        w.write("g.osm", "<osm><node id='1' lat='x'/></osm>")
        w.run(
            "geocode", w.cards(), "--out", w.root / "geo.csv", *[a.replace("{W}", str(w.root)) for a in args]
        )
        w.scan.append(w.root / "geo.csv")

    CASES.append(Case(f"geocode_{_nm}", "geocode", _gcfn, "error"))


@case("blocks", "ok")
def blocks_roundtrip_with_bad_pins(w: Work) -> None:
    rows = w.rows(30)
    cards = w.cards(rows=rows)
    w.ok("blocks", cards, "--out", w.root / "b.csv")
    w.scan.append(w.root / "b.csv")
    text = (w.root / "b.csv").read_text(encoding="utf-8-sig").splitlines()
    head = text[0].split(",")
    if "lon" in head:
        i, j = head.index("lon"), head.index("lat")
        out = [text[0]]
        for k, line in enumerate(text[1:]):
            cells = next(csv.reader([line]))
            if k % 3 == 0:
                cells[i], cells[j] = "106.8272", "-6.1754"  # Jakarta: outside the desa
            elif k % 3 == 1:
                cells[i], cells[j] = "nan", "abc"
            b = io.StringIO()
            csv.writer(b).writerow(cells)
            out.append(b.getvalue().strip())
        w.write("b.csv", "\n".join(out) + "\n")
    plan_ok(w, cards, w.root / "out", rows, "--blocks", w.root / "b.csv")
    w.ok("geocode", cards, "--out", w.root / "geo.csv", "--blocks", w.root / "b.csv")
    w.scan.append(w.root / "geo.csv")


@case("blocks", "ok")
def blocks_gpkg(w: Work) -> None:
    rows = w.rows(20)
    cards = w.cards(rows=rows)
    w.ok("blocks", cards, "--out", w.root / "b.gpkg")
    w.scan.append(w.root / "b.gpkg")
    plan_ok(w, cards, w.root / "out", rows, "--blocks", w.root / "b.gpkg")


@case("plan", "ok")
def plain_plan_en(w: Work) -> None:
    rows = w.rows(30)
    cards = w.cards(rows=rows)
    before = snapshot(w)
    t0 = time.time()
    w.ok("--lang", "en", "plan", cards, "--out", w.root / "out", *FAST, "--start-date", "2026-12-01")
    check_plan(w, w.root / "out", rows, t0)
    check_no_escape(w, before, [w.root / "out"])


@case("plan", "ok")
def plan_all_consolidations(w: Work) -> None:
    rows = w.rows(25)
    cards = w.cards(rows=rows)
    for c in ("household", "rt", "rw", "desa"):
        plan_ok(w, cards, w.root / f"out_{c}", rows, "--consolidation", c)


@case("plan", "ok")
def plan_with_truth_columns(w: Work) -> None:
    w.ok(
        "demo-cards",
        "--n",
        "3000",
        "--kecamatan",
        R,
        "--with-truth",
        "--seed",
        "7",
        "--out",
        w.root / "t.csv",
    )
    with open(w.root / "t.csv", newline="", encoding="utf-8-sig") as fh:
        table = list(csv.reader(fh))
    head, body = table[0], table[1:]
    for r in body:
        w.pii.update(x for x in (r[0], r[1] if " " in r[1] else "", r[2] if len(r[2]) >= 14 else "") if x)
    head = [{"true_lon": "lon", "true_lat": "lat"}.get(h, h) for h in head]
    b = io.StringIO()
    csv.writer(b).writerows([head, *body])
    w.write("t.csv", b.getvalue())
    plan_ok(w, w.root / "t.csv", w.root / "out", [r[:8] for r in body])


# ==== runner =====================================================================================
def make_base(tmp: Path) -> list[list[str]]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    path = tmp / "base.csv"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "ektp_routes.cli",
            "demo-cards",
            "--n",
            "12000",
            "--kecamatan",
            R,
            "--seed",
            "11",
            "--out",
            str(path),
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))[1:]
    for r in rows:  # distinctive full names so a leak is never a coincidence
        if " " not in r[1]:
            r[1] = r[1] + " Sintetika"
    return rows


def run_case(c: Case, tmp: Path, base: list[list[str]], keep: bool) -> tuple[Case, str, str, float]:
    root = Path(tempfile.mkdtemp(prefix=c.name[:30].replace("/", "_") + "-", dir=tmp))
    w = Work(root, base)
    t0 = time.monotonic()
    cls, detail = classify(c, w)
    if not keep:
        shutil.rmtree(root, ignore_errors=True)
    return c, cls, detail, time.monotonic() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("-k", dest="filter", default="", help="only cases whose name contains this")
    ap.add_argument("--keep", action="store_true", help="keep the case directories")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--root", type=Path, default=None, help="source tree to attack (default: this one)")
    args = ap.parse_args(argv)
    if args.root is not None:
        globals()["ROOT"] = args.root.resolve()
    cases = [c for c in CASES if args.filter in c.name]
    if args.list:
        for c in cases:
            print(c.group, c.name, c.expect)
        print(f"{len(cases)} cases")
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="ektp-attack-"))
    t0 = time.monotonic()
    base = make_base(tmp)
    tally: Counter[str] = Counter()
    with cf.ThreadPoolExecutor(args.jobs) as pool:
        futs = [pool.submit(run_case, c, tmp, base, args.keep) for c in cases]
        for fut in cf.as_completed(futs):
            c, cls, detail, secs = fut.result()
            tally[cls] += 1
            print(f"{cls:<12} {c.group:<8} {c.name:<40} {secs:5.1f}s  {detail}", flush=True)
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    counts = " ".join(f"{k.lower().replace(' ', '_')}={tally.get(k, 0)}" for k in CLASSES)
    print(f"TALLY cases={len(cases)} {counts} wall_s={time.monotonic() - t0:.0f}")
    return 1 if any(tally.get(k) for k in BAD) else 0


if __name__ == "__main__":
    sys.exit(main())
