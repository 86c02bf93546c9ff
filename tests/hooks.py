"""Renderers with a fault, for the tests: each runs in a real worker process in place of the procedural
renderer (`ProceduralRenderer.draw`), bound to its arguments with functools.partial so that it pickles.
Each writes `<scene id>.<pid>` into `log` when it starts, so a test sees which worker took which scene."""

from __future__ import annotations

import functools
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scenegen.backends.local.procedural import ProceduralRenderer, draw_scene
from scenegen.engine.pool import warm_up
from scenegen.models import RenderedImage, SceneSpec

Draw = Callable[..., RenderedImage]


def _started(log: Path, spec: SceneSpec) -> None:
    log.mkdir(parents=True, exist_ok=True)
    (log / f"{spec.scene_id}.{os.getpid()}").touch()


def never_returns(
    archetypes: frozenset[str],
    log: Path,
    spec: SceneSpec,
    destination: Path,
    size: tuple[int, int],
    *view: Any,
) -> RenderedImage:
    """A render of one of `archetypes` never ends (as one stuck inside a C extension); others are real."""
    _started(log, spec)
    if spec.archetype in archetypes:
        while True:
            time.sleep(1)
    return draw_scene(spec, destination, size, *view)


def killed_once(
    log: Path, spec: SceneSpec, destination: Path, size: tuple[int, int], *view: Any
) -> RenderedImage:
    """The first render of each scene leaves half-written files where its image and ground truth go, and its
    worker is killed with SIGKILL; a scene's next render is real."""
    first = not any(log.glob(f"{spec.scene_id}.*"))
    _started(log, spec)
    if first:
        destination.parent.mkdir(parents=True, exist_ok=True)
        for name in (destination.name, destination.name + ".part", f"{destination.stem}.depth.png.part"):
            (destination.parent / name).write_bytes(b"\x89PNG\r\n\x1a\n half a picture")
        os.kill(os.getpid(), signal.SIGKILL)
    return draw_scene(spec, destination, size, *view)


def slow(
    seconds: float, log: Path, spec: SceneSpec, destination: Path, size: tuple[int, int], *view: Any
) -> RenderedImage:
    """A real render that first waits `seconds`."""
    _started(log, spec)
    time.sleep(seconds)
    return draw_scene(spec, destination, size, *view)


def counting_decodes(log: Path) -> None:
    """A worker's warm-up that also leaves a file in `log` for each image it decodes (a check's decode of a
    staged image, or the conversion of an answer that is not a PNG)."""
    from scenegen.backends.google import gemini_image
    from scenegen.quality import checks as image_checks

    warm_up()
    log.mkdir(parents=True, exist_ok=True)
    for module, name in ((image_checks, "decode"), (gemini_image, "_decode")):
        real = getattr(module, name)

        def counting(*args: object, _real: Callable = real, _name: str = name) -> object:
            (log / f"{_name}.{os.getpid()}.{time.monotonic_ns()}").touch()
            return _real(*args)

        setattr(module, name, counting)


def decodes(log: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for entry in log.glob("*.*.*") if log.is_dir() else []:
        name = entry.name.split(".")[0]
        counts[name] = counts.get(name, 0) + 1
    return counts


def install(draw: Callable[..., RenderedImage], *arguments: object) -> None:
    """Every procedural render of this process's runs goes through `draw(*arguments, spec, destination,
    size)` (for a run in a process of its own, where pytest's monkeypatch cannot reach)."""
    ProceduralRenderer.draw = staticmethod(functools.partial(draw, *arguments))  # type: ignore[assignment]


def started(log: Path) -> dict[str, list[int]]:
    """Scene id -> the pids of the workers that started rendering it, from the hooks' log."""
    seen: dict[str, list[int]] = {}
    for entry in sorted(log.glob("*.*")) if log.is_dir() else []:
        scene, pid = entry.name.rsplit(".", 1)
        seen.setdefault(scene, []).append(int(pid))
    return seen
