"""A reconstruction scored against a stored scene whose room is known (a twin, or a procedural scene): where
the scene and the reconstruction are, the score document (DESIGN.md section 2, `score-<12 hex>.json`) and
its markdown table.

Room surfaces (floor, walls, ceiling) are not objects to detect: they count in the Chamfer distance and the
alignment, not in precision and recall. An object that no view of the scene shows in MIN_PIXELS pixels or more
is not counted as missed (nor as a false positive when it is found): a scene made with several views counts
every object seen in any of them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np

from scenegen.errors import InputError
from scenegen.images import sha256_file
from scenegen.models import SCENE_ID_PATTERN
from scenegen.scoring.alignment import Similarity, align
from scenegen.scoring.articulation import ObjectJoint, articulation_scores, layout_joints, moved, read_joints
from scenegen.scoring.metrics import THRESHOLDS, Box, chamfer, detection_scores, match, pair_errors
from scenegen.scoring.reconstruction import (
    Placement,
    camera_placement,
    layout_boxes,
    read_reconstruction,
    reconstruction_format,
    up_turn,
)
from scenegen.storage import LAYOUT, ROOM_SURFACES, SCENE_JSON, SceneStorage, local_path

Frame = Literal["world", "camera", "unknown"]
FRAMES: tuple[Frame, ...] = ("world", "camera", "unknown")
MIN_PIXELS = 200  # of a 2752x1536 image: about a 14-pixel square
SCORE_PREFIX = "score-"
FSCORE_WITHIN_M = 0.05


@dataclass(frozen=True)
class KnownRoom:
    """A stored scene's room: every object of layout.json as a box, how many pixels of each view 0 shows,
    the camera of scene.json, and which objects any of the scene's views shows (`views`, their indices)."""

    scene_id: str
    archetype: str
    boxes: list[Box]
    pixels: list[int]
    camera: dict[str, Any]
    joints: list[ObjectJoint] = field(default_factory=list)
    seen: list[bool] = field(default_factory=list)
    views: list[int] = field(default_factory=lambda: [0])


def score_name(sha256: str) -> str:
    return f"{SCORE_PREFIX}{sha256[:12]}.json"


def locate_scene(
    storage: SceneStorage, scene: str, folders: Callable[[Path], SceneStorage]
) -> tuple[SceneStorage, str]:
    """The storage holding `scene` (an id in this run's storage, or a path or URI to a stored scene's folder,
    scenes/<id>) and its id; `folders` opens the local storage whose root holds such a folder."""
    if SCENE_ID_PATTERN.fullmatch(scene):
        return storage, scene
    if scene.startswith("gs://"):
        prefix = f"{storage.root_uri}/scenes/"
        if not scene.startswith(prefix):
            raise InputError(f"{scene}: not a scene folder of this run's bucket ({prefix}<id>)")
        return storage, _scene_id(scene.removeprefix(prefix).rstrip("/"), scene)
    folder = local_path(scene) if scene.startswith("file:") else Path(scene)
    if folder is None or not folder.is_dir():
        raise InputError(f"{scene}: no such scene (an id, or the path or URI of a scenes/<id> folder)")
    folder = folder.resolve()
    if folder.parent.name != "scenes":
        raise InputError(f"{scene}: not a stored scene's folder (scenes/<id>)")
    return folders(folder.parent.parent), _scene_id(folder.name, scene)


def _scene_id(name: str, given: str) -> str:
    if not SCENE_ID_PATTERN.fullmatch(name):
        raise InputError(f"{given}: {name!r} is not a scene id")
    return name


def fetch_reconstruction(storage: SceneStorage, given: str, folder: Path) -> tuple[Path, str]:
    """A local file of the reconstruction `given` (a path, a file:// URI, or a gs:// URI when the run has a
    bucket), copied into `folder` when it is not local, and its URI."""
    if given.startswith("gs://"):
        target = folder / Path(given.partition("//")[2]).name
        try:
            return storage.download(given, target), given
        except FileNotFoundError:
            raise InputError(f"{given}: not found (a gs:// reconstruction needs BUCKET)") from None
    path = local_path(given) if given.startswith("file:") else Path(given)
    if path is None or not path.is_file():
        raise InputError(f"{given}: no such file")
    path = path.resolve()
    return path, path.as_uri()


def open_inputs(
    storage: SceneStorage,
    scene: str,
    reconstruction: str,
    folder: Path,
    folders: Callable[[Path], SceneStorage],
) -> tuple[SceneStorage, KnownRoom, Path, str]:
    """What scoring `reconstruction` against `scene` needs, or InputError: the storage holding the scene,
    its room, a local file of the reconstruction (fetched into `folder` when it is not local) and its URI."""
    holder, scene_id = locate_scene(storage, scene, folders)
    room = known_room(holder, scene_id)
    path, uri = fetch_reconstruction(holder, reconstruction, folder)
    return holder, room, path, uri


def known_room(storage: SceneStorage, scene_id: str) -> KnownRoom:
    """The scene's room, or InputError: not stored, or stored without its room (a plain Gemini scene)."""
    try:
        document = json.loads(storage.read_text(scene_id, SCENE_JSON))
    except FileNotFoundError:
        raise InputError(f"scene {scene_id}: not stored in {storage.root_uri}") from None
    truth = document.get("ground_truth") or {}
    if not truth.get("available"):
        why = truth.get("reason") or "it has no ground truth"
        raise InputError(
            f"scene {scene_id}: no known room to score against ({why}); twins and procedural scenes have one"
        )
    layout = json.loads(storage.read_text(scene_id, LAYOUT))
    objects = layout["objects"]
    pixels = [int(o.get("pixels", 0)) for o in objects]
    return KnownRoom(
        scene_id,
        document.get("spec", {}).get("archetype", ""),
        layout_boxes(objects),
        pixels,
        document["result"]["camera"],
        layout_joints(layout),
        # layouts from before views: view 0's pixels say what is seen
        [bool(o["views"]) if "views" in o else p >= MIN_PIXELS for o, p in zip(objects, pixels, strict=True)],
        [int(v["index"]) for v in document["result"].get("views", [])] or [0],
    )


def read_placed(room: KnownRoom, reconstruction: Path, frame: Frame) -> list[Box]:
    """The reconstruction's boxes; in the twin's world already unless the frame is unknown."""
    return read_reconstruction(reconstruction, _placement(room, frame))


def _placement(room: KnownRoom, frame: Frame) -> Placement:
    """Where a frame sits in the room's world: the camera's pose for the camera frame, else where it is."""
    if frame not in FRAMES:
        raise InputError(f"frame {frame!r}: one of {', '.join(FRAMES)}")
    if frame == "camera":
        return camera_placement(room.camera["position_m"], room.camera["world_from_camera"])
    return Placement()


def score(
    room: KnownRoom,
    reconstruction: Path,
    uri: str,
    frame: Frame = "unknown",
    ignore_labels: bool = False,
) -> dict[str, Any]:
    """The score document of `reconstruction` (a local copy of what `uri` names) against the room."""
    placement = _placement(room, frame)
    paths: list[str] = []
    boxes = read_reconstruction(reconstruction, placement, paths)
    joints = moved(
        read_joints(reconstruction, paths, up_turn(reconstruction, placement)),
        placement.rotation,
        placement.translation,
    )
    if frame == "unknown":
        try:
            transform, _ = align(room.boxes, boxes, ignore_labels)
        except ValueError as exc:
            raise InputError(f"{uri}: cannot be aligned with scene {room.scene_id}: {exc}") from None
        boxes = [transform.apply_box(box) for box in boxes]
        joints = moved(joints, transform.rotation, transform.translation, transform.scale)
    else:
        transform = Similarity(1.0, placement.rotation, placement.translation)

    twin_objects = [i for i, box in enumerate(room.boxes) if box.category not in ROOM_SURFACES]
    found_objects = [j for j, box in enumerate(boxes) if box.category not in ROOM_SURFACES]
    twin = [room.boxes[i] for i in twin_objects]
    found = [boxes[j] for j in found_objects]
    seen = room.seen or [p >= MIN_PIXELS for p in room.pixels]
    counted = {k for k, i in enumerate(twin_objects) if seen[i]}
    pairs = match(twin, found, ignore_labels)
    loose = min(THRESHOLDS)
    kept = [pair for pair in pairs if pair[2] >= loose and pair[0] in counted]
    distance, fscore = chamfer(room.boxes, boxes, FSCORE_WITHIN_M)
    document = {
        "scene_id": room.scene_id,
        "reconstruction": {
            "uri": uri,
            "sha256": sha256_file(reconstruction),
            "format": reconstruction_format(reconstruction),
        },
        "frame": frame,
        "transform": {
            "scale": round(transform.scale, 6),
            "rotation": np.round(transform.rotation, 6).tolist(),
            "translation_m": np.round(transform.translation, 4).tolist(),
        },
        "counted_objects": len(counted),
        "views": room.views,
        "at_iou": detection_scores(pairs, counted, len(found)),
        **pair_errors(kept, twin, found),
        "chamfer_m": round(distance, 4),
        "fscore_5cm": round(fscore, 4),
        "per_category": _per_category(twin, counted, kept),
    }
    if joints:  # the reconstruction says which parts move and how
        document["articulation"] = articulation_scores(
            _renumbered(room.joints, twin_objects), _renumbered(joints, found_objects), kept
        )
    return document


def _renumbered(joints: list[ObjectJoint], kept: list[int]) -> list[ObjectJoint]:
    """The joints of the objects `kept`, each given its object's place among them."""
    place = {index: k for k, index in enumerate(kept)}
    return [replace(joint, owner=place[joint.owner]) for joint in joints if joint.owner in place]


def _per_category(twin: list[Box], counted: set[int], kept: list) -> dict[str, dict[str, float]]:
    matched = {i for i, _, _ in kept}
    table: dict[str, dict[str, float]] = {}
    for index in sorted(counted):
        row = table.setdefault(twin[index].category, {"twin": 0, "matched": 0, "recall": 0.0})
        row["twin"] += 1
        row["matched"] += index in matched
    for row in table.values():
        row["recall"] = row["matched"] / row["twin"]
    return dict(sorted(table.items()))


def reconstruction_quality(storage: SceneStorage, archetypes: dict[str, str]) -> dict[str, dict[str, float]]:
    """Per archetype, over the stored scores of the scenes in `archetypes` (scene id -> archetype): how many
    reconstructions, and their mean F1 at each IoU threshold and mean Chamfer distance (cm)."""
    scores: dict[str, list[dict[str, Any]]] = {}
    for scene_id, name in storage.find(SCORE_PREFIX):
        if scene_id in archetypes:
            scores.setdefault(archetypes[scene_id], []).append(json.loads(storage.read_text(scene_id, name)))
    quality = {}
    for archetype, documents in sorted(scores.items()):
        row = {"reconstructions": float(len(documents))}
        for threshold in THRESHOLDS:
            row[f"f1_{threshold}"] = float(np.mean([d["at_iou"][str(threshold)]["f1"] for d in documents]))
        row["chamfer_cm"] = float(np.mean([d["chamfer_m"] for d in documents])) * 100
        quality[archetype] = row
    return quality
