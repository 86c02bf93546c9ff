"""A run's lease on its planned scenes: written with them, renewed in a thread of its own while the run lives,
ended with the run. A run that dies without ending it (SIGKILL, a lost machine) stops renewing it, and
rerun-failed takes its scenes once the lease lapses, or at once from the same machine, where it can see that
the run's process is gone (scenegen.planning.reruns)."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from scenegen.engine.process import this_process
from scenegen.errors import describe
from scenegen.models import utcnow
from scenegen.planning.history import HistoryStore
from scenegen.records import RunLease, RunState
from scenegen.settings import Settings

log = logging.getLogger(__name__)
STOP_SECONDS = 10.0  # how long the end of a run waits for a renewal under way


def new_lease(run_id: str, settings: Settings, now: datetime | None = None) -> RunLease:
    """The lease a run starts with, held by this process for RUN_LEASE_SECONDS."""
    now = now or utcnow()
    me = this_process()
    return RunLease(
        run_id=run_id,
        started_at=now,
        lease_until=now + timedelta(seconds=settings.run_lease_seconds),
        host=me.host,
        machine=me.machine,
        pid=me.pid,
        process_started=me.started,
    )


class LeaseKeeper:
    """Renews a run's lease every RUN_LEASE_RENEW_SECONDS until the run ends it. When a renewal finds the
    lease taken (rerun-failed judged the run over), or the store cannot be reached until the lease has
    lapsed, `lost` says why: the run starts no new scene after that, since another may be making them."""

    def __init__(self, history: HistoryStore, lease: RunLease, settings: Settings) -> None:
        self.history = history
        self.run_id = lease.run_id
        self.lease_until = lease.lease_until
        self.lease_seconds = settings.run_lease_seconds
        self.renew_seconds = settings.run_lease_renew_seconds
        self.lost: str | None = None
        self._ended = threading.Event()
        self._thread = threading.Thread(target=self._keep, name=f"scenegen-lease-{self.run_id}", daemon=True)

    def start(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def _keep(self) -> None:
        while not self._ended.wait(self.renew_seconds) and self.lost is None:
            self.renew()

    def renew(self) -> None:
        until = utcnow() + timedelta(seconds=self.lease_seconds)
        try:
            held = self.history.renew_run(self.run_id, until)
        except Exception as exc:
            log.warning("run %s: its lease could not be renewed: %s", self.run_id, describe(exc))
            if utcnow() >= self.lease_until:
                self.lost = f"its lease lapsed at {self.lease_until:%H:%M:%S} UTC ({describe(exc)})"
            return
        if held:
            self.lease_until = until
        elif not self._ended.is_set():
            self.lost = "its lease was ended by another process, which took its planned scenes"

    def end(self, state: RunState) -> None:
        """The run's end: no more renewals, and its lease ended in `state` (unless already ended)."""
        self._ended.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(STOP_SECONDS)
        self.history.end_run(self.run_id, state)
