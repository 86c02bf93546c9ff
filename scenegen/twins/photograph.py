"""Twins: a photograph made by the image model from a procedural render of the same spec (its reference),
so that the photograph comes with the reference's room, camera and depth.

The reference is drawn in a worker with its ground truth, the copy the request shows the model (a half-size
JPEG) and the agreement check's grid of the reference's edges; the photograph then carries the reference's
ground truth, the reference itself as `reference.png`, and, once stored, each object's agreement.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from scenegen.images import sha256_file
from scenegen.models import RenderedImage, RenderedView, StagedFile
from scenegen.storage import LAYOUT, REFERENCE

# What the image model is asked, after the spec's own prompt, beside the reference it is shown.
INSTRUCTIONS = """\
The attached image is a rendering of exactly this room. Make a photograph of it: keep the same viewpoint,
height and lens, the room's proportions, and every object where it is and as large as it is; do not add or
remove any large object. Give every surface real materials and textures, and light the room as described
above, so that the picture looks like a photograph taken in a real room."""
# A further view's request also shows the first view's photograph, after the reference.
VIEW_INSTRUCTIONS = """\
The second attached image is a photograph of this same room taken from another corner. Keep everything it
shows exactly as it is there: the same materials, finishes, colours and things, lit the same way, so that both
photographs read as one room; take the viewpoint, and only the viewpoint, from the first attached image."""


def as_twin(photo: RenderedImage, reference: RenderedImage) -> RenderedImage:
    """The photograph with the reference's camera and ground truth, and the reference itself."""
    return photo.model_copy(
        update={
            "twin": True,
            "camera": reference.camera,
            "ground_truth": [
                *reference.ground_truth,
                StagedFile(name=REFERENCE, path=reference.path, sha256=reference.sha256),
            ],
        }
    )


def as_twin_view(photo: RenderedImage, reference: RenderedView, cost_usd: float) -> RenderedView:
    """A further view's photograph with its reference view's camera and maps, and that reference."""
    return RenderedView(
        index=reference.index,
        path=photo.path,
        sha256=photo.sha256,
        camera=reference.camera,
        files=[*reference.files, StagedFile(name=REFERENCE, path=reference.path, sha256=reference.sha256)],
        measures=photo.measures,
        object_pixels=reference.object_pixels,
        cost_usd=cost_usd,
    )


def staged(rendered: RenderedImage, name: str) -> Path:
    """The staged path of one of a scene's ground-truth files."""
    return next(Path(f.path) for f in rendered.ground_truth if f.name == name)


def with_photo_agreement(rendered: RenderedImage, objects: dict[int, float]) -> RenderedImage:
    """The twin with its layout.json amended: each object's `photo_agreement`, 0-1 (null for an object the
    reference shows too little of to measure), staged beside the original so the digests stay true."""
    original = staged(rendered, LAYOUT)
    layout: dict[str, Any] = json.loads(original.read_text(encoding="utf-8"))
    for entry in layout["objects"]:
        entry["photo_agreement"] = objects.get(entry["id"])
    amended = original.with_name(original.name.removesuffix(".json") + ".twin.json")
    partial = amended.with_name(amended.name + ".part")
    partial.write_text(json.dumps(layout, indent=1), encoding="utf-8")
    os.replace(partial, amended)
    files = [
        StagedFile(name=LAYOUT, path=str(amended), sha256=sha256_file(amended)) if f.name == LAYOUT else f
        for f in rendered.ground_truth
    ]
    return rendered.model_copy(update={"ground_truth": files})
