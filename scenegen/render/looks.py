"""How variation tags look: light, palette, room size and density. Unknown tags fall back to neutral."""

from __future__ import annotations

from dataclasses import dataclass

Color = tuple[float, float, float]


@dataclass(frozen=True)
class Lighting:
    ambient: Color  # colour x level, applied to every face
    ceiling: Color  # per ceiling fixture, falling off with distance
    sun: Color  # directional light through the windows; zero at night
    sun_elevation_deg: float
    window: Color  # what a window shows (emissive)
    exposure: float


LIGHTING: dict[str, Lighting] = {
    "morning_light": Lighting(
        (0.36, 0.38, 0.42), (0.30, 0.29, 0.27), (0.75, 0.62, 0.48), 18, (255, 236, 205), 1.0
    ),
    "midday_light": Lighting(
        (0.48, 0.48, 0.47), (0.32, 0.32, 0.31), (0.62, 0.61, 0.58), 60, (250, 252, 255), 1.08
    ),
    "evening_light": Lighting(
        (0.22, 0.19, 0.18), (0.34, 0.27, 0.18), (0.78, 0.45, 0.22), 8, (255, 170, 95), 0.9
    ),
    "night_light": Lighting((0.07, 0.075, 0.09), (0.62, 0.52, 0.36), (0, 0, 0), 0, (25, 32, 55), 0.85),
    "overcast_light": Lighting(
        (0.55, 0.57, 0.61), (0.18, 0.18, 0.18), (0.08, 0.08, 0.09), 45, (215, 222, 232), 1.0
    ),
    "fluorescent_light": Lighting(
        (0.30, 0.34, 0.34), (0.58, 0.66, 0.66), (0.05, 0.05, 0.05), 40, (190, 200, 210), 1.0
    ),
}
NEUTRAL_LIGHT = LIGHTING["midday_light"]


@dataclass(frozen=True)
class Palette:
    wall: Color
    floor: Color
    floor_alt: Color  # every other tile or slab
    ceiling: Color
    metal: Color
    dark: Color
    accent: Color
    wood: Color


PALETTES: dict[str, Palette] = {
    "modern_style": Palette(
        (228, 230, 232),
        (188, 190, 192),
        (176, 178, 181),
        (244, 244, 242),
        (196, 200, 205),
        (52, 56, 62),
        (36, 122, 196),
        (196, 160, 118),
    ),
    "industrial_style": Palette(
        (150, 150, 146),
        (118, 116, 112),
        (108, 106, 102),
        (92, 94, 98),
        (120, 124, 128),
        (38, 38, 40),
        (214, 120, 30),
        (150, 110, 70),
    ),
    "retro_style": Palette(
        (214, 200, 160),
        (150, 92, 64),
        (170, 140, 100),
        (230, 222, 200),
        (170, 176, 170),
        (70, 58, 48),
        (58, 130, 100),
        (170, 110, 60),
    ),
    "budget_style": Palette(
        (222, 218, 205),
        (160, 158, 150),
        (150, 148, 138),
        (225, 225, 220),
        (165, 170, 172),
        (70, 72, 76),
        (190, 60, 50),
        (180, 140, 95),
    ),
}
NEUTRAL_PALETTE = PALETTES["modern_style"]

SIZE_SCALE = {"compact_space": 0.72, "medium_space": 1.0, "large_space": 1.4}
CLUTTER = {"minimal_clutter": 0.25, "moderate_clutter": 1.0, "heavy_clutter": 2.6}
ACTIVITY = {"busy_state": 1.5, "moderate_activity": 1.0, "idle_state": 0.7, "closed_state": 0.4}
# Closed or idle spaces run with part of their lights off.
ACTIVITY_LIGHTS = {"busy_state": 1.0, "moderate_activity": 1.0, "idle_state": 0.9, "closed_state": 0.6}


# Tags that set the camera's height (metres, low and high); without one every height of the catalogue's
# views is tried.
VANTAGE: dict[str, tuple[float, float]] = {
    "low_vantage": (1.5, 1.6),
    "eye_level_vantage": (1.6, 1.8),
    "high_vantage": (1.9, 2.0),
}
ANY_HEIGHT = (0.0, float("inf"))


def vantage(tags: tuple[str, ...] | list[str]) -> tuple[float, float]:
    """The camera heights a scene's tags allow."""
    return pick(VANTAGE, tags, ANY_HEIGHT)


def pick(table: dict, tags: tuple[str, ...] | list[str], default):
    """The entry of the first tag the table knows, else the default."""
    for tag in tags:
        if tag in table:
            return table[tag]
    return default


def varied(palette: Palette, rng) -> Palette:
    """The palette of a style, shifted a little for each room: two rooms of one style are not twins."""
    tint = [rng.uniform(-18, 18) for _ in range(3)]

    def shift(color: Color, amount: float) -> Color:
        return tuple(
            max(0.0, min(255.0, c + t * amount + rng.uniform(-6, 6)))
            for c, t in zip(color, tint, strict=True)
        )

    return Palette(
        wall=shift(palette.wall, 1.0),
        floor=shift(palette.floor, 1.0),
        floor_alt=shift(palette.floor_alt, 1.0),
        ceiling=shift(palette.ceiling, 0.4),
        metal=shift(palette.metal, 0.5),
        dark=shift(palette.dark, 0.5),
        accent=tuple(max(0.0, min(255.0, c + rng.uniform(-40, 40))) for c in palette.accent),
        wood=shift(palette.wood, 0.7),
    )
