"""Whether a run may start another render: not after a fatal error, and not past its MAX_COST_USD budget."""

from __future__ import annotations

import math
import threading
import time

# A refused key or an unknown model is answered at once, a picture in tens of seconds: once the first paid
# call has gone this long without an error, the others need not wait for its picture.
FIRST_CALL_ALONE_SECONDS = 3.0
CENT_FRACTION = 1e-6  # sums of prices are floats: a budget of exactly three renders admits three, not four


def split_budget(
    max_cost_usd: float | None, spent_usd: float, render_usd: float, shard_sizes: list[int]
) -> list[float | None]:
    """Each shard's share of what is left of a run's budget, in whole renders, first shards first.

    A run alone starts renders while its spend is below the cap, so it makes ceil(left / price) of them;
    the shards together get exactly as many, each at most one per scene, and never spend past their share.
    """
    if max_cost_usd is None or render_usd <= 0:
        return [None] * len(shard_sizes)
    left = max(0.0, max_cost_usd - spent_usd)
    renders = math.ceil(left / render_usd - CENT_FRACTION)
    shares: list[float | None] = []
    for size in shard_sizes:
        mine = min(size, renders)
        renders -= mine
        shares.append(round(mine * render_usd, 6))
    return shares


def scene_hold(
    views: int, twin: bool, image_usd: float, reference_usd: float, review_usd: float
) -> tuple[float, float]:
    """What a scene holds before its first image is made, at typical prices: (images, reviews). An image
    and a review per view; a twin's first request carries its reference, and its further views' requests
    the first photograph too (further_views_usd)."""
    if twin:
        images = image_usd + reference_usd + further_views_usd(views, image_usd, reference_usd)
    else:
        images = views * image_usd
    return images, views * review_usd


def further_views_usd(views: int, image_usd: float, reference_usd: float) -> float:
    """A twin's views after the first: each an image whose request carries its reference and the first
    photograph."""
    return (views - 1) * (image_usd + 2 * reference_usd)


class RunGate:
    """Shared by the scenes of one run, which start from several threads.

    - The first paid render goes alone: until it ends, or has gone FIRST_CALL_ALONE_SECONDS without an
      answer, the others wait, so a refused key or an unknown model costs one call, not MAX_CONCURRENCY.
    - A render holds its expected price while it runs, so that scenes started side by side cannot together
      overshoot the budget by more than one render; once it ends, what it really cost is charged instead.
    """

    def __init__(
        self,
        max_cost_usd: float | None,
        spent_usd: float = 0.0,
        first_call_alone_seconds: float = FIRST_CALL_ALONE_SECONDS,
        share: bool = False,
    ) -> None:
        """`share`: the cap is a shard's share of its run's budget, which a render may not take it past
        (a run's own MAX_COST_USD stops new renders once the spend reaches it)."""
        self.max_cost_usd = max_cost_usd
        self.share = share
        self.spent_usd = spent_usd
        self.first_call_alone_seconds = first_call_alone_seconds
        self._first_paid_started = 0.0
        self._held_usd = 0.0
        self._stop_reason: str | None = None
        self._first_paid = "not started"  # then "under way", then "ended"
        self._changed = threading.Condition()

    def admit(self, expected_usd: float) -> str | None:
        """Hold `expected_usd` and return None if the render may start; otherwise say why it may not."""
        paid = expected_usd > 0
        with self._changed:
            while paid and not self._stop_reason and self._first_paid == "under way":
                alone_for = self._first_paid_started + self.first_call_alone_seconds - time.monotonic()
                if alone_for <= 0:
                    break
                self._changed.wait(alone_for)
            if self._stop_reason:
                return self._stop_reason
            committed = self.spent_usd + self._held_usd
            if self.max_cost_usd is not None and paid:
                if self.share and committed + expected_usd > self.max_cost_usd + CENT_FRACTION:
                    return (
                        f"not started: the shard's share of MAX_COST_USD (${self.max_cost_usd:.2f}) "
                        f"is spent (${committed:.2f})"
                    )
                if not self.share and committed >= self.max_cost_usd - CENT_FRACTION:
                    return (
                        f"not started: the run's estimated spend (${committed:.2f}) reached "
                        f"MAX_COST_USD (${self.max_cost_usd:.2f})"
                    )
            if paid and self._first_paid == "not started":
                self._first_paid = "under way"
                self._first_paid_started = time.monotonic()
            self._held_usd += expected_usd
            return None

    def settle(self, expected_usd: float, cost_usd: float) -> None:
        """A render admitted with `expected_usd` has ended, having cost `cost_usd`."""
        with self._changed:
            self._held_usd -= expected_usd
            self.spent_usd += cost_usd
            if expected_usd > 0:
                self._first_paid = "ended"
            self._changed.notify_all()

    def stop(self, reason: str) -> None:
        """No render starts after this; the first reason given is the one reported."""
        with self._changed:
            self._stop_reason = self._stop_reason or f"not started: the run stopped after {reason}"
            self._changed.notify_all()


class Hold:
    """What one admitted scene holds against its run's budget: the expected price of each of its paid
    calls (its image, its review), each given back with what the call really cost as it ends, and whatever
    is left when the scene ends early."""

    def __init__(self, gate: RunGate, **expected_usd: float) -> None:
        self.gate = gate
        self._held = dict(expected_usd)

    def settle(self, call: str, cost_usd: float) -> None:
        self.gate.settle(self._held.pop(call), cost_usd)

    def release(self) -> None:
        for call in list(self._held):
            self.settle(call, 0.0)
