"""The embedded image backend: the procedural renderer, free, offline and deterministic, with ground truth.
Each image is drawn in a worker process (scenegen.workers): the renderer is Python and numpy that hold the
interpreter lock, and its USD writer is a C extension best kept apart from the run's threads."""

from __future__ import annotations

import os
import time
from pathlib import Path

from scenegen.image_checks import measure
from scenegen.images import sha256_file
from scenegen.models import IMAGE_HEIGHT, IMAGE_WIDTH, RenderedImage, SceneSpec, StagedFile
from scenegen.render import render_scene
from scenegen.render.ground_truth import write_ground_truth
from scenegen.workers import WorkerPool

MODEL = "procedural-v2"


def draw_scene(
    spec: SceneSpec, destination: Path, size: tuple[int, int] = (IMAGE_WIDTH, IMAGE_HEIGHT)
) -> RenderedImage:
    """Render `spec`, stage its PNG at `destination` and its ground truth beside it, each whole or not at
    all, and measure the pixels for the checks while they are here. In-process; the backend runs it in a
    worker."""
    started = time.perf_counter()
    rendering = render_scene(spec.archetype, spec.variation_tags, spec.seed, size)
    destination.parent.mkdir(parents=True, exist_ok=True)
    ground_truth = write_ground_truth(rendering, destination.parent, destination.stem)
    partial = destination.with_name(destination.name + ".part")
    rendering.image.save(partial, format="PNG", compress_level=1)  # fast; the pixels, not zlib, matter
    os.replace(partial, destination)
    return RenderedImage(
        path=str(destination),
        sha256=sha256_file(destination),
        width=rendering.image.width,
        height=rendering.image.height,
        backend=ProceduralRenderer.name,
        model=MODEL,
        seconds=round(time.perf_counter() - started, 3),
        camera=rendering.camera,
        ground_truth=[
            StagedFile(name=name, path=str(path), sha256=sha256_file(path))
            for name, path in ground_truth.items()
        ],
        measures=measure(rendering.image),
    )


class ProceduralRenderer:
    """The embedded `ImageGenerator`: beside each image it stages depth, instances, layout and a USD stage."""

    name = "procedural"
    model = MODEL
    expected_cost_usd = 0.0
    replacements = 3  # a fresh spec costs nothing: try until one passes, a few times
    # One scene's PNG and ground truth on disk: 1.4-3.9 MB over 24 renders of every archetype
    # (bench/scaling.py prints the figure for its runs); with a margin, what the disk check counts.
    scene_bytes = 6_000_000
    draw = staticmethod(draw_scene)  # what a worker runs; tests put a hook of theirs here

    def __init__(
        self,
        workers: WorkerPool,
        timeout_seconds: float,
        size: tuple[int, int] = (IMAGE_WIDTH, IMAGE_HEIGHT),
    ) -> None:
        self.workers = workers
        self.timeout_seconds = timeout_seconds
        self.size = size

    def generate(self, spec: SceneSpec, destination: Path) -> RenderedImage:
        return self.workers.call(
            "render", self.draw, spec, destination, self.size, timeout=self.timeout_seconds
        )
