"""Small builders shared by the tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from scenegen.models import HistoryRecord, prompt_hash, utcnow


def record(
    archetype: str,
    tags: list[str] | None = None,
    *,
    success: bool = True,
    prompt: str | None = None,
    when: datetime | None = None,
    scene_id: str | None = None,
) -> HistoryRecord:
    prompt = prompt or f"{archetype} {tags} {scene_id} {when}"
    digest = prompt_hash(prompt)
    return HistoryRecord(
        scene_id=scene_id or f"{archetype}-{digest[:12]}",
        archetype=archetype,
        prompt_hash=digest,
        prompt_summary=prompt[:200],
        variation_tags=tags or [],
        generated_at=when or utcnow() - timedelta(days=1),
        success=success,
        prompt=prompt,
        status="succeeded" if success else "failed",
        failure_reason=None if success else "RuntimeError: boom",
        seed=1,
        image_model="procedural-v1",
        prompt_model="local-diversifier-v1",
    )
