"""The scorer's stages: a reconstruction scored against its scene, the score stored beside the scene, and
shown as an artifact."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from scenegen.run.resources import Resources
from scenegen.scoring.scorecard import Frame, open_inputs, score, score_name
from scenegen.scoring.tables import score_markdown


@task(name="score-reconstruction", cache_policy=NO_CACHE)
def score_reconstruction_task(
    resources: Resources, scene: str, reconstruction: str, frame: Frame, ignore_labels: bool
) -> tuple[dict[str, Any], str]:
    """The score document and the URI it was stored at, beside the scene (the same reconstruction scored
    again replaces its own score; another reconstruction's is never touched)."""
    with tempfile.TemporaryDirectory(prefix="scenegen-score-") as folder:
        holder, room, path, uri = open_inputs(
            resources.storage, scene, reconstruction, Path(folder), resources.scenes_in
        )
        document = score(room, path, uri, frame, ignore_labels)
    scene_id = room.scene_id
    name = score_name(document["reconstruction"]["sha256"])
    stored = holder.put_text(scene_id, name, json.dumps(document, indent=2, sort_keys=True))
    at = document["at_iou"]
    get_run_logger().info(
        "%s: F1 %.3f at IoU 0.25, %.3f at 0.5 over %d visible objects; Chamfer %.1f cm; stored %s",
        scene_id,
        at["0.25"]["f1"],
        at["0.5"]["f1"],
        document["counted_objects"],
        document["chamfer_m"] * 100,
        stored,
    )
    return document, stored


@task(name="publish-score", cache_policy=NO_CACHE)
def publish_score(document: dict[str, Any]) -> None:
    create_markdown_artifact(
        key=f"score-{document['scene_id']}".replace("_", "-")[:64],
        markdown=score_markdown(document),
        description=f"How well a reconstruction got scene {document['scene_id']}",
    )
