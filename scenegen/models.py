"""Domain models shared by every stage: the spec of a scene, what was made of it, and its history record."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from scenegen.errors import InputError

SCENE_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
IMAGE_WIDTH, IMAGE_HEIGHT = 2752, 1536  # Gemini's 2K at 16:9; the procedural renderer matches it
MAX_VIEWS = 8  # posed views of one room (VIEWS)


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
    # Posed views of the room (scenegen.render.views chooses them); view 0 is the scene's own image.
    views: int = Field(1, ge=1, le=MAX_VIEWS)

    @field_validator("scene_id")
    @classmethod
    def _valid_id(cls, value: str) -> str:
        return check_scene_id(value)

    @property
    def fingerprint(self) -> str:
        """Identity of the work: the same fingerprint gives the same image, so it keys the caches."""
        # `twin` and `views` only when set: the fingerprints (and cache keys) of other specs stay as they were
        left_out = {"created_at", "prompt_model"} | (set() if self.twin else {"twin"})
        left_out |= set() if self.views > 1 else {"views"}
        work = self.model_dump(mode="json", exclude=left_out)
        return hashlib.sha256(json.dumps(work, sort_keys=True).encode()).hexdigest()


class PromptBatch(BaseModel):
    """A run's specs, one per planned slot, and what writing their prompts cost."""

    specs: list[SceneSpec]
    cost_usd: float = 0.0
    notes: list[str] = Field(default_factory=list)  # why some prompts came from the fallback
    near_duplicates_rewritten: int = 0

    def made_as(self, twin: bool, views: int) -> PromptBatch:
        """The same specs, each to be made a twin (or not) seen from `views` poses."""
        made = {"twin": twin, "views": views}
        return self.model_copy(update={"specs": [s.model_copy(update=made) for s in self.specs]})


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


class RenderedView(BaseModel):
    """A further view of a scene (1 to VIEWS - 1) waiting in the staging folder: its image, camera and
    ground-truth maps (under the names they are stored as, in the view's folder)."""

    index: int = Field(ge=1, lt=MAX_VIEWS)
    path: str
    sha256: str
    camera: Camera
    files: list[StagedFile] = Field(default_factory=list)
    measures: ImageMeasures | None = None
    object_pixels: dict[int, int] = Field(default_factory=dict)  # the layout's ids seen, and their pixels
    cost_usd: float = 0.0


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
    views: list[RenderedView] = Field(default_factory=list)  # the scene's further views, 1 to VIEWS - 1
    object_pixels: dict[int, int] | None = None  # the ids this view shows, and their pixels (its instances)

    def each_view(self) -> list[RenderedImage]:
        """View 0 (this image) and every further view as an image of its own, with its camera and maps and
        the scene's layout and stage, for the checks and the review."""
        return [self] + [
            self.model_copy(
                update={
                    "path": view.path,
                    "sha256": view.sha256,
                    "camera": view.camera,
                    "ground_truth": [
                        *view.files,
                        *(f for f in self.ground_truth if f.name not in {m.name for m in view.files}),
                    ],
                    "measures": view.measures,
                    "cost_usd": view.cost_usd,
                    "views": [],
                    "object_pixels": view.object_pixels,
                }
            )
            for view in self.views
        ]


# REVIEW: required, only suitable images are stored; advisory, all of them with their verdict; off.
ReviewMode = Literal["required", "advisory", "off"]
Verdict = Literal["suitable", "unsuitable", "unreviewed"]


class Rubric(BaseModel):
    """What reconstruction needs of one image, item by item. Gemini answers in this schema."""

    archetype_seen: str = Field(description="the listed archetype the room is, or 'other'")
    archetype_matches: bool = Field(description="the room is the planned archetype")
    whole_room_in_view: bool = Field(description="the room is seen whole, not a close-up of one part")
    floor_visible: bool = Field(description="a good share of the floor is visible")
    elevated_corner_view: bool = Field(description="seen from high up in a corner, looking across and down")
    rectilinear_lens: bool = Field(description="straight lines stay straight: no fisheye, no panorama")
    people_present: bool = Field(description="a person or part of one is in frame")
    text_or_watermark: bool = Field(description="readable text, a logo or a watermark is in frame")
    distinct_objects: int = Field(ge=0, description="about how many separable objects are in view")
    matches_reference: bool | None = Field(
        None,
        description="when a reference rendering is attached: the same room as it, the same objects in the "
        "same places, seen from the same point; null when there is no reference",
    )
    verdict: Literal["suitable", "unsuitable"] = Field(description="usable for 3D reconstruction")
    reasons: list[str] = Field(description="why unsuitable; empty when suitable")


class Review(BaseModel):
    """A review's outcome: the verdict, its reasons (fixed phrases first: scenegen.quality.review.judge) and
    the rubric."""

    verdict: Verdict
    reasons: list[str] = Field(default_factory=list)
    rubric: Rubric | None = None  # None: unreviewed
    reviewer: str  # the review model, or "ground-truth"
    cost_usd: float = 0.0


class StoredScene(BaseModel):
    """Where a complete scene now lives."""

    scene_uri: str
    image_uri: str
    sha256: str
