"""What the history keeps of each scene (its record, by status), and how a scene ended in a run."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from scenegen.models import RenderedImage, Review, SceneSpec, StoredScene, utcnow

# blocked: the model refused; no_image: it answered without one; skipped: never started (a fatal error
# earlier in the run, or the MAX_COST_USD budget). All but "succeeded" are failures rerun-failed can retry.
# rejected: the image failed a check (scenegen.quality.checks) or the review said no; it was not stored.
# unreviewed: REVIEW=required and the review gave no usable verdict; not stored either.
# submitted: in a Gemini batch job (`batch_job`), waiting for collect-batches; not a failure.
# planned: written before the scene's first render starts, and replaced by how it ended; one left by a run
# that has ended (killed, or out of disk to record its failure) is taken by rerun-failed.
Status = Literal[
    "planned", "succeeded", "failed", "blocked", "no_image", "skipped", "rejected", "unreviewed", "submitted"
]


class HistoryRecord(BaseModel):
    """One scene in the history store (the contract's fields plus what a rerun needs)."""

    scene_id: str
    archetype: str
    prompt_hash: str
    prompt_summary: str
    variation_tags: list[str]
    generated_at: datetime
    success: bool
    prompt: str = ""
    status: Status
    failure_reason: str | None = None
    image_uri: str | None = None
    sha256: str | None = None
    cost_usd: float = 0.0
    flow_run_id: str | None = None
    attempts: int = 1
    phash: str | None = None  # perceptual hash of the stored image, for near-copy checks
    # The Gemini batch job that made (or is making) the image: `batches/ID`, or until the job exists the
    # display name it is created under (scenegen.run.batches.job_display_name).
    batch_job: str | None = None
    review: Review | None = None  # the review's verdict, reasons and rubric; None: not reviewed
    # A planned scene's run bound (RUN_TIMEOUT_SECONDS from its start): a run going past it ends its scenes
    # within a grace, so a record still planned after that is left for rerun-failed.
    planned_until: datetime | None = None
    twin: bool = False  # the spec's: a rerun makes a twin again
    views: int = 1  # the spec's: a rerun makes as many views again
    agreement: dict[str, Any] | None = None  # a twin's agreement with its reference (frame-level figures)
    # A lookback read may leave these out (the weights and the prompt writers never need them); a rerun reads
    # the whole record with HistoryStore.get before it rebuilds the spec.
    seed: int = 0
    image_model: str = ""
    prompt_model: str = ""

    @classmethod
    def of(
        cls,
        spec: SceneSpec,
        *,
        stored: StoredScene | None = None,
        rendered: RenderedImage | None = None,
        failure: str | None = None,
        failure_status: Status = "failed",
        cost_usd: float | None = None,
        flow_run_id: str | None = None,
        phash: str | None = None,
        batch_job: str | None = None,
        review: Review | None = None,
        agreement: dict[str, Any] | None = None,
    ) -> HistoryRecord:
        """`cost_usd`: what the scene cost, by default its image's and its review's prices."""
        if cost_usd is None:
            cost_usd = (rendered.cost_usd if rendered else 0.0) + (review.cost_usd if review else 0.0)
        return cls(
            scene_id=spec.scene_id,
            archetype=spec.archetype,
            prompt_hash=spec.prompt_hash,
            prompt_summary=spec.prompt[:200],
            variation_tags=list(spec.variation_tags),
            generated_at=utcnow(),
            success=failure is None,
            prompt=spec.prompt,
            status="succeeded" if failure is None else failure_status,
            failure_reason=failure,
            image_uri=stored.image_uri if stored else None,
            sha256=stored.sha256 if stored else None,
            cost_usd=round(cost_usd, 6),
            flow_run_id=flow_run_id,
            phash=phash,
            batch_job=batch_job,
            review=review,
            agreement=agreement,
            twin=spec.twin,
            views=spec.views,
            seed=spec.seed,
            image_model=spec.image_model,
            prompt_model=spec.prompt_model,
        )

    @classmethod
    def planned(cls, spec: SceneSpec, flow_run_id: str | None, until: datetime) -> HistoryRecord:
        """The record a scene has from before its first render until it ends: it counts no attempt."""
        record = cls.of(spec, failure="planned", failure_status="planned", flow_run_id=flow_run_id)
        return record.model_copy(update={"failure_reason": None, "attempts": 0, "planned_until": until})

    @property
    def review_cost_usd(self) -> float:
        """The part of `cost_usd` its review cost."""
        return self.review.cost_usd if self.review else 0.0

    def to_spec(self) -> SceneSpec:
        """The spec this record was made from: same id, prompt, tags and seed."""
        if not self.prompt or not self.image_model:
            raise ValueError(f"the history record of {self.scene_id} was read without its spec fields")
        return SceneSpec(
            scene_id=self.scene_id,
            archetype=self.archetype,
            prompt=self.prompt,
            variation_tags=tuple(self.variation_tags),
            seed=self.seed,
            prompt_hash=self.prompt_hash,
            image_model=self.image_model,
            prompt_model=self.prompt_model,
            twin=self.twin,
            views=self.views,
        )


class SceneOutcome(BaseModel):
    """How one scene ended in this run, as the flow reports it."""

    spec: SceneSpec
    status: Status
    scene_uri: str | None = None
    failure_reason: str | None = None
    seconds: float = 0.0
    cost_usd: float = 0.0  # the scene's estimated cost to this run (nothing for a cached render), review in
    review_cost_usd: float = 0.0  # of which its review
    replaces: str | None = None  # the rejected scene this one stands in for, and why it was rejected
    batch_job: str | None = None  # made through this Gemini batch job, at the batch price
    review: Review | None = None
    replaced_reviews: list[Review] = Field(default_factory=list)  # of the images this one replaces
    agreement: dict[str, Any] | None = None  # a twin's agreement with its reference (Agreement.summary)
    replaced_agreements: list[dict[str, Any]] = Field(default_factory=list)

    @property
    def reviews(self) -> list[Review]:
        """Every review this scene's slot went through: the images it replaces, then its own."""
        return self.replaced_reviews + ([self.review] if self.review else [])

    @property
    def agreements(self) -> list[dict[str, Any]]:
        """Every agreement this scene's slot measured: the photographs it replaces, then its own."""
        return self.replaced_agreements + ([self.agreement] if self.agreement else [])

    @property
    def settled(self) -> bool:
        """Stored, or waiting in a batch job: nothing for this run to answer for."""
        return self.status in ("succeeded", "submitted")

    @property
    def succeeded(self) -> bool:
        return self.status == "succeeded"


# running: the run holds its lease (renewed while it lives); the others are final. crashed: it ended without
# saying so (killed, say), as found by the rerun-failed that took its scenes.
RunState = Literal["running", "completed", "failed", "crashed", "cancelled"]


class RunLease(BaseModel):
    """A run's lease on the scenes it planned (`scene_generation_runs`, one per flow run): who holds them,
    until when, and how the run ended. A run renews it while it lives; rerun-failed takes the planned
    scenes of a run whose lease has ended, has lapsed, or whose process is gone from this machine."""

    run_id: str  # the flow run id, as the scenes' records name it
    started_at: datetime
    lease_until: datetime
    host: str  # the machine's name, for people
    # The machine and process that hold the lease: `machine` tells whether a process id means anything here
    # (its kernel's boot and process namespace), `process_started` whether that id is still the same process.
    machine: str
    pid: int
    process_started: float  # seconds since the epoch
    scenes: list[str] = Field(default_factory=list)  # the scenes it planned when it started
    state: RunState = "running"
    ended_at: datetime | None = None

    def lapsed(self, now: datetime) -> bool:
        return self.lease_until <= now

    @property
    def final(self) -> bool:
        return self.state != "running"
