"""Where finished scenes go: scenes/{scene_id}/ with the image, scene.json and the marker written last."""

from __future__ import annotations

import glob
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse
from urllib.request import url2pathname

from scenegen.errors import SceneFailed
from scenegen.images import sha256_file
from scenegen.models import Camera, RenderedImage, SceneSpec, StagedFile, StoredScene, utcnow

IMAGE_NAME = "source_image.png"
SCENE_JSON = "scene.json"
MARKER = ".scene_generation_complete"
# Procedural scenes and twins: what the scene is (formats in scenegen.render.ground_truth)
DEPTH, INSTANCES, LAYOUT, STAGE = "depth.png", "instances.png", "layout.json", "scene.usda"
NORMALS, SEMANTIC, PARTS = "normals.png", "semantic.png", "parts.png"
ROOM_SURFACES = ("floor", "wall", "ceiling")  # layout.json's categories of the room itself
VIEW_MAPS = (DEPTH, INSTANCES, NORMALS, SEMANTIC, PARTS)  # each view's own; layout and stage are the room's
GROUND_TRUTH = (*VIEW_MAPS, LAYOUT, STAGE)
REFERENCE = "reference.png"  # twins only: the render the photograph was made from
# Removal order: the marker first, so that there is never a marker without its files
SCENE_FILES = (MARKER, SCENE_JSON, IMAGE_NAME, *GROUND_TRUTH, REFERENCE)
VIEWS_FOLDER = "views"  # views 1 to VIEWS - 1: views/{k}/ with the image and the view's maps


def staged_view(destination: Path, index: int) -> Path:
    """Where view `index` of the image staged at `destination` is staged (view 0: there); beside it, so
    that remove_staged takes it too."""
    return destination.with_name(f"{destination.stem}.view{index}.png") if index else destination


def view_file(index: int, name: str) -> str:
    """Where a view's file is stored, relative to its scene's folder (view 0's at the top)."""
    return f"{VIEWS_FOLDER}/{index}/{name}" if index else name


GROUND_TRUTH_FORMATS = {
    DEPTH: "16-bit grey PNG: millimetres along the optical axis, 0 where nothing is hit; the image's grid",
    INSTANCES: "16-bit grey PNG: the layout.json id of the object seen at each pixel, 0 where nothing is",
    NORMALS: "8-bit RGB PNG: the camera-frame unit normal n (x right, y down, z forward) as "
    "round((n + 1) / 2 * 255) per channel, (0, 0, 0) where nothing is hit; the image's grid",
    SEMANTIC: "16-bit grey PNG: the category id of each pixel, 0 where nothing is; legend: layout.json's "
    "categories",
    PARTS: "16-bit grey PNG: the layout.json joint id of the moving part (door, drawer, lid, sash) seen at "
    "each pixel, 0 where none is",
    LAYOUT: "the room and every object (id, category, fixture, oriented box in metres, pixels seen; for a "
    "twin, photo_agreement), and every joint (type, axis, a point on it, limits, the pose shown, the moving "
    "part's box closed)",
    STAGE: "USD stage (metres, kilograms, Z up): the room and objects with semantic labels, colliders, rigid "
    "bodies and masses, each articulated fixture an articulation with its joints and drives, materials, the "
    "renderer's lights, and the camera",
    REFERENCE: "RGB PNG: the procedural render the photograph was made from; the ground truth is its",
}


def local_path(uri: str | None) -> Path | None:
    """The local path a file:// URI names; None for any other URI (a bucket's objects are not files)."""
    if not uri or not uri.startswith("file:"):
        return None
    return Path(url2pathname(urlparse(uri).path))


class SceneStorage(Protocol):
    root_uri: str

    def put_scene(
        self,
        scene_id: str,
        image: Path,
        sha256: str,
        scene: dict[str, Any],
        ground_truth: Sequence[StagedFile] = (),
    ) -> StoredScene:
        """Store the image and the ground truth, check each stored copy, then scene.json, and the marker
        last; all or nothing."""
        ...

    def remove_scene(self, scene_id: str) -> None: ...

    def is_complete(self, scene_id: str) -> bool: ...

    def read_text(self, scene_id: str, name: str) -> str:
        """A stored file of the scene (scene.json, layout.json); FileNotFoundError when it is not there."""
        ...

    def put_text(self, scene_id: str, name: str, text: str) -> str:
        """A file added beside a stored scene (a score), whole or not at all; its URI."""
        ...

    def find(self, name_prefix: str) -> list[tuple[str, str]]:
        """(scene id, file name) of every stored file whose name starts with `name_prefix`."""
        ...

    def download(self, uri: str, target: Path) -> Path:
        """A copy at `target` of the file `uri` names (this storage's kind of URI); FileNotFoundError."""
        ...


def scene_document(
    spec: SceneSpec,
    rendered: RenderedImage,
    review: dict[str, Any],
    agreement: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """scene.json: the spec, what was made of it, its review (scenegen.quality.review.review_summary)
    and, for a twin, its agreement with its reference (Agreement.summary)."""
    review_cost = float(review.get("cost_usd", 0.0))
    return {
        "spec": spec.model_dump(mode="json"),
        "result": {
            "backend": rendered.backend,
            "model": rendered.model,
            "sha256": rendered.sha256,
            "width": rendered.width,
            "height": rendered.height,
            "render_seconds": rendered.seconds,
            "cost_usd": round(rendered.cost_usd + review_cost, 6),  # the image's and its review's
            "camera": _camera(rendered.camera),
            "stored_at": utcnow().isoformat(),
            "views": _views_entry(rendered),
        },
        "ground_truth": _ground_truth_entry(rendered, agreement),
        "review": review,
    }


def _views_entry(rendered: RenderedImage) -> list[dict[str, Any]]:
    """Every view's camera and files (names relative to the scene's folder) with their digests; entry 0
    is the scene's own image and maps."""
    first = {IMAGE_NAME: rendered.sha256} | {
        f.name: f.sha256 for f in rendered.ground_truth if f.name in (*VIEW_MAPS, REFERENCE)
    }
    entries = [{"index": 0, "camera": _camera(rendered.camera), "files": first}]
    for view in rendered.views:
        files = {view_file(view.index, IMAGE_NAME): view.sha256}
        files |= {view_file(view.index, f.name): f.sha256 for f in view.files}
        entries.append({"index": view.index, "camera": _camera(view.camera), "files": files})
    return entries


def _camera(camera: Camera | None) -> dict[str, Any] | None:
    return camera.model_dump(mode="json") if camera else None


def view_files(rendered: RenderedImage) -> list[StagedFile]:
    """The further views' staged files under the names they are stored as (views/{k}/...)."""
    return [
        StagedFile(name=view_file(view.index, name), path=path, sha256=sha256)
        for view in rendered.views
        for name, path, sha256 in [
            (IMAGE_NAME, view.path, view.sha256),
            *((f.name, f.path, f.sha256) for f in view.files),
        ]
    ]


def _ground_truth_entry(rendered: RenderedImage, agreement: dict[str, Any] | None) -> dict[str, Any]:
    if not rendered.ground_truth:
        return {
            "available": False,
            "reason": f"the {rendered.backend} backend gives no ground truth",
            "files": {},
        }
    files = {
        staged.name: {"sha256": staged.sha256, "format": GROUND_TRUTH_FORMATS.get(staged.name, "")}
        for staged in rendered.ground_truth
    }
    entry: dict[str, Any] = {
        "available": True,
        # exact: the image is the render; twin: a photograph made from reference.png, whose geometry it
        # follows as far as `agreement` says
        "kind": "twin" if rendered.twin else "exact",
        "files": files,
        "pixel_to_world": "position_m + world_from_camera @ ((u + 0.5 - cx) * d / fx, "
        "(v + 0.5 - cy) * d / fy, d), d = depth in metres",
    }
    if rendered.twin:
        entry["agreement"] = agreement
    return entry


def marker_document(scene_id: str, sha256: str) -> dict[str, str]:
    return {"scene_id": scene_id, "sha256": sha256, "completed_at": utcnow().isoformat()}


def store_staged_scene(
    storage: SceneStorage,
    spec: SceneSpec,
    rendered: RenderedImage,
    review: dict[str, Any],
    agreement: dict[str, Any] | None = None,
) -> StoredScene:
    """Store a staged image that passed its checks, once its digest shows it is the one that was checked.

    The digest, not a second decode: the checks already decoded these very bytes.
    """
    staged = Path(rendered.path)
    files = [*rendered.ground_truth, *view_files(rendered)]
    for path, sha256 in [(staged, rendered.sha256), *((Path(f.path), f.sha256) for f in files)]:
        if not path.is_file():
            raise SceneFailed(f"staged file {path} is missing")
        if sha256_file(path) != sha256:
            raise SceneFailed(f"staged file {path.name} changed after rendering")
    document = scene_document(spec, rendered, review, agreement)
    return storage.put_scene(spec.scene_id, staged, rendered.sha256, document, files)


def remove_staged(rendered: RenderedImage) -> None:
    """The staged copies, once stored and recorded: the image, and every file staged beside it under its
    name (its ground truth, a twin's reference and its ground truth, the reviewer's copies)."""
    image = Path(rendered.path)
    for path in [image, *image.parent.glob(glob.escape(image.stem) + ".*")]:
        path.unlink(missing_ok=True)
