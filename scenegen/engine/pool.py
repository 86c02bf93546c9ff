"""Worker processes for the CPU-heavy stages (procedural renders, image measures, ground-truth reviews).

Why processes: the renderer's Python holds the interpreter lock, so threads draw one image at a time; and a
C extension that hangs inside itself (usd-core's first use from two threads at once did) takes every
thread of its process with it, where a worker can be killed and replaced.

- Workers are forked from multiprocessing's forkserver, a fresh single-threaded process that has imported
  numpy, Pillow and the renderer once (the run's `preload`, scenegen.run.worker_boot); a plain fork of
  this threaded process could inherit a lock some other thread held. Each worker then takes its first use
  of usd-core alone, before it answers that it is ready.
- Each worker has a pipe of its own: a worker that dies takes nothing shared with it. Work goes to an idle
  worker; a call that runs past its timeout has its worker killed and replaced, and is tried once more
  in the new one, as is a call whose worker died under it (the kernel's OOM killer, say).
- Every wait is bounded: for an idle worker, for a new worker to be ready, for an answer.
- Calls hand over paths and small values; pixels stay in the worker.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import queue
import signal
import threading
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any, TypeVar

from scenegen.engine.deadline import RunTimedOut, time_left
from scenegen.errors import SceneFailed, describe

T = TypeVar("T")
START_SECONDS = 120.0  # a new worker imports usd-core and warms it up: seconds, more on a loaded machine
STOP_SECONDS = 5.0


class WorkInterrupted(SceneFailed):
    """The work under way was ended on purpose (the run reached its bound)."""


class WorkTimedOut(SceneFailed):
    """A call ran past its timeout in two workers."""


class _Worker:
    def __init__(self, context: Any, warm_up: Callable[[], None] | None) -> None:
        self.connection, child = context.Pipe()
        # Never written: when this process ends, however it ends, the worker reads its end of file.
        lifeline, self._lifeline = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_serve, args=(child, lifeline, warm_up), daemon=True, name="scenegen-worker"
        )
        self.process.start()
        child.close()
        lifeline.close()
        self.ready = False

    def wait_ready(self) -> None:
        if self.ready:
            return
        if not self.connection.poll(START_SECONDS):
            raise SceneFailed(f"a worker process did not start within {START_SECONDS:.0f} s")
        message = self.connection.recv()  # EOFError: it died while starting
        if message != "ready":
            raise SceneFailed(f"a worker process failed to start: {message}")
        self.ready = True

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(STOP_SECONDS)
        self.connection.close()
        self._lifeline.close()

    def stop(self) -> None:
        """Ask it to finish, then make sure."""
        with contextlib.suppress(OSError):
            self.connection.send(None)
        self.process.join(STOP_SECONDS)
        self.kill()


class WorkerPool:
    """`workers` processes, started at the first call (or `start`), each warmed up by `warm_up`."""

    def __init__(
        self, workers: int, warm_up: Callable[[], None] | None = None, preload: Sequence[str] = ()
    ) -> None:
        """`preload`: the modules the forkserver imports once, so that every worker starts with them."""
        if workers < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.size = workers
        self.warm_up = warm_up
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(list(preload))
        # the worker used last is used next: a run of fewer scenes than workers starts no more than it uses
        self._idle: queue.LifoQueue[int] = queue.LifoQueue()
        self._workers: list[_Worker | None] = [None] * workers
        self._busy: dict[int, _Worker] = {}
        self._lock = threading.Lock()
        self._interrupted: str | None = None
        for slot in reversed(range(workers)):
            self._idle.put(slot)

    def start(self, needed: int | None = None) -> None:
        """Start the workers now, or the first `needed` of them (they warm up while the caller goes on); the
        others start if a call needs them."""
        with self._lock:
            for slot, worker in enumerate(self._workers[:needed]):
                if worker is None or not worker.process.is_alive():
                    self._workers[slot] = _Worker(self._context, self.warm_up)

    def call(self, what: str, function: Callable[..., T], *args: Any, timeout: float) -> T:
        """`function(*args)` in a worker (both picklable: a module-level function and plain values), within
        `timeout` seconds and the run's time left; tried once more in a fresh worker after a timeout or a
        worker's death. `what` names the work in errors ("render timed out after 120 s")."""
        slot = self._take_idle(what)
        try:
            for attempt in (1, 2):
                self._check_interrupted()
                bound = time_left(timeout)
                if bound <= 0:
                    raise RunTimedOut(f"the run reached its bound before the {what} could start")
                worker = self._ready_worker(slot)
                with self._lock:
                    self._busy[slot] = worker
                try:
                    worker.connection.send((function, args))
                    if worker.connection.poll(bound):
                        ok, value = worker.connection.recv()
                        if ok:
                            return value
                        raise value
                    failure: SceneFailed = WorkTimedOut(f"{what} timed out after {bound:.0f} s")
                except (EOFError, OSError) as exc:
                    worker.process.join(STOP_SECONDS)
                    code = worker.process.exitcode
                    why = _exit(code) if code is not None else describe(exc)
                    failure = SceneFailed(f"the {what} worker died ({why})")
                finally:
                    with self._lock:
                        self._busy.pop(slot, None)
                self._check_interrupted()  # killed on purpose: no new worker, no second try
                self._retire(slot, worker)
                if attempt == 2 or bound < timeout:  # the run's bound cut it short: no time for a retry
                    raise failure
            raise AssertionError("unreachable")
        finally:
            self._idle.put(slot)

    def interrupt(self, reason: str) -> None:
        """End the work under way and refuse new work with `reason` until `close`."""
        with self._lock:
            self._interrupted = reason
            busy = list(self._busy.values())
        for worker in busy:
            worker.kill()

    def close(self) -> None:
        """Stop every worker; the pool starts them again if it is called after this."""
        with self._lock:
            workers, self._workers = self._workers, [None] * self.size
            self._interrupted = None
        for worker in workers:
            if worker is not None:
                worker.stop()

    def _take_idle(self, what: str) -> int:
        bound = time_left(24 * 3600.0)
        try:
            return self._idle.get(timeout=bound)
        except queue.Empty:
            raise WorkInterrupted(f"{what}: no worker came free before the run's bound") from None

    def _ready_worker(self, slot: int) -> _Worker:
        with self._lock:
            worker = self._workers[slot]
            if worker is None or not worker.process.is_alive():
                if worker is not None:
                    worker.kill()
                worker = self._workers[slot] = _Worker(self._context, self.warm_up)
        try:
            worker.wait_ready()
        except (EOFError, OSError, SceneFailed) as exc:
            self._retire(slot, worker)
            raise SceneFailed(f"a worker process could not start: {describe(exc)}") from None
        return worker

    def _retire(self, slot: int, worker: _Worker) -> None:
        """Kill a worker that failed; the next call in its slot starts a fresh one."""
        worker.kill()
        with self._lock:
            if self._workers[slot] is worker:
                self._workers[slot] = None

    def _check_interrupted(self) -> None:
        if self._interrupted:
            raise WorkInterrupted(self._interrupted)


def _exit(code: int) -> str:
    if code < 0:
        return f"killed by {signal.Signals(-code).name}"
    return f"exit status {code}"


def _serve(connection: Connection, lifeline: Connection, warm_up: Callable[[], None] | None) -> None:
    """A worker: warm up, say so, then answer calls until told to stop or the parent goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        if warm_up is not None:
            warm_up()
    except BaseException as exc:
        connection.send(describe(exc))
        return
    threading.Thread(target=_end_with_parent, args=(lifeline,), daemon=True).start()
    connection.send("ready")
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        function, args = message
        try:
            answer: tuple[bool, Any] = (True, function(*args))
        except BaseException as exc:
            answer = (False, _picklable(exc))
        try:
            connection.send(answer)
        except (OSError, pickle.PicklingError) as exc:
            try:
                connection.send((False, SceneFailed(f"the answer could not be sent back: {describe(exc)}")))
            except OSError:
                return


def _end_with_parent(lifeline: Connection) -> None:
    """End this worker the moment the run's process ends, even mid-render: a worker stuck in a render must
    not outlive its run. (The forkserver's own liveness pipe cannot tell: every worker holds it open.)"""
    wait([lifeline])
    os._exit(1)


def _picklable(exc: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return SceneFailed(describe(exc))
    return exc


def warm_up() -> None:
    """A worker, before it takes work: its heap set to keep a render's large arrays, and usd-core's first
    use (scenegen.engine.usd), alone."""
    from scenegen.engine.memory import keep_large_buffers
    from scenegen.engine.usd import first_use

    keep_large_buffers()
    first_use()
