"""Give the C heap's freed memory back to the operating system.

glibc serves arrays of a few MB from its heap once larger ones have been freed (its mmap threshold
grows), and keeps that heap when they are freed in turn: building a kabupaten road network leaves
~60 MB of freed temporaries resident for the rest of the process's life. ``malloc_trim`` hands them
back; elsewhere (macOS, Windows, musl) there is nothing to do.
"""

from __future__ import annotations

import contextlib
import ctypes
import sys


def release_free_memory() -> None:
    """Return the C heap's free pages to the operating system (glibc only; otherwise a no-op)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL("libc.so.6").malloc_trim(0)
