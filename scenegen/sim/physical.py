"""What the renderer's objects are made of (archetypes/physical_properties.json), validated on load.

Each category has a surface kind, which gives its look (roughness, metalness) and its contact (friction,
restitution). A category with a density is loose: a rigid body whose mass is that density times the volume of
its parts. Every other category is fixed to the room and static.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from scenegen.errors import InputError

CATALOGUE_FILE = "physical_properties.json"


class Surface(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    roughness: float = Field(ge=0, le=1)
    metallic: float = Field(ge=0, le=1)
    static_friction: float = Field(ge=0)
    dynamic_friction: float = Field(ge=0)
    restitution: float = Field(ge=0, le=1)


class Category(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    surface: str
    loose_density_kg_m3: float | None = Field(default=None, gt=0)

    @property
    def loose(self) -> bool:
        return self.loose_density_kg_m3 is not None


class PhysicalCatalogue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # What an articulated fixture's carcass and moving parts weigh per cubic metre of their boxes: sheet and
    # frame with air between, not solid material.
    panel_density_kg_m3: float = Field(300, gt=0)
    surfaces: dict[str, Surface]
    categories: dict[str, Category]

    @model_validator(mode="after")
    def _known_surfaces(self) -> PhysicalCatalogue:
        unknown = sorted({c.surface for c in self.categories.values()} - set(self.surfaces))
        if unknown:
            raise ValueError(f"categories name unknown surface(s) {', '.join(unknown)}")
        return self

    def category(self, name: str) -> Category:
        try:
            return self.categories[name]
        except KeyError:
            raise InputError(f"{CATALOGUE_FILE} has no entry for the category {name!r}") from None


@cache
def physical_catalogue() -> PhysicalCatalogue:
    text = resources.files("archetypes").joinpath(CATALOGUE_FILE).read_text(encoding="utf-8")
    try:
        return PhysicalCatalogue.model_validate(json.loads(text))
    except (ValueError, ValidationError) as error:
        raise InputError(f"{CATALOGUE_FILE}: {error}") from None
