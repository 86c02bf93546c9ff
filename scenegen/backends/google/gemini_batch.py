"""Gemini's Batch API: the online image requests, inlined into jobs at the batch price; and the
ImageGenerator that hands a collected job's answers to the same pipeline as an online image."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from google import genai
from google.genai import types

from scenegen.backends.google.gemini_client import api_key, gemini_client, gemini_errors
from scenegen.backends.google.gemini_image import (
    GEMINI_SCENE_BYTES,
    REFERENCE_TOKENS,
    GeminiImageGenerator,
    image_request,
    stage_answer,
)
from scenegen.engine.pool import WorkerPool
from scenegen.errors import SceneFailed
from scenegen.images import BatchJob
from scenegen.models import RenderedImage, SceneSpec
from scenegen.prices import PriceTable
from scenegen.settings import Settings

LIST_PAGE_SIZE = 100


class GeminiBatches:
    """The BatchBackend on Gemini's image model."""

    def __init__(
        self,
        settings: Settings,
        prices: PriceTable,
        client: genai.Client | None = None,
        online: GeminiImageGenerator | None = None,
    ) -> None:
        self.key = api_key(settings)
        self.online = online  # a twin's further views are asked online, once its first is collected
        self.client = client or gemini_client(settings)
        self.prices = prices
        self.model = settings.gemini_image_model
        self.convert_seconds = settings.render_timeout_seconds  # an answer to convert, in a worker
        self.expected_cost_usd = prices.expected(self.model, image=True, batch=True)
        reference_usd = prices.input_cost(self.model, REFERENCE_TOKENS, image=True)
        self.reference_cost_usd = round(reference_usd * prices.batch_price_factor, 6)

    def find(self, display_name: str) -> str | None:
        with gemini_errors("Gemini Batch API (listing jobs)", self.key):
            for job in self.client.batches.list(config={"page_size": LIST_PAGE_SIZE}):
                if job.display_name == display_name and job.name:
                    return job.name
        return None

    def create(
        self, specs: list[SceneSpec], display_name: str, references: dict[str, RenderedImage] | None = None
    ) -> str:
        references = references or {}
        requests = [
            types.InlinedRequest(
                **image_request(spec, references.get(spec.scene_id)), metadata={"scene_id": spec.scene_id}
            )
            for spec in specs
        ]
        with gemini_errors(f"Gemini Batch API ({self.model})", self.key):
            job = self.client.batches.create(
                model=self.model, src=requests, config={"display_name": display_name}
            )
        if not job.name:
            raise SceneFailed(f"the Batch API created a job for {display_name} without a name")
        return job.name

    def poll(self, name: str) -> BatchJob:
        with gemini_errors(f"Gemini Batch API (job {name})", self.key):
            job = self.client.batches.get(name=name)
        state = str(getattr(job.state, "value", job.state))
        answers: dict[str, Any] = {}
        for item in (job.dest.inlined_responses if job.dest else None) or []:
            scene_id = (item.metadata or {}).get("scene_id")
            if scene_id:
                answers[scene_id] = item
        return BatchJob(name=name, state=state, answers=answers)

    def collected_images(self, jobs: list[BatchJob], workers: WorkerPool) -> CollectedImages:
        return CollectedImages(self, jobs, workers)


class CollectedImages:
    """The ImageGenerator of a collect run: each scene's image is its answer in a finished batch job,
    priced at the batch rate. Nothing is waited for or paid now, and a rejected image is not replaced
    (its scene is recorded, and rerun-failed takes it)."""

    name = "gemini-batch"
    replacements = 0
    scene_bytes = GEMINI_SCENE_BYTES
    expected_cost_usd = 0.0  # paid for when submitted
    reference_cost_usd = 0.0

    def __init__(self, batches: GeminiBatches, jobs: list[BatchJob], workers: WorkerPool) -> None:
        self.prices = batches.prices
        self.model = batches.model
        self.workers = workers
        self.convert_seconds = batches.convert_seconds
        self.items = {scene_id: (job.name, item) for job in jobs for scene_id, item in job.answers.items()}
        self.online = batches.online

    def generate(
        self, spec: SceneSpec, destination: Path, reference: RenderedImage | None = None
    ) -> RenderedImage:
        started = time.perf_counter()
        if spec.scene_id not in self.items:
            raise SceneFailed(f"no finished batch job holds an answer for scene {spec.scene_id}")
        job, item = self.items[spec.scene_id]
        if item.error or not item.response:
            error = item.error
            why = f"{error.code} {error.message}" if error else "no response"
            raise SceneFailed(f"its item in batch job {job} failed: {why}")
        cost = self.prices.cost(self.model, item.response.usage_metadata, image=True, batch=True)
        photo = stage_answer(item.response, cost, destination, self, started, reference)
        if reference is None or not reference.views:
            return photo
        if self.online is None:
            raise SceneFailed(
                f"scene {spec.scene_id} has {spec.views} views and no online image model to ask"
            )
        return self.online.further_views(spec, photo, reference)
