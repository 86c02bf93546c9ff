"""The embedded image backend: the procedural renderer, free, offline and deterministic, with ground truth.
Each image is drawn in a worker process (scenegen.engine.pool): the renderer is Python and numpy that hold the
interpreter lock, and its USD writer is a C extension best kept apart from the run's threads."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context
from pathlib import Path

import numpy as np

from scenegen.catalogue import AgreementConfig
from scenegen.engine.pool import WorkerPool
from scenegen.images import preview_bytes, preview_path, sha256_file, write_atomically
from scenegen.models import IMAGE_HEIGHT, IMAGE_WIDTH, RenderedImage, RenderedView, SceneSpec, StagedFile
from scenegen.quality.checks import measure
from scenegen.render import render_scene
from scenegen.render.ground_truth import object_pixels, with_views, write_ground_truth
from scenegen.render.png import write_png
from scenegen.render.procedural import DEFAULT_OPTIONS, Rendering, RenderOptions
from scenegen.storage import LAYOUT, staged_view
from scenegen.twins.agreement import save_reference_edges

MODEL = "procedural-v2"


def draw_scene(
    spec: SceneSpec,
    destination: Path,
    size: tuple[int, int] = (IMAGE_WIDTH, IMAGE_HEIGHT),
    options: RenderOptions = DEFAULT_OPTIONS,
    view: int = 0,
) -> RenderedImage:
    """Render view `view` of `spec`, stage its PNG at staged_view(destination, view) and its ground truth
    beside it, each whole or not at all, and measure the pixels for the checks while they are here.
    In-process; the backend runs it in a worker."""
    return _drawn(spec, destination, size, options, view)[0]


def draw_reference(
    spec: SceneSpec,
    destination: Path,
    size: tuple[int, int],
    agreement: AgreementConfig,
    options: RenderOptions = DEFAULT_OPTIONS,
    view: int = 0,
) -> RenderedImage:
    """A twin's reference (one view of it), as `draw_scene` stages it, and, from the same pixels, the copy
    the image model is shown (scenegen.images.preview_path) and the agreement check's grid of its edges."""
    rendered, rendering = _drawn(spec, destination, size, options, view)
    staged = Path(rendered.path)
    write_atomically(preview_path(staged), preview_bytes(rendering.image))
    save_reference_edges(staged, rendering.depth_mm, rendering.instances, agreement)
    return rendered


def seen_pixels(size: tuple[int, int], options: RenderOptions) -> int:
    """The pixels of a frame of `size` that make an object seen in it: the catalogue's count for 2K."""
    share = size[0] * size[1] / (IMAGE_WIDTH * IMAGE_HEIGHT)
    return max(1, round(options.views.min_object_pixels * share))


def _drawn(
    spec: SceneSpec, destination: Path, size: tuple[int, int], options: RenderOptions, view: int
) -> tuple[RenderedImage, Rendering]:
    started = time.perf_counter()
    rendering = render_scene(spec.archetype, spec.variation_tags, spec.seed, size, options, spec.views, view)
    target = staged_view(destination, view)
    target.parent.mkdir(parents=True, exist_ok=True)
    ground_truth = write_ground_truth(rendering, target.parent, target.stem, seen_pixels(size, options))
    partial = target.with_name(target.name + ".part")
    write_png(np.asarray(rendering.image), partial)
    os.replace(partial, target)
    rendered = RenderedImage(
        path=str(target),
        sha256=sha256_file(target),
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
        object_pixels=object_pixels(rendering),
    )
    return rendered, rendering


def as_views(drawn: list[RenderedImage], seen: int) -> RenderedImage:
    """The views of one scene, drawn apart, as one image with its further views; layout.json says the
    views each object is seen in (at least `seen` pixels), restaged so its digest stays true."""
    first = drawn[0]
    layout_file = next(f for f in first.ground_truth if f.name == LAYOUT)
    layout = json.loads(Path(layout_file.path).read_text(encoding="utf-8"))
    shown = [{i for i, n in (view.object_pixels or {}).items() if n >= seen} for view in drawn]
    write_atomically(Path(layout_file.path), json.dumps(with_views(layout, shown), indent=1).encode())
    restaged = layout_file.model_copy(update={"sha256": sha256_file(Path(layout_file.path))})
    views = [
        RenderedView(
            index=index,
            path=view.path,
            sha256=view.sha256,
            camera=view.camera,
            files=view.ground_truth,
            measures=view.measures,
            object_pixels=view.object_pixels or {},
        )
        for index, view in enumerate(drawn[1:], start=1)
    ]
    return first.model_copy(
        update={
            "ground_truth": [restaged if f.name == LAYOUT else f for f in first.ground_truth],
            "views": views,
            "seconds": max(view.seconds for view in drawn),
        }
    )


def each_view(spec: SceneSpec, draw_view: Callable[[int], RenderedImage]) -> list[RenderedImage]:
    """`draw_view(k)` for every view of `spec`, side by side (each in a worker), in order; the first
    failure is raised once all are done."""
    if spec.views == 1:
        return [draw_view(0)]
    with ThreadPoolExecutor(max_workers=spec.views, thread_name_prefix="view") as views:
        # each thread with this one's context: the run's deadline bounds its calls too
        futures = [views.submit(copy_context().run, draw_view, k) for k in range(spec.views)]
    return [future.result() for future in futures]


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
        options: RenderOptions = DEFAULT_OPTIONS,
    ) -> None:
        self.workers = workers
        self.timeout_seconds = timeout_seconds
        self.size = size
        self.options = options

    def generate(self, spec: SceneSpec, destination: Path) -> RenderedImage:
        """The image and its ground truth; with several views, each drawn in a worker, side by side."""
        drawn = each_view(spec, lambda k: self._call("render", self.draw, spec, destination, k))
        return as_views(drawn, seen_pixels(self.size, self.options)) if spec.views > 1 else drawn[0]

    def reference(self, spec: SceneSpec, destination: Path, agreement: AgreementConfig) -> RenderedImage:
        """A twin's reference render (draw_reference), each view in a worker."""
        drawn = each_view(
            spec, lambda k: self._call("reference render", draw_reference, spec, destination, k, agreement)
        )
        return as_views(drawn, seen_pixels(self.size, self.options)) if spec.views > 1 else drawn[0]

    def _call(
        self, what: str, draw: Callable, spec: SceneSpec, destination: Path, view: int, *more
    ) -> RenderedImage:
        named = f"{what} of view {view}" if spec.views > 1 else what
        arguments = (spec, destination, self.size, *more, self.options, view)
        return self.workers.call(named, draw, *arguments, timeout=self.timeout_seconds)
