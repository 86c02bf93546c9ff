"""Whether a run may start another render: not after a fatal error, and not past its MAX_COST_USD budget."""

from __future__ import annotations

import threading


class RunGate:
    """Shared by the scenes of one run, which start from several threads.

    A render holds its expected price while it runs, so that scenes started side by side cannot together
    overshoot the budget by more than one render; once it ends, what it really cost is charged instead.
    """

    def __init__(self, max_cost_usd: float | None, spent_usd: float = 0.0) -> None:
        self.max_cost_usd = max_cost_usd
        self.spent_usd = spent_usd
        self._held_usd = 0.0
        self._stop_reason: str | None = None
        self._lock = threading.Lock()

    def admit(self, expected_usd: float) -> str | None:
        """Hold `expected_usd` and return None if the render may start; otherwise say why it may not."""
        with self._lock:
            if self._stop_reason:
                return self._stop_reason
            committed = self.spent_usd + self._held_usd
            if self.max_cost_usd is not None and expected_usd > 0 and committed >= self.max_cost_usd:
                return (
                    f"not started: the run's estimated spend (${committed:.2f}) reached "
                    f"MAX_COST_USD (${self.max_cost_usd:.2f})"
                )
            self._held_usd += expected_usd
            return None

    def settle(self, expected_usd: float, cost_usd: float) -> None:
        """A render admitted with `expected_usd` has ended, having cost `cost_usd`."""
        with self._lock:
            self._held_usd -= expected_usd
            self.spent_usd += cost_usd

    def stop(self, reason: str) -> None:
        """No render starts after this; the first reason given is the one reported."""
        with self._lock:
            self._stop_reason = self._stop_reason or f"not started: the run stopped after {reason}"
