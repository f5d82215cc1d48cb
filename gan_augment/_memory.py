"""The machine's memory, to refuse before it starts work whose arrays alone could not fit."""

from __future__ import annotations

import os


def physical_memory() -> int | None:
    """This machine's memory in bytes, None where the platform does not say. A container's own
    limit (cgroup) can be lower: there the kernel, not this check, stops a process that exceeds it."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def gib(n_bytes: float) -> str:
    """``n_bytes`` in GiB for a message: ``"6.0 GiB"``."""
    return f"{n_bytes / 2 ** 30:,.1f} GiB"
