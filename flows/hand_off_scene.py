"""An example downstream deployment: started by a trigger on `scenegen.scene.completed` with the scene's id
and folder URI, it reads the stored scene.json and logs what it would hand to 3D reconstruction. Replace its
body with the first stage of your own pipeline; the trigger in prefect.yaml stays as it is.

When your pipeline has built the scene's USD, hand it back with `announce_reconstruction`: the event starts
the `score-reconstruction` deployment, which scores it against the scene's room and stores the score beside
it."""

from __future__ import annotations

import json
from typing import Annotated, Any

from prefect import flow, get_run_logger
from prefect.events import emit_event
from pydantic import Field

from flows.rerun_failed_scenes import SceneId
from scenegen.storage import IMAGE_NAME, SCENE_JSON
from tasks.resources import prepare_run

SceneUri = Annotated[str, Field(pattern=r"^(file|gs)://", title="Scene folder URI")]


@flow(name="hand-off-scene")
def hand_off_scene(scene_id: SceneId, scene_uri: SceneUri) -> dict[str, Any]:
    """What reconstruction would get for one stored scene: the image, the camera and any ground truth."""
    storage = prepare_run().resources.storage
    if scene_uri.rstrip("/") != f"{storage.root_uri}/scenes/{scene_id}":
        raise ValueError(f"{scene_uri} is not where this deployment's storage keeps {scene_id}")
    document = json.loads(storage.read_text(scene_id, SCENE_JSON))
    result = document["result"]
    camera = result.get("camera") or {}
    truth = document.get("ground_truth", {})
    hand_off = {
        "scene_id": scene_id,
        "image": f"{scene_uri.rstrip('/')}/{IMAGE_NAME}",
        "sha256": result["sha256"],
        "size": [result["width"], result["height"]],
        "intrinsics": {k: camera[k] for k in ("fx", "fy", "cx", "cy")} if camera else None,
        "ground_truth": sorted(truth.get("files", {})),
    }
    get_run_logger().info("would hand to reconstruction: %s", hand_off)
    return hand_off


def announce_reconstruction(scene_id: str, usd_uri: str) -> None:
    """Tell scenegen a reconstruction of `scene_id` is ready at `usd_uri` (a USD stage or a JSON file of
    layout.json's objects; a gs:// URI in the deployment's bucket, or a file:// URI the worker can read)."""
    emit_event(
        event="reconstruction.completed",
        resource={"prefect.resource.id": f"scenegen.scene.{scene_id}"},
        payload={"usd_uri": usd_uri},
    )
