"""Writing files safely: atomic replacement, safe file names, one clear error for OS failures.

Every file the library writes goes through :func:`atomic_path`: it is written to a hidden temporary
name in the same directory and renamed into place, so a reader never sees a half-written file and a
killed run leaves no truncated output behind.
"""

from __future__ import annotations

import errno
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from ektp_routes._errors import OutputError
from ektp_routes.i18n import error

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
PART_SUFFIX = ".part"


def safe_filename(name: str, *, max_len: int = 80) -> str:
    """A file name made only of letters, digits, '.', '_' and '-' that cannot leave its directory."""
    s = re.sub(r"\.{2,}", "_", _SAFE_NAME.sub("_", name)).strip("._") or "unnamed"
    return s[:max_len]


#: What a spreadsheet (Excel, LibreOffice) runs as a formula or DDE command when a cell starts with it.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def escape_spreadsheet(value: object) -> object:
    """Prefix text a spreadsheet would run as a formula (=, +, -, @ ...) with an apostrophe.

    >>> escape_spreadsheet("=HYPERLINK(1)"), escape_spreadsheet("Kp. Pulo"), escape_spreadsheet(-6.2)
    ("'=HYPERLINK(1)", 'Kp. Pulo', -6.2)
    """
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


#: Files an operating system puts in a folder by itself (Finder's .DS_Store and ._ forks, Windows'
#: thumbnail cache and folder settings): no one's data, so never a reason to refuse a folder.
_SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini"})


def is_system_file(name: str) -> bool:
    """True for a hidden file or a file the operating system writes into folders by itself."""
    return name.startswith(".") or name.lower() in _SYSTEM_FILES


def output_error(path: Path, exc: OSError) -> OutputError:
    """The one-line error for an OS failure while writing ``path``, saying what to do (worded by the
    message catalogue: English, and the user's language on the command line)."""
    if exc.errno == errno.ENOSPC:
        return error(OutputError, "error.disk_full", path=path)
    if exc.errno in (errno.EACCES, errno.EROFS, errno.EPERM):
        return error(OutputError, "error.read_only", path=path)
    return error(OutputError, "error.cannot_write", path=path, reason=exc.strerror or exc)


def require_parent(path: str | Path, option: str, *, inputs: Sequence[str | Path | None] = ()) -> Path:
    """``path`` if the directory it goes in exists and it is none of the command's ``inputs``;
    otherwise one line naming the missing directory or the input it would overwrite (worded by the
    message catalogue: English, and the user's language on the command line).

    Outputs never create missing parent folders: a typo in a path must not scatter files. An output
    written over an input (``validate kartu.csv --rejects kartu.csv``) would destroy the card list.
    """
    p = Path(path)
    parent = p.absolute().parent
    if not parent.is_dir():
        raise error(OutputError, "error.no_parent", option=option, path=p, parent=parent)
    for f in inputs:
        if f and p.exists() and Path(f).exists() and os.path.samefile(p, f):
            raise error(OutputError, "error.output_is_input", option=option, path=p, name=Path(f).name)
    return p


def require_folder(path: str | Path, option: str) -> Path:
    """An output folder: its parent exists (see :func:`require_parent`) and it is not a file."""
    p = require_parent(path, option)
    if p.exists() and not p.is_dir():
        raise error(OutputError, "error.folder_is_file", option=option, path=p)
    return p


@contextmanager
def atomic_path(path: Path, *, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it replaces ``path`` atomically.

    ``suffix`` ends the temporary name after ``.part`` (``".gpkg"`` for a writer such as GDAL's that
    wants the file name to say the format)."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=PART_SUFFIX + suffix, dir=path.parent)
        os.close(fd)
    except OSError as exc:
        raise output_error(path, exc) from exc
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    except OSError as exc:
        raise output_error(path, exc) from exc
    finally:
        if tmp_path.exists():
            tmp_path.unlink(missing_ok=True)


def write_atomic(path: Path, writer: Callable[[Path], object], *, suffix: str = "") -> Path:
    """Run ``writer(tmp_path)`` and move the result to ``path`` atomically (``suffix``: see
    :func:`atomic_path`)."""
    with atomic_path(path, suffix=suffix) as tmp:
        writer(tmp)
    return Path(path)


def write_text(path: Path, text: str) -> Path:
    """``text`` as UTF-8 at ``path``, atomically."""
    return write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
