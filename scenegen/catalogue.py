"""The archetype catalogue (archetypes/archetype_config.json), validated on load."""

from __future__ import annotations

import json
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from scenegen.errors import InputError

SnakeCase = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")]

# The renderer and the prompt writers rely on these dimensions existing for every archetype.
REQUIRED_DIMENSIONS = ("lighting", "activity", "space_size", "clutter", "style")


class Archetype(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str = Field(min_length=10)
    base_weight: float = Field(gt=0)
    fixtures: tuple[str, ...] = Field(min_length=3)
    materials: tuple[str, ...] = Field(min_length=2)
    # dimension -> tag -> prompt fragment describing that tag for this archetype
    variations: dict[SnakeCase, dict[SnakeCase, str]]

    @model_validator(mode="after")
    def _check_variations(self) -> Archetype:
        missing = [d for d in REQUIRED_DIMENSIONS if d not in self.variations]
        if missing:
            raise ValueError(f"variations lacks dimension(s) {', '.join(missing)}")
        seen: set[str] = set()
        for dimension, tags in self.variations.items():
            if not tags:
                raise ValueError(f"variations.{dimension} has no tags")
            repeated = seen.intersection(tags)
            if repeated:
                raise ValueError(f"tag(s) {', '.join(sorted(repeated))} appear in more than one dimension")
            seen.update(tags)
        return self

    @property
    def tags(self) -> set[str]:
        return {tag for tags in self.variations.values() for tag in tags}

    def fragment(self, tag: str) -> str:
        for tags in self.variations.values():
            if tag in tags:
                return tags[tag]
        raise KeyError(tag)


class QualityConfig(BaseModel):
    """Thresholds of the checks every image passes before it is stored."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # var(Laplacian) / var(grey) of a 512-wide grey copy: renders measure 0.05-0.35, blurred copies < 0.03
    min_sharpness: float = Field(0.035, ge=0)
    min_contrast: float = Field(4.0, ge=0)  # standard deviation of the grey copy, 0-255: below it, blank
    max_phash_distance: int = Field(6, ge=0, le=64)  # at most this far from a recent image: a near copy
    # Exposure: more of the frame than this near black, or clipped white, leaves too little to reconstruct.
    # The procedural night looks measure at most 0.17 dark (metered), daylight at most 0.006 clipped.
    max_dark_share: float = Field(0.5, ge=0, le=1)
    max_clipped_share: float = Field(0.25, ge=0, le=1)


class ReviewConfig(BaseModel):
    """The thresholds of the rubric (in the archetype catalogue, beside the image checks)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_distinct_objects: int = Field(6, ge=0)  # separable objects, room surfaces not counted
    # Ground truth: an object counts when it covers this share of the frame; the floor is visible above
    # min_floor_share; the whole room is in view when this share of the floor's area lies inside the frame.
    min_object_share: float = Field(0.0002, ge=0, le=1)
    min_floor_share: float = Field(0.04, ge=0, le=1)
    min_floor_in_view: float = Field(0.6, ge=0, le=1)
    # An elevated corner view: the camera at least this high, looking down, this close to a corner.
    min_camera_height_m: float = Field(1.4, ge=0)
    max_corner_distance_m: float = Field(1.5, gt=0)


class AgreementConfig(BaseModel):
    """Thresholds of the agreement check (in the archetype catalogue, beside the image checks)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_frame: float = Field(0.45, ge=0, le=1)  # chance-corrected share of reference edges followed
    max_shift_px: float = Field(28.0, ge=0)  # camera: best-aligning shift, full-frame pixels
    max_scale_error: float = Field(0.03, ge=0)  # camera: best-aligning scale, off 1
    match_px: float = Field(2.0, gt=0)  # on the quarter grid: 8 full-frame pixels
    depth_jump: float = Field(0.05, gt=0)  # a depth edge: neighbours this far apart, relative
    photo_edge_share: float = Field(0.14, gt=0, lt=1)  # the photograph's strongest gradients taken as edges


class ArticulationConfig(BaseModel):
    """How often a procedural room shows doors and drawers partly open (layout.json's joints say which, and
    how far): a share of scenes, and in those a share of the doors on upright hinges and level drawers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    open_scene_share: float = Field(0.3, ge=0, le=1)
    open_part_share: float = Field(0.3, ge=0, le=1)
    min_open: float = Field(0.25, ge=0, le=1)  # how far open, as a share of the part's range
    max_open: float = Field(0.75, ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> ArticulationConfig:
        if self.min_open > self.max_open:
            raise ValueError("min_open is more than max_open")
        return self


class ViewsConfig(BaseModel):
    """How a room's views are chosen (scenegen.render.views): the poses tried from each corner, what counts
    as seen, and how far a twin's views may disagree on an object's colour."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_object_pixels: int = Field(200, ge=1)  # an object is seen in a view from this many pixels (2K frame)
    heights_m: tuple[float, ...] = Field((1.5, 2.0), min_length=1)
    insets_m: tuple[float, ...] = Field((0.55, 0.9), min_length=1)  # from both walls; the next when blocked
    yaw_offsets_deg: tuple[float, ...] = Field((-8.0, 0.0, 8.0), min_length=1)  # about the room's diagonal
    pitch_offsets_deg: tuple[float, ...] = Field((0.0, 8.0), min_length=1)  # below the least that shows floor
    floor_cell_m: float = Field(0.25, gt=0)  # floor seen is counted in cells of this side
    floor_weight: float = Field(0.5, ge=0)  # the whole floor counts as much as this share of the objects
    max_wall_share: float = Field(0.5, gt=0, le=1)  # no one wall fills more of the frame
    small_scale: float = Field(0.0625, gt=0, le=1)  # the chooser's renders, as a share of the 2K focal length
    # Twins: an object two views both show, its mean colour in each photograph, after the grade that best
    # maps one onto the other; a view whose objects then differ from the first view's by more than this
    # (CIELAB, median over the objects) is refused (scenegen.twins.crossview).
    max_colour_difference: float = Field(16.0, gt=0)
    min_shared_objects: int = Field(3, ge=1)  # fewer shared objects: nothing to compare, the view passes


class ArchetypeConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    archetypes: dict[SnakeCase, Archetype] = Field(min_length=1)
    # A prompt whose TF-IDF cosine similarity to a recent prompt of its archetype reaches this is rewritten.
    near_duplicate_threshold: float = Field(0.92, gt=0, le=1)
    quality: QualityConfig = QualityConfig()
    review: ReviewConfig = ReviewConfig()
    agreement: AgreementConfig = AgreementConfig()
    articulation: ArticulationConfig = ArticulationConfig()
    views: ViewsConfig = ViewsConfig()

    @property
    def names(self) -> list[str]:
        return list(self.archetypes)

    def base_weights(self, names: list[str] | tuple[str, ...] | None = None) -> dict[str, float]:
        """Base weights of `names` (all archetypes when None), normalised to sum to 1."""
        chosen = list(names) if names else self.names
        total = sum(self.archetypes[n].base_weight for n in chosen)
        return {n: self.archetypes[n].base_weight / total for n in chosen}

    def check_names(self, names: list[str] | tuple[str, ...] | None) -> None:
        unknown = [n for n in names or () if n not in self.archetypes]
        if unknown:
            raise InputError(f"unknown archetype(s) {', '.join(unknown)}; known: {', '.join(self.names)}")


def default_config_path() -> Path:
    return Path(str(resources.files("archetypes") / "archetype_config.json"))


def load_archetype_config(path: Path | str | None = None) -> ArchetypeConfig:
    """Read and validate the catalogue; any problem is one InputError naming the file and the field."""
    file = Path(path) if path else default_config_path()
    file = file.resolve()
    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"archetype config {file}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"archetype config {file}: cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"archetype config {file}: not valid JSON: {exc}") from None
    try:
        return ArchetypeConfig.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        more = f" (and {exc.error_count() - 1} more problem(s))" if exc.error_count() > 1 else ""
        raise InputError(f"archetype config {file}: field {where}: {first['msg']}{more}") from None


# The shipped catalogue's names as an enum: typed flow parameters offer them as choices in the Prefect UI.
ArchetypeName = StrEnum("ArchetypeName", {name: name for name in load_archetype_config().names})  # type: ignore[misc]
