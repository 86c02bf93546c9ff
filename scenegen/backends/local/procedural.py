"""The embedded image backend: the procedural renderer, free, offline and deterministic, with ground truth."""

from __future__ import annotations

import os
import time
from pathlib import Path

from scenegen.images import DecodedImages, sha256_file
from scenegen.models import IMAGE_HEIGHT, IMAGE_WIDTH, RenderedImage, SceneSpec, StagedFile
from scenegen.render import render_scene
from scenegen.render.ground_truth import write_ground_truth


class ProceduralRenderer:
    """The embedded `ImageGenerator`: beside each image it stages depth, instances, layout and a USD stage."""

    name = "procedural"
    model = "procedural-v2"
    expected_cost_usd = 0.0
    draws_locally = True
    replacements = 3  # a fresh spec costs nothing: try until one passes, a few times

    def __init__(
        self, size: tuple[int, int] = (IMAGE_WIDTH, IMAGE_HEIGHT), decoded: DecodedImages | None = None
    ) -> None:
        self.size = size
        self.decoded = decoded  # the pixels go to the checks as they are: nothing decodes them again

    def generate(self, spec: SceneSpec, destination: Path) -> RenderedImage:
        started = time.perf_counter()
        rendering = render_scene(spec.archetype, spec.variation_tags, spec.seed, self.size)
        destination.parent.mkdir(parents=True, exist_ok=True)
        ground_truth = write_ground_truth(rendering, destination.parent, destination.stem)
        partial = destination.with_name(destination.name + ".part")
        rendering.image.save(partial, format="PNG", compress_level=1)  # fast; the pixels, not zlib, matter
        os.replace(partial, destination)
        rendered = RenderedImage(
            path=str(destination),
            sha256=sha256_file(destination),
            width=rendering.image.width,
            height=rendering.image.height,
            backend=self.name,
            model=self.model,
            seconds=round(time.perf_counter() - started, 3),
            camera=rendering.camera,
            ground_truth=[
                StagedFile(name=name, path=str(path), sha256=sha256_file(path))
                for name, path in ground_truth.items()
            ],
        )
        if self.decoded is not None:
            self.decoded.keep(rendered.sha256, rendering.image)
        return rendered
