"""CPU seconds of several ways of doing one thing, measured in turns in one process.

Round by round each task runs once, so that a busy machine slows all of them alike; CPU time
(``time.process_time``), not wall time, is what compares on shared cores.
"""

from __future__ import annotations

import time
from typing import Callable


def cpu_seconds_taking_turns(tasks: dict[str, Callable[[], object]], rounds: int) -> dict[str, list[float]]:
    """``{name: [CPU seconds of each round]}`` of ``tasks``, run in turns ``rounds`` times."""
    times: dict[str, list[float]] = {name: [] for name in tasks}
    for _ in range(rounds):
        for name, task in tasks.items():
            started = time.process_time()
            task()
            times[name].append(time.process_time() - started)
    return times
