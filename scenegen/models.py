"""Domain models shared by every stage: the spec of a scene, what was made of it, and its history record."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from scenegen.errors import InputError
from scenegen.review import Review

SCENE_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
IMAGE_WIDTH, IMAGE_HEIGHT = 2752, 1536  # Gemini's 2K at 16:9; the procedural renderer matches it


def check_scene_id(scene_id: str) -> str:
    if not SCENE_ID_PATTERN.fullmatch(scene_id):
        raise InputError(f"scene id {scene_id!r} does not match {SCENE_ID_PATTERN.pattern}")
    return scene_id


def utcnow() -> datetime:
    return datetime.now(UTC)


def prompt_hash(prompt: str) -> str:
    """Hash of a prompt with case and whitespace normalised, so trivial re-spacings count as repeats."""
    return hashlib.sha256(" ".join(prompt.lower().split()).encode()).hexdigest()


class SceneSpec(BaseModel):
    """Everything needed to produce one scene; every later stage is a function of it."""

    model_config = ConfigDict(frozen=True)

    scene_id: str
    archetype: str
    prompt: str
    variation_tags: tuple[str, ...]
    seed: int
    prompt_hash: str
    image_model: str
    prompt_model: str
    created_at: datetime = Field(default_factory=utcnow)
    # A twin: the image is a photograph made from a procedural render of the same spec (its reference).
    twin: bool = False

    @field_validator("scene_id")
    @classmethod
    def _valid_id(cls, value: str) -> str:
        return check_scene_id(value)

    @property
    def fingerprint(self) -> str:
        """Identity of the work: the same fingerprint gives the same image, so it keys the caches."""
        # `twin` only when set: the fingerprints (and cache keys) of every other spec stay as they were
        left_out = {"created_at", "prompt_model"} | (set() if self.twin else {"twin"})
        work = self.model_dump(mode="json", exclude=left_out)
        return hashlib.sha256(json.dumps(work, sort_keys=True).encode()).hexdigest()


class PromptBatch(BaseModel):
    """A run's specs, one per planned slot, and what writing their prompts cost."""

    specs: list[SceneSpec]
    cost_usd: float = 0.0
    notes: list[str] = Field(default_factory=list)  # why some prompts came from the fallback
    near_duplicates_rewritten: int = 0

    def as_twins(self) -> PromptBatch:
        """The same specs, each to be made a twin."""
        return self.model_copy(update={"specs": [s.model_copy(update={"twin": True}) for s in self.specs]})


class Camera(BaseModel):
    """Pinhole intrinsics (pixels) and pose (metres, world z up) of the rendered view."""

    width: int
    height: int
    fx: float
    fy: float
    cx: float
    cy: float
    horizontal_fov_deg: float
    position_m: tuple[float, float, float]
    yaw_deg: float
    pitch_deg: float
    world_from_camera: list[list[float]] = Field(
        description="3x3 rotation taking camera axes (x right, y down, z forward) to world axes"
    )


class StagedFile(BaseModel):
    """A ground-truth file waiting in the staging folder beside its image, under the name it is stored as."""

    name: str
    path: str
    sha256: str


class ImageMeasures(BaseModel):
    """What the image checks look at, measured where the pixels were decoded (a worker process), so that
    the checks themselves never decode an image."""

    width: int
    height: int
    contrast: float  # standard deviation of the grey copy, 0-255
    sharpness: float  # variance of the Laplacian over the grey variance
    phash: str  # perceptual hash, hex
    dark_share: float = 0.0  # share of pixels near black (grey < 16)
    clipped_share: float = 0.0  # share of pixels clipped white (grey > 250)


class RenderedImage(BaseModel):
    """A rendered image waiting in the staging folder. Small on purpose: it is a cached task result."""

    path: str
    sha256: str
    width: int
    height: int
    backend: str
    model: str
    seconds: float
    cost_usd: float = 0.0
    camera: Camera | None = None
    ground_truth: list[StagedFile] = Field(default_factory=list)  # procedural scenes and twins
    measures: ImageMeasures | None = None  # taken when the pixels were at hand; else the check takes them
    twin: bool = False  # a photograph of its reference: the ground truth is the reference's


class StoredScene(BaseModel):
    """Where a complete scene now lives."""

    scene_uri: str
    image_uri: str
    sha256: str


# blocked: the model refused; no_image: it answered without one; skipped: never started (a fatal error
# earlier in the run, or the MAX_COST_USD budget). All but "succeeded" are failures rerun-failed can retry.
# rejected: the image failed a check (scenegen.image_checks) or the review said no; it was not stored.
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
    # display name it is created under (scenegen.batches.job_display_name).
    batch_job: str | None = None
    review: Review | None = None  # the review's verdict, reasons and rubric; None: not reviewed
    # A planned scene's run bound (RUN_TIMEOUT_SECONDS from its start): a run going past it ends its scenes
    # within a grace, so a record still planned after that is left for rerun-failed.
    planned_until: datetime | None = None
    twin: bool = False  # the spec's: a rerun makes a twin again
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
