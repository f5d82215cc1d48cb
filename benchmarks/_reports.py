"""What the benchmark scripts' reports share: a reading added by hand below the tables is kept
when a script writes the report again (a run, ``--report-only``, ``--merge``)."""

from __future__ import annotations

import re
from pathlib import Path

#: The heading of a section added by hand: "## Reading (added by hand ...", "### Notes (added by hand ...".
HAND_WRITTEN = re.compile(r"^#{2,3} [^\n]*\(added by hand", re.MULTILINE)


def write_keeping_reading(path: Path, text: str) -> None:
    """Write the report ``text`` to ``path``, keeping what was added there by hand, from the first
    heading that says so to the end."""
    old = path.read_text() if path.exists() else ""
    found = HAND_WRITTEN.search(old)
    reading = old[found.start():] if found else ""
    path.write_text(text.rstrip("\n") + "\n\n" + reading if reading else text)
