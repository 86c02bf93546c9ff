"""Which process this is, told well enough that another process can later ask whether it is still running.

A process id alone says little: ids are reused, and on another machine, or in another container of the same
machine, the same id is another process. So a process is named by its machine (the kernel's boot and the
process-id namespace it lives in, where /proc says; else the host and its boot time), its id and the moment
it started. Only a process of the same machine can be looked up; of any other, nothing can be said here.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path

import psutil

# A process's start time read twice can differ in its last digits (it is derived from clock ticks).
STARTED_TOLERANCE_SECONDS = 0.05


@dataclass(frozen=True)
class ProcessIdentity:
    host: str
    machine: str
    pid: int
    started: float  # seconds since the epoch


def machine_id() -> str:
    """The kernel boot and process-id namespace this process lives in: the same for every process whose
    ids mean the same thing as ours."""
    boot = Path("/proc/sys/kernel/random/boot_id")
    try:
        namespace = os.readlink("/proc/self/ns/pid")
        return f"{boot.read_text().strip()}/{namespace}"
    except OSError:  # no /proc: the host, and when it started
        return f"{socket.gethostname()}/{psutil.boot_time():.0f}"


def this_process() -> ProcessIdentity:
    pid = os.getpid()
    return ProcessIdentity(socket.gethostname(), machine_id(), pid, psutil.Process(pid).create_time())


def is_gone(machine: str, pid: int, started: float) -> bool | None:
    """True when the process is of this machine and no longer runs (its id is free, a zombie's, or another
    process's now); False when it runs; None when it is of another machine, where nothing can be told."""
    if machine != machine_id():
        return None
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return True
        return abs(process.create_time() - started) > STARTED_TOLERANCE_SECONDS
    except psutil.NoSuchProcess:
        return True
    except psutil.AccessDenied:  # it exists, and is not ours to look at
        return False
