"""A process and its descendants, read from /proc: their CPU seconds and their memory."""

from __future__ import annotations

import os
from pathlib import Path


def family(root: int) -> set[int]:
    """`root` and every process below it."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
    members, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in members} - members
        members |= more
        grew = bool(more)
    return members


def cpu_seconds(root: int) -> float:
    """User plus system CPU seconds of the living family of `root`."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in family(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


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
