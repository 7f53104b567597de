"""The cyclic garbage collector, paused while a large pack is read or written.

A 20,000-character pack becomes about a million small objects, none of them garbage; CPython's
collector, woken every 700 allocations, scans them again and again (it took two thirds of a check).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection inside the block (process-wide: a few seconds at most, at start-up or in the CLI)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
