"""Room on the local disk for a run's scenes, checked before any starts: a disk that fills mid-run fails
scenes by the handful, and the history beside them with them."""

from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path

MB = 1_000_000


def existing_ancestor(path: Path) -> Path:
    """`path`, or the nearest folder above it that exists (a run creates its folders as it goes)."""
    path = path.resolve()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def room_problem(
    scenes: int, scene_bytes: int, in_flight: int, staging: Path, local_storage: Path | None
) -> str | None:
    """None when the disks hold what the run will write; else one line saying what is short.

    Staged files live from a render until the scene is stored, so staging needs room for the scenes under
    way (`in_flight`); a local storage folder keeps every scene. Each counts `scene_bytes` per scene, the
    image backend's measured size with a margin.
    """
    wanted: dict[int, int] = defaultdict(int)  # bytes per device
    where: dict[int, Path] = {}
    for folder, count in ((staging, min(scenes, in_flight)), (local_storage, scenes)):
        if folder is not None:
            found = existing_ancestor(folder)
            device = found.stat().st_dev
            where.setdefault(device, found)
            wanted[device] += count * scene_bytes
    for device, found in where.items():
        free = shutil.disk_usage(found).free
        if free < wanted[device]:
            return (
                f"not enough disk space: {found} has {free / MB:.0f} MB free and {scenes} scenes need about "
                f"{wanted[device] / MB:.0f} MB ({scene_bytes / MB:.0f} MB a scene); free some space or make "
                "fewer scenes. No scene was started."
            )
    return None
