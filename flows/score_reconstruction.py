"""Score a reconstruction against the stored scene it was made from: `scenegen score`, or the deployment a
`reconstruction.completed` event starts (resource `scenegen.scene.<id>`, payload `usd_uri`)."""

from __future__ import annotations

from typing import Annotated, Any

from prefect import flow
from pydantic import Field

from scenegen.scoring.scorecard import Frame
from tasks.resources import prepare_run
from tasks.scoring import publish_score, score_reconstruction_task

Scene = Annotated[str, Field(min_length=1, title="Scene id, or the path or URI of its folder")]
Reconstruction = Annotated[str, Field(min_length=1, title="Reconstruction: USD or JSON, a path or URI")]


@flow(name="score-reconstruction")
def score_reconstruction(
    scene: Scene, usd_uri: Reconstruction, frame: Frame = "unknown", ignore_labels: bool = False
) -> dict[str, Any]:
    """How much of the scene's room the reconstruction got right; stored as score-<12 hex>.json beside it."""
    resources = prepare_run().resources
    document, _ = score_reconstruction_task(resources, scene, usd_uri, frame, ignore_labels)
    publish_score(document)
    return document
