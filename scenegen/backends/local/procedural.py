"""The embedded image backend: the procedural renderer, free, offline and deterministic."""

from __future__ import annotations

import os
import time
from pathlib import Path

from scenegen.images import DecodedImages, sha256_file
from scenegen.models import IMAGE_HEIGHT, IMAGE_WIDTH, RenderedImage, SceneSpec
from scenegen.render import render_image


class ProceduralRenderer:
    """The embedded `ImageGenerator`."""

    name = "procedural"
    model = "procedural-v1"
    expected_cost_usd = 0.0
    draws_locally = True

    def __init__(
        self, size: tuple[int, int] = (IMAGE_WIDTH, IMAGE_HEIGHT), decoded: DecodedImages | None = None
    ) -> None:
        self.size = size
        self.decoded = decoded  # the pixels go to the checks as they are: nothing decodes them again

    def generate(self, spec: SceneSpec, destination: Path) -> RenderedImage:
        started = time.perf_counter()
        image, camera = render_image(spec.archetype, spec.variation_tags, spec.seed, self.size)
        destination.parent.mkdir(parents=True, exist_ok=True)
        partial = destination.with_name(destination.name + ".part")
        image.save(partial, format="PNG", compress_level=1)  # fast; the pixels, not the zlib level, matter
        os.replace(partial, destination)
        rendered = RenderedImage(
            path=str(destination),
            sha256=sha256_file(destination),
            width=image.width,
            height=image.height,
            backend=self.name,
            model=self.model,
            seconds=round(time.perf_counter() - started, 3),
            camera=camera,
        )
        if self.decoded is not None:
            self.decoded.keep(rendered.sha256, image)
        return rendered
