"""Small builders shared by the tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from scenegen.backends.local.folder import LocalSceneStorage
from scenegen.backends.local.procedural import draw_scene
from scenegen.models import IMAGE_HEIGHT, IMAGE_WIDTH, SceneSpec, prompt_hash, utcnow
from scenegen.records import HistoryRecord
from scenegen.storage import SceneStorage, store_staged_scene


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
        image_model="procedural-v2",
        prompt_model="local-diversifier-v1",
    )


def events_named(
    name: str, since: datetime, expected: int, timeout: float = 30.0, api: str | None = None
) -> list:
    """Events of `name` that reached the Prefect API (this process's, or the one at `api`) since `since`,
    once `expected` of them have (or the timeout passed): events travel to the server in the background and
    are stored in batches."""
    import time

    from prefect.client.orchestration import SyncPrefectClient, get_client
    from prefect.events.filters import EventFilter, EventNameFilter, EventOccurredFilter
    from prefect.events.worker import EventsWorker

    EventsWorker.drain_all(timeout=10)
    deadline = time.monotonic() + timeout
    with SyncPrefectClient(api) if api else get_client(sync_client=True) as client:
        while True:
            # `until` defaults to the moment the filter is made: made anew, each read sees the latest events
            occurred = EventOccurredFilter(since=since, until=utcnow() + timedelta(minutes=1))
            event_filter = EventFilter(event=EventNameFilter(name=[name]), occurred=occurred)
            events = client.read_events(event_filter, limit=50).events
            if len(events) >= expected or time.monotonic() > deadline:
                return events
            time.sleep(0.5)


def note_uploads(monkeypatch) -> list[str]:
    """The names of the objects the GCS client uploads from now on, in order (the real uploads still run)."""
    from google.cloud import storage

    order: list[str] = []
    for method in ("upload_from_string", "upload_from_filename"):
        real = getattr(storage.Blob, method)

        def noting(blob, source, *, _real=real, **options):
            order.append(blob.name.rsplit("/", 1)[-1])
            return _real(blob, source, **options)

        monkeypatch.setattr(storage.Blob, method, noting)
    return order


def stored_scene(
    root: Path,
    archetype: str,
    seed: int,
    storage: SceneStorage | None = None,
    size: tuple[int, int] = (IMAGE_WIDTH, IMAGE_HEIGHT),
) -> str:
    """A procedural scene staged under `root` and stored as a run stores it (in `root`, or in `storage`),
    without a flow; its id."""
    spec = SceneSpec(
        scene_id=f"{archetype}-score-{seed}",
        archetype=archetype,
        prompt="p",
        variation_tags=("midday_light",),
        seed=seed,
        prompt_hash="0" * 64,
        image_model="procedural-v2",
        prompt_model="local",
    )
    rendered = draw_scene(spec, root / "staging" / f"{spec.scene_id}.png", size)
    store_staged_scene(storage or LocalSceneStorage(root), spec, rendered, {"verdict": "suitable"})
    return spec.scene_id
