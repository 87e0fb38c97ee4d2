"""Writing outputs safely: atomic files, spreadsheet-injection escaping, clear errors.

Every file is written to a temporary name in the same directory and renamed into place, so a reader
never sees a half-written file and a killed run leaves no truncated output behind.
"""

from __future__ import annotations

import errno
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from ektp_routes._errors import OutputError

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def escape_spreadsheet(value: object) -> object:
    """Prefix text a spreadsheet would run as a formula (=, +, -, @ ...) with an apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def escape_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every text cell passed through :func:`escape_spreadsheet`."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(escape_spreadsheet)
    return out


def safe_filename(name: str, *, max_len: int = 80) -> str:
    """A file name made only of letters, digits, '.', '_' and '-' that cannot leave its directory."""
    s = _SAFE_NAME.sub("_", name).strip("._") or "unnamed"
    return s[:max_len]


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it replaces ``path`` atomically."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        os.close(fd)
    except OSError as exc:
        raise _output_error(path, exc) from exc
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    except OSError as exc:
        raise _output_error(path, exc) from exc
    finally:
        if tmp_path.exists():
            tmp_path.unlink(missing_ok=True)


def _output_error(path: Path, exc: OSError) -> OutputError:
    if exc.errno == errno.ENOSPC:
        return OutputError(
            f"disk full while writing {path}; free some space and run again (finished areas are kept)"
        )
    if exc.errno in (errno.EACCES, errno.EROFS, errno.EPERM):
        return OutputError(
            f"cannot write {path}: the directory is read-only or not yours; choose another --out"
        )
    return OutputError(f"cannot write {path}: {exc.strerror or exc}")


def write_atomic(path: Path, writer: Callable[[Path], object]) -> Path:
    """Run ``writer(tmp_path)`` and move the result to ``path`` atomically."""
    with atomic_path(path) as tmp:
        writer(tmp)
    return Path(path)


def write_csv(df: pd.DataFrame, path: Path, *, escape: bool = True) -> Path:
    """CSV in UTF-8 with BOM (so Excel shows Indonesian text right), formulas escaped."""
    frame = escape_frame(df) if escape else df
    return write_atomic(path, lambda tmp: frame.to_csv(tmp, index=False, encoding="utf-8-sig"))


def write_xlsx(df: pd.DataFrame, path: Path, *, sheet: str = "Sheet1") -> Path:
    frame = escape_frame(df)
    return write_atomic(
        path, lambda tmp: frame.to_excel(tmp, index=False, sheet_name=sheet[:31], engine="openpyxl")
    )
