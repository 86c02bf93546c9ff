"""The flows end to end on the embedded backends, through a real Prefect API."""

from __future__ import annotations

import json
import shutil
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from flows.generate_scenes import generate_scenes
from flows.rerun_failed_scenes import rerun_failed_scenes
from scenegen.backends.local.procedural import ProceduralRenderer
from scenegen.backends.local.sqlite import SqliteHistoryStore
from scenegen.errors import TransientError
from scenegen.images import sha256_file
from scenegen.storage import (
    DEPTH,
    GROUND_TRUTH,
    IMAGE_NAME,
    INSTANCES,
    LAYOUT,
    MARKER,
    SCENE_JSON,
    VIEW_MAPS,
)

pytestmark = pytest.mark.usefixtures("prefect_api")


class RenderSpy:
    """Wraps the real renderer: counts calls per scene and can fail chosen calls."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, fail_first: type[Exception] | None = None) -> None:
        self.calls: list[str] = []
        self.fail_first = fail_first
        self.failed_scene: str | None = None
        self.active = self.most_active = 0
        self._lock = threading.Lock()
        real = ProceduralRenderer.generate

        def generate(renderer, spec, destination):
            with self._lock:
                self.calls.append(spec.scene_id)
                fail = self.fail_first is not None and self.failed_scene is None
                if fail:
                    self.failed_scene = spec.scene_id
            if fail:
                raise self.fail_first(f"renderer broke on {spec.scene_id}")
            with self._lock:
                self.active += 1
                self.most_active = max(self.most_active, self.active)
            try:
                return real(renderer, spec, destination)
            finally:
                with self._lock:
                    self.active -= 1

        monkeypatch.setattr(ProceduralRenderer, "generate", generate)


def history(output: Path) -> dict:
    records = SqliteHistoryStore(output / "history.sqlite3").records_since(datetime(2000, 1, 1, tzinfo=UTC))
    return {r.scene_id: r for r in records}


def scene_folders(output: Path) -> dict[str, Path]:
    root = output / "scenes"
    return {p.name: p for p in root.iterdir()} if root.exists() else {}


def test_a_run_stores_n_complete_scenes_and_records_them(clean_environment, monkeypatch):
    spy = RenderSpy(monkeypatch)
    state = generate_scenes(scenes=4, seed=21, return_state=True)
    assert state.is_completed(), state.message
    folders = scene_folders(clean_environment)
    assert len(folders) == 4 and sorted(spy.calls) == sorted(folders)
    for scene_id, folder in folders.items():
        assert {p.name for p in folder.iterdir()} == {IMAGE_NAME, SCENE_JSON, MARKER, *GROUND_TRUTH}
        assert Image.open(folder / IMAGE_NAME).size == (2752, 1536)
        assert Image.open(folder / DEPTH).size == Image.open(folder / INSTANCES).size == (2752, 1536)
        document = json.loads((folder / SCENE_JSON).read_text())
        for name, listed in document["ground_truth"]["files"].items():
            assert sha256_file(folder / name) == listed["sha256"]
        assert document["spec"]["scene_id"] == scene_id
        assert document["result"]["camera"]["fx"] > 0 and len(document["result"]["sha256"]) == 64
        # one view: today's files, and scene.json's one view is the scene's own image and maps
        [view] = document["result"]["views"]
        assert view["index"] == 0 and view["camera"] == document["result"]["camera"]
        assert set(view["files"]) == {IMAGE_NAME, *VIEW_MAPS}
        layout = json.loads((folder / LAYOUT).read_text())
        assert {k for entry in layout["objects"] for k in entry["views"]} == {0}
    records = history(clean_environment)
    assert set(records) == set(folders)
    assert all(
        r.success and r.status == "succeeded" and r.image_uri and r.flow_run_id for r in records.values()
    )
    assert "4 of 4 scenes stored" in state.message
    assert not any((clean_environment / ".staging").iterdir())  # staged copies go once stored

    # The same specs again: everything comes from the cache, nothing is rendered or stored anew.
    markers = {scene_id: (folder / MARKER).read_text() for scene_id, folder in folders.items()}
    spy.calls.clear()
    again = rerun_failed_scenes(scene_ids=sorted(folders), return_state=True)
    assert again.is_completed(), again.message
    assert spy.calls == []
    assert {s: (f / MARKER).read_text() for s, f in scene_folders(clean_environment).items()} == markers
    assert all(r.attempts == 2 and r.success for r in history(clean_environment).values())


def test_a_scene_with_three_views_stores_each_view_with_its_maps(clean_environment, monkeypatch):
    monkeypatch.setenv("RENDER_WORKERS", "2")
    state = generate_scenes(scenes=1, archetypes=["warehouse"], seed=4, views=3, return_state=True)
    assert state.is_completed(), state.message
    [(scene_id, folder)] = scene_folders(clean_environment).items()
    assert {p.name for p in folder.iterdir()} == {IMAGE_NAME, SCENE_JSON, MARKER, *GROUND_TRUTH, "views"}
    document = json.loads((folder / SCENE_JSON).read_text())
    views = document["result"]["views"]
    assert [v["index"] for v in views] == [0, 1, 2] and views[0]["camera"] == document["result"]["camera"]
    assert len({tuple(v["camera"]["position_m"]) for v in views}) == 3
    for k in (1, 2):
        assert {p.name for p in (folder / "views" / str(k)).iterdir()} == {IMAGE_NAME, *VIEW_MAPS}
    for view in views:
        assert len(view["files"]) == 1 + len(VIEW_MAPS)
        for name, sha256 in view["files"].items():
            assert sha256_file(folder / name) == sha256, name
    layout = json.loads((folder / LAYOUT).read_text())
    shown = [{e["id"] for e in layout["objects"] if k in e["views"]} for k in range(3)]
    assert shown[1] - shown[0] and shown[2] - shown[0]  # each further view shows objects view 0 does not
    assert history(clean_environment)[scene_id].views == 3
    assert not any((clean_environment / ".staging").iterdir())
    # the same spec again: taken from the cache, the views as they were
    before = {p: p.read_bytes() for p in (folder / "views").rglob("*.png")}
    again = rerun_failed_scenes(scene_ids=[scene_id], return_state=True)
    assert again.is_completed(), again.message
    assert {p: p.read_bytes() for p in (folder / "views").rglob("*.png")} == before


def test_scenes_render_side_by_side_up_to_max_concurrency(clean_environment, monkeypatch):
    monkeypatch.setenv("MAX_CONCURRENCY", "2")
    spy = RenderSpy(monkeypatch)
    assert generate_scenes(scenes=5, archetypes=["warehouse"], seed=1, return_state=True).is_completed()
    assert len(spy.calls) == 5 and spy.most_active == 2


def test_a_scene_deleted_from_storage_is_made_again_not_taken_from_the_cache(clean_environment, monkeypatch):
    spy = RenderSpy(monkeypatch)
    assert generate_scenes(scenes=2, seed=30, return_state=True).is_completed()
    gone, kept = sorted(scene_folders(clean_environment))
    shutil.rmtree(clean_environment / "scenes" / gone)
    spy.calls.clear()
    assert rerun_failed_scenes(scene_ids=[gone, kept], return_state=True).is_completed()
    assert spy.calls == [gone]
    assert (clean_environment / "scenes" / gone / MARKER).is_file()


def test_run_artifacts_describe_the_run(clean_environment):
    from prefect.artifacts import Artifact

    state = generate_scenes(scenes=2, archetypes=["office"], seed=4, return_state=True)
    assert state.is_completed()
    keys = (
        "scenegen-plan",
        "scenegen-planned-scenes",
        "scenegen-summary",
        "scenegen-scenes",
        "scenegen-progress",
    )
    latest = {key: Artifact.get(key) for key in keys}
    assert all(a is not None and a.flow_run_id == state.state_details.flow_run_id for a in latest.values())
    assert float(latest["scenegen-progress"].data) == 100.0
    assert "| office |" in latest["scenegen-summary"].data
    rows = json.loads(latest["scenegen-scenes"].data)
    assert [row["status"] for row in rows] == ["succeeded", "succeeded"]
    assert all(row["uri"].startswith("file://") for row in rows)


def test_a_dry_run_plans_but_writes_nothing(clean_environment, monkeypatch):
    spy = RenderSpy(monkeypatch)
    state = generate_scenes(scenes=3, dry_run=True, seed=2, return_state=True)
    assert state.is_completed() and "dry run" in state.message
    assert spy.calls == []
    assert not clean_environment.exists()


def test_one_failing_scene_leaves_the_others_complete_and_rerun_failed_completes_it(
    clean_environment, monkeypatch
):
    spy = RenderSpy(monkeypatch, fail_first=RuntimeError)
    state = generate_scenes(scenes=3, seed=8, return_state=True)
    bad = spy.failed_scene
    assert state.is_failed() and bad in state.message
    assert spy.calls.count(bad) == 1  # a permanent error is not retried
    folders = scene_folders(clean_environment)
    assert bad not in folders and len(folders) == 2
    assert all((folder / MARKER).is_file() for folder in folders.values())
    records = history(clean_environment)
    assert len(records) == 3
    assert not records[bad].success and records[bad].status == "failed"
    assert "RuntimeError: renderer broke on" in records[bad].failure_reason

    spy.calls.clear()
    rerun = rerun_failed_scenes(return_state=True)
    assert rerun.is_completed(), rerun.message
    assert spy.calls == [bad]  # only the failed scene, with its recorded spec
    assert (clean_environment / "scenes" / bad / MARKER).is_file()
    fixed = history(clean_environment)[bad]
    assert fixed.success and fixed.prompt == records[bad].prompt and fixed.seed == records[bad].seed


def test_a_transient_error_is_retried_within_the_run(clean_environment, monkeypatch):
    spy = RenderSpy(monkeypatch, fail_first=TransientError)
    state = generate_scenes(scenes=1, seed=5, return_state=True)
    assert state.is_completed(), state.message
    assert spy.calls == [spy.failed_scene, spy.failed_scene]


def test_a_scene_whose_record_cannot_be_written_is_not_left_stored(clean_environment, monkeypatch):
    spy = RenderSpy(monkeypatch)
    real_save = SqliteHistoryStore.save

    def save(store, record):
        if record.success:
            raise PermissionError("history is read-only")
        return real_save(store, record)

    monkeypatch.setattr(SqliteHistoryStore, "save", save)
    state = generate_scenes(scenes=1, seed=13, return_state=True)
    assert state.is_failed()
    [scene_id] = spy.calls
    assert scene_id not in scene_folders(clean_environment)  # the upload was rolled back
    assert "PermissionError" in history(clean_environment)[scene_id].failure_reason

    monkeypatch.setattr(SqliteHistoryStore, "save", real_save)
    spy.calls.clear()
    assert rerun_failed_scenes(return_state=True).is_completed()
    assert spy.calls == []  # the render was kept: storing it again cost nothing
    assert (clean_environment / "scenes" / scene_id / MARKER).is_file()


def test_each_stored_scene_and_each_run_is_announced_by_an_event(clean_environment):
    from tests.helpers import events_named

    started = datetime.now(UTC)
    state = generate_scenes(scenes=2, archetypes=["lab"], seed=17, return_state=True)
    assert state.is_completed()
    scenes = events_named("scenegen.scene.completed", started, expected=2)
    folders = scene_folders(clean_environment)
    assert sorted(e.resource.id for e in scenes) == sorted(f"scenegen.scene.{s}" for s in folders)
    assert {e.payload["archetype"] for e in scenes} == {"lab"}
    assert {e.payload["scene_uri"] for e in scenes} == {f.as_uri() for f in folders.values()}
    [run] = events_named("scenegen.run.completed", started, expected=1)
    assert run.resource.id == f"scenegen.run.{state.state_details.flow_run_id}"
    assert run.payload["planned"] == 2 and run.payload["stored"] == 2


def test_a_rejected_image_is_recorded_and_replaced_once_by_a_fresh_spec(clean_environment, monkeypatch):
    from PIL import Image as PILImage

    real = ProceduralRenderer.generate
    calls: list[str] = []

    def blank_first(renderer, spec, destination):
        calls.append(spec.scene_id)
        rendered = real(renderer, spec, destination)
        if len(calls) == 1:  # the first image comes out blank
            PILImage.new("RGB", (2752, 1536), (90, 90, 90)).save(destination)
            rendered = rendered.model_copy(update={"sha256": sha256_file(destination), "measures": None})
        return rendered

    monkeypatch.setattr(ProceduralRenderer, "generate", blank_first)
    state = generate_scenes(scenes=1, archetypes=["office"], seed=23, return_state=True)
    assert state.is_completed(), state.message
    rejected, fresh = calls
    records = history(clean_environment)
    assert records[rejected].status == "rejected" and "blank or flat" in records[rejected].failure_reason
    assert records[fresh].success and records[fresh].phash
    assert set(scene_folders(clean_environment)) == {fresh}  # no marker, no folder for the rejected one
    from prefect.artifacts import Artifact

    assert f"replaces `{rejected}" in Artifact.get("scenegen-summary").data


def test_a_run_publishes_its_diversity_report_with_a_heatmap_and_a_contact_sheet(clean_environment):
    from prefect.artifacts import Artifact

    state = generate_scenes(scenes=3, seed=31, return_state=True)
    assert state.is_completed()
    folder = clean_environment / "reports" / str(state.state_details.flow_run_id)
    assert Image.open(folder / "coverage.png").format == "PNG"
    assert Image.open(folder / "contact_sheet.png").size == (4 * 344, 192)
    report = Artifact.get("scenegen-diversity").data
    assert "3 stored scenes" in report and "Near-duplicate prompts rewritten in this run: 0" in report
    assert (folder / "contact_sheet.png").resolve().as_uri() in report
    # the pictures are inline, so the UI shows them: two JPEG data URIs that decode
    import base64
    import io
    import re

    inline = re.findall(r"\(data:image/jpeg;base64,([A-Za-z0-9+/=]+)\)", report)
    assert len(inline) == 2
    assert Image.open(io.BytesIO(base64.b64decode(inline[1]))).size == (1100, round(192 * 1100 / (4 * 344)))


@pytest.mark.parametrize(("blank", "completed"), [(3, True), (4, False)])
def test_a_free_image_rejected_again_gets_fresh_specs_up_to_three_times(
    blank, completed, clean_environment, monkeypatch
):
    from scenegen.images import sha256_file

    real = ProceduralRenderer.generate
    calls: list[str] = []

    def blank_at_first(renderer, spec, destination):
        calls.append(spec.scene_id)
        rendered = real(renderer, spec, destination)
        if len(calls) <= blank:
            Image.new("RGB", (2752, 1536), (90, 90, 90)).save(destination)
            rendered = rendered.model_copy(update={"sha256": sha256_file(destination), "measures": None})
        return rendered

    monkeypatch.setattr(ProceduralRenderer, "generate", blank_at_first)
    state = generate_scenes(scenes=1, archetypes=["kitchen"], seed=29, return_state=True)
    assert state.is_completed() == completed, state.message
    assert len(calls) == 4 and len(set(calls)) == 4  # the scene and three fresh specs, never a fourth
    statuses = [history(clean_environment)[scene_id].status for scene_id in calls]
    assert statuses == ["rejected"] * blank + ["succeeded"] * (4 - blank)
    assert set(scene_folders(clean_environment)) == ({calls[-1]} if completed else set())
