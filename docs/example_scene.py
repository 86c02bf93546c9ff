"""The scene the docs' figures draw: one procedural scene of `--archetype` and `--seed`, staged by the
embedded backend as a run stages it, in a temporary folder."""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scenegen.backends.local.procedural import MODEL, draw_scene
from scenegen.catalogue import load_archetype_config
from scenegen.engine.usd import first_use
from scenegen.models import RenderedImage, SceneSpec
from scenegen.planning.prompts import LocalPromptWriter


@contextmanager
def staged_example(description: str) -> Iterator[tuple[SceneSpec, RenderedImage, dict[str, Path]]]:
    """The spec, its staged image, and its ground-truth files by name; gone when the block ends."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--archetype", default="office")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    first_use()  # usd-core's start-up, before anything could start a thread
    [spec] = LocalPromptWriter(load_archetype_config(), MODEL).write([args.archetype], [], args.seed).specs
    with tempfile.TemporaryDirectory() as folder:
        rendered = draw_scene(spec, Path(folder) / "scene.png")
        yield spec, rendered, {staged.name: Path(staged.path) for staged in rendered.ground_truth}
