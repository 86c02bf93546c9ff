"""The embedded image backend: the procedural renderer, free, offline and deterministic, with ground truth.
Each image is drawn in a worker process (scenegen.engine.pool): the renderer is Python and numpy that hold the
interpreter lock, and its USD writer is a C extension best kept apart from the run's threads."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from scenegen.catalogue import AgreementConfig
from scenegen.engine.pool import WorkerPool
from scenegen.images import preview_bytes, preview_path, sha256_file, write_atomically
from scenegen.models import IMAGE_HEIGHT, IMAGE_WIDTH, RenderedImage, SceneSpec, StagedFile
from scenegen.quality.checks import measure
from scenegen.render import render_scene
from scenegen.render.ground_truth import write_ground_truth
from scenegen.render.png import write_png
from scenegen.render.procedural import Rendering
from scenegen.twins.agreement import save_reference_edges

MODEL = "procedural-v2"


def draw_scene(
    spec: SceneSpec, destination: Path, size: tuple[int, int] = (IMAGE_WIDTH, IMAGE_HEIGHT)
) -> RenderedImage:
    """Render `spec`, stage its PNG at `destination` and its ground truth beside it, each whole or not at
    all, and measure the pixels for the checks while they are here. In-process; the backend runs it in a
    worker."""
    return _drawn(spec, destination, size)[0]


def draw_reference(
    spec: SceneSpec, destination: Path, size: tuple[int, int], agreement: AgreementConfig
) -> RenderedImage:
    """A twin's reference, as `draw_scene` stages it, and, from the same pixels, the copy the image model
    is shown (scenegen.images.preview_path) and the agreement check's grid of its edges."""
    rendered, rendering = _drawn(spec, destination, size)
    write_atomically(preview_path(destination), preview_bytes(rendering.image))
    save_reference_edges(destination, rendering.depth_mm, rendering.instances, agreement)
    return rendered


def _drawn(spec: SceneSpec, destination: Path, size: tuple[int, int]) -> tuple[RenderedImage, Rendering]:
    started = time.perf_counter()
    rendering = render_scene(spec.archetype, spec.variation_tags, spec.seed, size)
    destination.parent.mkdir(parents=True, exist_ok=True)
    ground_truth = write_ground_truth(rendering, destination.parent, destination.stem)
    partial = destination.with_name(destination.name + ".part")
    write_png(np.asarray(rendering.image), partial)
    os.replace(partial, destination)
    rendered = RenderedImage(
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
    return rendered, rendering


class ProceduralRenderer:
    """The embedded `ImageGenerator`: beside each image it stages depth, instances, layout and a USD stage."""

    name = "procedural"
    model = MODEL
    expected_cost_usd = 0.0
    reference_cost_usd = 0.0
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

    def reference(self, spec: SceneSpec, destination: Path, agreement: AgreementConfig) -> RenderedImage:
        """A twin's reference render (draw_reference), in a worker."""
        return self.workers.call(
            "reference render",
            draw_reference,
            spec,
            destination,
            self.size,
            agreement,
            timeout=self.timeout_seconds,
        )
