"""Prefect events that start the downstream pipeline: one per completed scene, one per finished run."""

from __future__ import annotations

from collections import Counter

from prefect.events import emit_event

from scenegen.models import ReviewMode
from scenegen.quality.review import review_summary
from scenegen.records import SceneOutcome

SCENE_COMPLETED = "scenegen.scene.completed"
RUN_COMPLETED = "scenegen.run.completed"


def announce_scene(outcome: SceneOutcome, review_mode: ReviewMode) -> None:
    """A scene is stored, verified and recorded: a trigger on this event may start its 3D reconstruction.
    The review's verdict comes with it (under REVIEW=advisory a stored scene may be `unsuitable`)."""
    review = review_summary(outcome.review, review_mode)
    emit_event(
        event=SCENE_COMPLETED,
        resource={"prefect.resource.id": f"scenegen.scene.{outcome.spec.scene_id}"},
        payload={
            "scene_id": outcome.spec.scene_id,
            "archetype": outcome.spec.archetype,
            "scene_uri": outcome.scene_uri,
            "variation_tags": list(outcome.spec.variation_tags),
            "review": {key: review.get(key) for key in ("mode", "verdict", "reasons", "reviewer")},
            # a twin's agreement with its reference: frame-level figures and the verdict (else null)
            "agreement": outcome.agreement,
        },
    )


def announce_run(outcomes: list[SceneOutcome], flow_run_id: str | None) -> None:
    statuses = Counter(o.status for o in outcomes)
    emit_event(
        event=RUN_COMPLETED,
        resource={"prefect.resource.id": f"scenegen.run.{flow_run_id or 'local'}"},
        payload={
            "planned": len(outcomes),
            "stored": statuses["succeeded"],
            "statuses": dict(statuses),
            "archetypes": dict(Counter(o.spec.archetype for o in outcomes if o.succeeded)),
        },
    )
