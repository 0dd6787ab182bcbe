"""The run's phase profile: where the wall time went, phase by phase, from the moment the run was
asked for (the command line's start, imports and Prefect's API included) to its summary.

    startup → read_clean → analysis → validation → publish → report   (+ other: the lock, discovery's wiring, logs)

The phases add up to the run's `seconds`; `benchmarks/throughput.py` prints them beside bare spaCy.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

PHASES = ("startup", "read_clean", "analysis", "people", "validation", "publish", "report")


class PhaseClock:
    """Wall time per phase. `requested_at` is the `time.time()` at which the run was asked for
    (the command line passes its own start); without it, start-up counts from now (zero)."""

    def __init__(self, requested_at: float | None = None) -> None:
        now = time.time()
        self.requested_at = now if requested_at is None or requested_at > now else requested_at
        self.seconds = dict.fromkeys(PHASES, 0.0)
        self.seconds["startup"] = now - self.requested_at

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = time.time()
        try:
            yield
        finally:
            self.seconds[name] += time.time() - started

    def total(self) -> float:
        return time.time() - self.requested_at

    def profile(self, total: float) -> dict[str, float]:
        """Seconds per phase, rounded, with `other` the rest of `total`."""
        phases = {name: round(s, 2) for name, s in self.seconds.items()}
        phases["other"] = round(max(0.0, total - sum(self.seconds.values())), 2)
        return phases


def phase_line(phases: dict[str, float]) -> str:
    """`startup 9.1 s · read_clean 3.0 s · ...` for logs and the run's report."""
    return " · ".join(f"{name} {seconds:.1f} s" for name, seconds in phases.items())
