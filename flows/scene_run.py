"""What the scenes of one run share, and how a scene takes its place in the run's budget."""

from __future__ import annotations

import threading

from prefect.context import FlowRunContext

from scenegen.errors import SceneSkipped
from scenegen.gate import Hold, RunGate
from scenegen.image_checks import RecentHashes
from scenegen.models import HistoryRecord
from scenegen.resources import CORES
from tasks.artifacts import Progress
from tasks.checks import check_image
from tasks.render import render_scene
from tasks.resources import Run, shared_image_limit
from tasks.review import review_image
from tasks.store import upload_scene


class SceneRun:
    """What the scenes of one run share: its resources, cached stages, budget gate, recent image hashes,
    and the two kinds of slot."""

    def __init__(
        self,
        run: Run,
        total: int,
        spent_usd: float,
        history: list[HistoryRecord],
        share_usd: float | None = None,
        batch_jobs: dict[str, str] | None = None,
    ) -> None:
        self.resources = run.resources
        self.batch_jobs = batch_jobs or {}  # scene id -> the batch job its image came from
        self.render_scene = render_scene.with_options(result_storage=run.cache)
        self.check_image = check_image.with_options(result_storage=run.cache)
        self.review_image = review_image.with_options(result_storage=run.cache)
        self.upload_scene = upload_scene.with_options(result_storage=run.cache)
        if share_usd is None:
            self.gate = RunGate(run.settings.max_cost_usd, spent_usd)
        else:
            self.gate = RunGate(share_usd, spent_usd, share=True)
        self.hashes = RecentHashes(history)
        # An image drawn on this machine is CPU work too: more of them at once than cores only costs memory.
        images = run.settings.max_concurrency
        self.image_slots = threading.Semaphore(
            min(images, CORES) if run.resources.images.draws_locally else images
        )
        self.cpu_slots = threading.Semaphore(CORES)
        self.shared_limit = shared_image_limit(run.resources)
        self.progress = Progress(total)
        context = FlowRunContext.get()
        self.flow_run_id = str(context.flow_run.id) if context and context.flow_run else None


def admit(scenes: SceneRun) -> Hold:
    """The scene's place in the budget: its image and its review held at their typical prices, so that no
    image is made that the budget could not have reviewed; SceneSkipped when the gate says no."""
    image_usd = scenes.resources.images.expected_cost_usd
    review_usd = scenes.resources.review_expected_cost_usd
    refusal = scenes.gate.admit(image_usd + review_usd)
    if refusal:
        raise SceneSkipped(refusal)
    return Hold(scenes.gate, image=image_usd, review=review_usd)
