"""A process and its descendants, read from /proc: their CPU seconds and their memory."""

from __future__ import annotations

import os
from pathlib import Path


def parents() -> dict[int, int]:
    """Every living process's parent."""
    found: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                found[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
    return found


def family(root: int) -> set[int]:
    """`root` and every process below it."""
    parents_of = parents()
    members, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents_of.items() if parent in members} - members
        members |= more
        grew = bool(more)
    return members


def cpu_seconds(root: int, exclude: tuple[int, ...] = ()) -> float:
    """User plus system CPU seconds of the family of `root`: its living members, and the children they
    have reaped (a run's worker processes, once stopped). The families of `exclude` are left out."""
    ticks = os.sysconf("SC_CLK_TCK")
    left_out = set().union(*(family(pid) for pid in exclude)) if exclude else set()
    total = 0.0
    for pid in family(root) - left_out:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(value) for value in fields[11:15]) / ticks  # utime, stime, cutime, cstime
    return total


def own_cpu_seconds(root: int) -> dict[int, float]:
    """User plus system CPU seconds of each living member of the family of `root`, its children's left out:
    read often, the last reading of a process that has ended is what it used."""
    ticks = os.sysconf("SC_CLK_TCK")
    seconds = {}
    for pid in family(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seconds[pid] = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return seconds


def memory_mib(root: int) -> float:
    """Proportional set size of the family of `root`: each page shared between forks counted once."""
    total = 0
    for pid in family(root):
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024
