"""Each archetype's room in one record: its size, floor and ceiling tiles, light spacing, windows, how its
height follows the space_size tag, and the plan that furnishes it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from scenegen.render.plans.grocery import grocery
from scenegen.render.plans.home_laundry import home_laundry
from scenegen.render.plans.kitchen import kitchen
from scenegen.render.plans.lab import lab
from scenegen.render.plans.loading_dock import loading_dock
from scenegen.render.plans.office import office
from scenegen.render.plans.utility_room import utility_room
from scenegen.render.plans.warehouse import warehouse
from scenegen.render.rooms import Room

# Rooms grow less in height than in floor area between the space_size tags.
SPACE_HEIGHT_SCALE = {"compact_space": 0.92, "medium_space": 1.0, "large_space": 1.1}


def unfurnished(room: Room) -> None:
    """A catalogue archetype the renderer has no plan for: the shell and loose props only."""


@dataclass(frozen=True)
class RoomLayout:
    size_m: tuple[float, float, float]  # footprint (x, y) and height at medium size
    tile_m: float = 1.0  # floor and ceiling tile edge
    light_spacing_m: float = 2.8  # between ceiling fixtures
    windows: bool = False  # on the far wall
    height_scale: dict[str, float] = field(default_factory=lambda: dict(SPACE_HEIGHT_SCALE))
    furnish: Callable[[Room], None] = unfurnished


LAYOUTS: dict[str, RoomLayout] = {
    "kitchen": RoomLayout((10.0, 8.0, 3.2), tile_m=0.6, windows=True, furnish=kitchen),
    "warehouse": RoomLayout((28.0, 22.0, 9.0), tile_m=3.0, light_spacing_m=6.0, furnish=warehouse),
    "grocery": RoomLayout((22.0, 17.0, 4.8), tile_m=1.2, light_spacing_m=3.5, furnish=grocery),
    "lab": RoomLayout((12.0, 9.0, 3.2), tile_m=0.9, windows=True, furnish=lab),
    "office": RoomLayout((14.0, 10.0, 3.0), tile_m=1.2, windows=True, furnish=office),
    "home_laundry": RoomLayout((4.2, 3.4, 2.6), tile_m=0.45, windows=True, furnish=home_laundry),
    "loading_dock": RoomLayout((24.0, 14.0, 6.5), tile_m=3.0, light_spacing_m=5.0, furnish=loading_dock),
    "utility_room": RoomLayout((7.0, 5.5, 3.2), tile_m=1.5, furnish=utility_room),
}
DEFAULT_LAYOUT = RoomLayout((10.0, 8.0, 3.2))


def layout_of(archetype: str) -> RoomLayout:
    return LAYOUTS.get(archetype, DEFAULT_LAYOUT)
