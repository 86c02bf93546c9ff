"""Draws docs/stage.png: what one twin's stage holds, over its image, beside its normals and semantic maps.

    python docs/stage_figure.py [--archetype office] [--seed 7]

The scene goes through the embedded backend as a run stages it. The first panel is the image with every
collider of scene.usda drawn as the camera sees it (fixtures blue, rigid bodies orange) and every light's
rectangle (yellow); read from the stage itself, so it shows what Newton and Isaac load. Then normals.png
and semantic.png (each category a colour of its own).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from example_scene import staged_example
from PIL import Image, ImageDraw

from scenegen.engine.usd import USD_LOCK
from scenegen.sim.stage_checks import colliders, open_stage
from scenegen.storage import NORMALS, SEMANTIC, STAGE

PANEL = (920, 514)
STATIC, LOOSE, LIGHT = (70, 150, 255), (255, 140, 0), (255, 235, 40)
CORNERS = np.array([[x, y, z] for x in (-0.5, 0.5) for y in (-0.5, 0.5) for z in (-0.5, 0.5)])
EDGES = [(a, b) for a in range(8) for b in range(a + 1, 8) if bin(a ^ b).count("1") == 1]


def outlines(stage_path: Path) -> list[tuple[np.ndarray, tuple[int, int, int]]]:
    """World corners of each collider (8) and light (4), with the colour to draw them in."""
    stage = open_stage(stage_path)
    boxes = colliders(stage)
    with USD_LOCK:
        from pxr import UsdGeom, UsdLux, UsdPhysics

        drawn = []
        for box in boxes:
            body = stage.GetPrimAtPath(box.owner).HasAPI(UsdPhysics.RigidBodyAPI)
            drawn.append((box.centre + (CORNERS * 2 * box.half) @ box.axes, LOOSE if body else STATIC))
        cache = UsdGeom.XformCache()
        for prim in stage.Traverse():
            if prim.IsA(UsdLux.RectLight):
                matrix = np.array(cache.GetLocalToWorldTransform(prim))
                light = UsdLux.RectLight(prim)
                w, h = light.GetWidthAttr().Get() / 2, light.GetHeightAttr().Get() / 2
                square = np.array([[-w, -h, 0], [w, -h, 0], [w, h, 0], [-w, h, 0]])
                drawn.append((square @ matrix[:3, :3] + matrix[3, :3], LIGHT))
        return drawn


def project(points: np.ndarray, camera: dict, scale: float) -> np.ndarray | None:
    """Pixel positions in the panel, or None when any point is behind the camera."""
    rotation = np.asarray(camera["world_from_camera"])
    seen = (points - np.asarray(camera["position_m"])) @ rotation
    if (seen[:, 2] < 0.2).any():
        return None
    u = camera["fx"] * seen[:, 0] / seen[:, 2] + camera["cx"]
    v = camera["fy"] * seen[:, 1] / seen[:, 2] + camera["cy"]
    return np.stack([u, v], axis=1) * scale


def main() -> None:
    with staged_example(__doc__.splitlines()[0]) as (spec, rendered, files):
        image = Image.open(rendered.path).convert("RGB")
        scale = PANEL[0] / image.width
        overlay = image.resize(PANEL, Image.Resampling.LANCZOS)
        draw = ImageDraw.Draw(overlay)
        camera = rendered.camera.model_dump()
        for corners, colour in outlines(files[STAGE]):
            pixels = project(corners, camera, scale)
            if pixels is None:
                continue
            pairs = EDGES if len(corners) == 8 else [(0, 1), (1, 2), (2, 3), (3, 0)]
            for a, b in pairs:
                draw.line([tuple(pixels[a]), tuple(pixels[b])], fill=colour, width=1)
        normals = Image.open(files[NORMALS]).convert("RGB").resize(PANEL, Image.Resampling.NEAREST)
        semantic = np.asarray(Image.open(files[SEMANTIC]), np.int64)
    palette = np.random.default_rng(5).integers(40, 256, (semantic.max() + 1, 3), dtype=np.uint8)
    palette[0] = 0
    panels = [
        overlay,
        normals,
        Image.fromarray(palette[semantic]).resize(PANEL, Image.Resampling.NEAREST),
    ]
    titles = [
        "scene.usda over the image: fixtures' colliders (blue), rigid bodies (orange), lights (yellow)",
        "normals.png (camera frame)",
        "semantic.png (a colour per category)",
    ]
    figure = Image.new("RGB", (PANEL[0], PANEL[1] * 2 + 56), "white")
    draw = ImageDraw.Draw(figure)
    figure.paste(panels[0], (0, 20))
    draw.text((4, 4), titles[0], fill="black")
    half = (PANEL[0] // 2 - 4, PANEL[1] // 2)
    for index, (panel, title) in enumerate(zip(panels[1:], titles[1:], strict=True)):
        x = index * (half[0] + 8)
        figure.paste(panel.resize(half, Image.Resampling.NEAREST), (x, PANEL[1] + 48))
        draw.text((x + 4, PANEL[1] + 30), title, fill="black")
    figure = figure.crop((0, 0, PANEL[0], PANEL[1] + 48 + half[1]))
    target = Path(__file__).with_name("stage.png")
    figure.save(target, optimize=True)
    print(f"{target}: {spec.scene_id} {spec.variation_tags}")


if __name__ == "__main__":
    main()
