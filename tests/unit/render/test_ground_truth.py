"""The ground truth beside each procedural image says exactly what the picture shows."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pxr import Gf, Usd, UsdGeom, UsdSemantics

from scenegen.backends.local.procedural import draw_scene
from scenegen.catalogue import load_archetype_config
from scenegen.models import RenderedImage, SceneSpec
from scenegen.render import render_scene
from scenegen.render.faces import visible_faces
from scenegen.render.geometry import Box, PinholeCamera, Thing
from scenegen.render.raster import rasterize
from scenegen.storage import DEPTH, GROUND_TRUTH, INSTANCES, LAYOUT, NORMALS, SEMANTIC, STAGE

SIZE = (688, 384)  # a quarter of the real frame: the same code, four times fewer pixels
TAGS = ("evening_light", "busy_state", "large_space", "heavy_clutter", "industrial_style")
NAMES = load_archetype_config().names


def spec(archetype: str, seed: int = 11) -> SceneSpec:
    return SceneSpec(
        scene_id=f"{archetype}-gt",
        archetype=archetype,
        prompt="p",
        variation_tags=TAGS,
        seed=seed,
        prompt_hash="0" * 64,
        image_model="procedural-v2",
        prompt_model="local",
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, RenderedImage]:
    folder = tmp_path_factory.mktemp("truth")
    return {name: draw_scene(spec(name), folder / f"{name}.png", SIZE) for name in NAMES}


def files(rendered: RenderedImage) -> dict[str, Path]:
    return {staged.name: Path(staged.path) for staged in rendered.ground_truth}


def read(rendered: RenderedImage) -> tuple[np.ndarray, np.ndarray, dict]:
    paths = files(rendered)
    with Image.open(paths[DEPTH]) as depth, Image.open(paths[INSTANCES]) as instances:
        assert depth.size == instances.size == SIZE
        depth_m = np.asarray(depth, np.float64) / 1000
        ids = np.asarray(instances, np.int64)
    return depth_m, ids, json.loads(paths[LAYOUT].read_text())


def back_project(rendered: RenderedImage, us: np.ndarray, vs: np.ndarray, depth: np.ndarray) -> np.ndarray:
    """DESIGN.md's formula, with the camera as scene.json holds it."""
    camera = rendered.camera
    along = np.stack(
        [(us + 0.5 - camera.cx) * depth / camera.fx, (vs + 0.5 - camera.cy) * depth / camera.fy, depth],
        axis=1,
    )
    return np.asarray(camera.position_m) + along @ np.asarray(camera.world_from_camera).T


def outside_box(points: np.ndarray, entry: dict) -> np.ndarray:
    """How far each point lies outside the object's oriented box (negative: inside)."""
    yaw = math.radians(entry["yaw_deg"])
    offset = points - np.asarray(entry["center_m"])
    local = np.stack(
        [
            math.cos(yaw) * offset[:, 0] + math.sin(yaw) * offset[:, 1],
            -math.sin(yaw) * offset[:, 0] + math.cos(yaw) * offset[:, 1],
            offset[:, 2],
        ],
        axis=1,
    )
    return (np.abs(local) - np.asarray(entry["size_m"]) / 2).max(axis=1)


@pytest.mark.parametrize("archetype", NAMES)
def test_the_depth_of_an_objects_pixels_lands_inside_its_box(rendered, archetype):
    depth, ids, layout = read(rendered[archetype])
    assert (depth > 0).all()  # a closed room: every ray hits something
    checked = 0
    for entry in layout["objects"]:
        vs, us = np.nonzero(ids == entry["id"])
        if not len(us):
            continue
        points = back_project(rendered[archetype], us, vs, depth[vs, us])
        worst = outside_box(points, entry).max()
        assert worst <= 0.02, (entry["category"], entry["id"], worst)
        checked += 1
    assert checked >= 10


@pytest.mark.parametrize("archetype", NAMES)
def test_every_id_in_the_mask_is_an_object_and_every_object_seen_has_its_pixels(rendered, archetype):
    _, ids, layout = read(rendered[archetype])
    by_id = {entry["id"]: entry for entry in layout["objects"]}
    counts = np.bincount(ids.reshape(-1))
    assert set(np.nonzero(counts)[0]) <= set(by_id)
    for object_id, entry in by_id.items():
        assert entry["pixels"] == (counts[object_id] if object_id < len(counts) else 0)
    room = layout["room"]
    assert (
        by_id[room["floor_id"]]["category"] == "floor" and by_id[room["ceiling_id"]]["category"] == "ceiling"
    )
    assert [by_id[i]["category"] for i in room["wall_ids"]] == ["wall"] * 4
    assert by_id[room["floor_id"]]["pixels"] > 0.1 * SIZE[0] * SIZE[1]  # the floor is in view


def test_objects_realise_the_catalogue_fixtures(rendered):
    catalogue = load_archetype_config().archetypes
    for name, rendering in rendered.items():
        layout = read(rendering)[2]
        realised = {entry["fixture"] for entry in layout["objects"] if entry["fixture"] and entry["pixels"]}
        assert realised <= set(catalogue[name].fixtures), name
        assert len(realised) >= 3, (name, realised)  # recognisable at a glance


def ray_cast(
    things: list[Thing], origin: np.ndarray, directions: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest hit distance (along directions whose camera z is 1: the depth) and each thing's own nearest,
    by slab tests on every part (a moving part's in its own closed frame, the ray taken back by its pose): a
    check independent of the rasteriser."""
    nearest_of = np.full((len(things), len(directions)), np.inf)
    for index, thing in enumerate(things):
        yaw = math.radians(-thing.yaw_deg)
        turn = np.array([[math.cos(yaw), -math.sin(yaw), 0], [math.sin(yaw), math.cos(yaw), 0], [0, 0, 1]])
        pivot = np.array([*thing.pivot, 0.0])
        start = turn @ (origin - pivot) + pivot
        heading = directions @ turn.T
        for part in thing.parts:
            pose = thing.pose(part)
            ray_start, ray_heading = start, heading
            if pose is not None:  # p_shown = R p + t: the ray in the part's closed frame
                rotation, shift = pose
                ray_start, ray_heading = rotation.T @ (start - shift), heading @ rotation
            with np.errstate(divide="ignore", invalid="ignore"):
                a = (np.asarray(part.lo) - ray_start) / ray_heading
                b = (np.asarray(part.hi) - ray_start) / ray_heading
            a = np.where(np.isnan(a), -np.inf, a)
            b = np.where(np.isnan(b), np.inf, b)
            enter = np.minimum(a, b).max(axis=1)
            leave = np.maximum(a, b).min(axis=1)
            hit = (enter <= leave + 1e-9) & (enter > 0)
            nearest_of[index] = np.where(hit, np.minimum(nearest_of[index], enter), nearest_of[index])
    return nearest_of.min(axis=0), nearest_of


def agree_with_ray_casting(things, camera, face, faces, inverse_depth, us, vs) -> None:
    directions = camera.rays(us.astype(float), vs.astype(float))
    nearest, nearest_of = ray_cast(things, np.asarray(camera.position), directions)
    drawn = face[vs, us] >= 0
    assert np.array_equal(drawn, np.isfinite(nearest))  # drawn where a ray meets something, only there
    seen = faces.things[face[vs, us][drawn]]
    # the thing drawn is one the ray meets first (two coplanar faces may tie), at the depth it meets it
    assert np.allclose(nearest_of[seen, np.nonzero(drawn)[0]], nearest[drawn], rtol=1e-4)
    assert np.allclose(1 / inverse_depth[vs, us][drawn], nearest[drawn], rtol=1e-4)


def test_boxes_that_pass_through_each_other_are_drawn_front_to_back():
    """A post through a beam, a slab through both: no order of whole boxes draws this right, as the old
    painter's order tried to; every pixel must show what a ray through it meets first."""
    things = [
        Thing(1, "post", None, [Box((4.0, 4.0, 0.0), (4.4, 4.4, 3.0), (200, 0, 0))]),
        Thing(
            2,
            "beam",
            None,
            [Box((2.0, 3.6, 1.2), (6.0, 4.8, 1.6), (0, 200, 0))],
            yaw_deg=25,
            pivot=(4.0, 4.2),
        ),
        Thing(3, "slab", None, [Box((3.0, 3.0, 0.8), (5.4, 5.4, 0.9), (0, 0, 200))]),
        Thing(4, "floor", None, [Box((-50.0, -50.0, 0.0), (50.0, 50.0, 0.0), (90, 90, 90))]),
        Thing(5, "backdrop", None, [Box((-50.0, 30.0, -10.0), (50.0, 30.0, 40.0), (50, 50, 50))]),
    ]
    camera = PinholeCamera((0.6, 0.8, 1.9), 45.0, -14.0, 320, 180, 95.0)
    faces = visible_faces(things, np.asarray(camera.position))
    face, inverse_depth = rasterize(faces, camera)
    vs, us = np.mgrid[0:180, 0:320]
    agree_with_ray_casting(things, camera, face, faces, inverse_depth, us.reshape(-1), vs.reshape(-1))
    shown = {things[i].category for i in np.unique(faces.things[face[face >= 0]])}
    assert {"post", "beam", "slab"} <= shown


@pytest.mark.parametrize("archetype", ["warehouse", "office", "loading_dock"])
def test_a_whole_room_agrees_with_ray_casting(archetype):
    rendering = render_scene(archetype, TAGS, 5, (344, 192))
    camera = PinholeCamera(
        rendering.camera.position_m,
        rendering.camera.yaw_deg,
        rendering.camera.pitch_deg,
        344,
        192,
        rendering.camera.horizontal_fov_deg,
    )
    faces = visible_faces(rendering.things, np.asarray(camera.position))
    face, inverse_depth = rasterize(faces, camera)
    assert np.array_equal(
        np.array([0] + [t.id for t in rendering.things])[faces.things[face] + 1], rendering.instances
    )
    vs, us = np.mgrid[2:192:6, 3:344:7]
    agree_with_ray_casting(
        rendering.things, camera, face, faces, inverse_depth, us.reshape(-1), vs.reshape(-1)
    )


def test_the_usd_stage_holds_the_layout_and_the_camera(rendered):
    rendering = rendered["warehouse"]
    layout = read(rendering)[2]
    stage = Usd.Stage.Open(str(files(rendering)[STAGE]))
    assert UsdGeom.GetStageUpAxis(stage) == UsdGeom.Tokens.z and UsdGeom.GetStageMetersPerUnit(stage) == 1.0
    cache = UsdGeom.XformCache()
    objects = [prim for prim in stage.GetPrimAtPath("/World/Objects").GetChildren()]
    assert len(objects) == len(layout["objects"])
    for entry in layout["objects"]:
        prim = stage.GetPrimAtPath(f"/World/Objects/{entry['category']}_{entry['id']}")
        assert prim.GetAttribute("scenegen:id").Get() == entry["id"]
        assert list(UsdSemantics.LabelsAPI(prim, "class").GetLabelsAttr().Get()) == [entry["category"]]
        to_world = cache.GetLocalToWorldTransform(prim.GetChild("bounds"))
        corners = [
            to_world.Transform(Gf.Vec3d(x, y, z))
            for x in (-0.5, 0.5)
            for y in (-0.5, 0.5)
            for z in (-0.5, 0.5)
        ]
        corners = np.array([list(c) for c in corners])
        assert np.allclose(corners.mean(axis=0), entry["center_m"], atol=1e-4)
        assert outside_box(corners, entry).max() == pytest.approx(0, abs=1e-3)  # the very box
        for part in Usd.PrimRange(prim):  # every part the stage draws lies in it, its moving parts' too
            guide = UsdGeom.Imageable(part).ComputePurpose() == UsdGeom.Tokens.guide
            if guide or not part.IsA(UsdGeom.Gprim):
                continue
            if part.IsA(UsdGeom.Mesh):
                points = np.array(part.GetAttribute("points").Get(), float)
            else:
                points = np.array([[x, y, z] for x in (-0.5, 0.5) for y in (-0.5, 0.5) for z in (-0.5, 0.5)])
            geometry = cache.GetLocalToWorldTransform(part)
            world = np.array([list(geometry.Transform(Gf.Vec3d(*map(float, p)))) for p in points])
            assert outside_box(world, entry).max() <= 1e-3
    camera = rendering.camera
    usd_camera = UsdGeom.Camera(stage.GetPrimAtPath("/World/Camera")).GetCamera()
    assert usd_camera.focalLength / usd_camera.horizontalAperture * camera.width == pytest.approx(
        camera.fx, rel=1e-5
    )
    assert usd_camera.verticalAperture / usd_camera.horizontalAperture == pytest.approx(
        camera.height / camera.width
    )
    pose = usd_camera.transform
    assert np.allclose(list(pose.ExtractTranslation()), camera.position_m, atol=1e-6)
    rotation = np.asarray(camera.world_from_camera)
    looking = pose.TransformDir(Gf.Vec3d(0, 0, -1))  # a USD camera looks down its -z
    upwards = pose.TransformDir(Gf.Vec3d(0, 1, 0))
    assert np.allclose(list(looking), rotation[:, 2], atol=1e-6)
    assert np.allclose(list(upwards), -rotation[:, 1], atol=1e-6)


def test_the_same_spec_gives_the_same_bytes_in_all_five_files(tmp_path):
    first = draw_scene(spec("grocery", seed=4), tmp_path / "a" / "x.png", SIZE)
    second = draw_scene(spec("grocery", seed=4), tmp_path / "b" / "x.png", SIZE)
    pairs = [(first.path, second.path), *zip(files(first).values(), files(second).values(), strict=True)]
    assert len(pairs) == 1 + len(GROUND_TRUTH)
    for one, other in pairs:
        assert Path(one).read_bytes() == Path(other).read_bytes(), one
    other_seed = draw_scene(spec("grocery", seed=5), tmp_path / "c" / "x.png", SIZE)
    assert files(other_seed)[LAYOUT].read_bytes() != files(first)[LAYOUT].read_bytes()


def decoded_normals(rendered: RenderedImage) -> np.ndarray:
    """normals.png as unit vectors in the camera frame (DESIGN.md section 2's encoding)."""
    with Image.open(files(rendered)[NORMALS]) as image:
        assert image.mode == "RGB" and image.size == SIZE
        encoded = np.asarray(image, np.float64)
    return encoded / 255 * 2 - 1


@pytest.mark.parametrize("archetype", NAMES)
def test_the_normals_are_those_the_depth_gives_on_every_planar_region(rendered, archetype):
    depth, ids, _ = read(rendered[archetype])
    normals = decoded_normals(rendered[archetype])
    camera = rendered[archetype].camera
    vs, us = np.mgrid[0 : SIZE[1], 0 : SIZE[0]]
    points = np.stack(
        [(us + 0.5 - camera.cx) * depth / camera.fx, (vs + 0.5 - camera.cy) * depth / camera.fy, depth],
        axis=-1,
    )
    step = 2  # pixels either side: millimetre depth steps are noise over one pixel at a distance
    across = points[step:-step, 2 * step :] - points[step:-step, : -2 * step]
    down = points[2 * step :, step:-step] - points[: -2 * step, step:-step]
    from_depth = np.cross(across, down)
    from_depth /= np.linalg.norm(from_depth, axis=-1, keepdims=True) + 1e-12
    stored = normals[step:-step, step:-step]
    # planar: the whole neighbourhood shows one object with one normal (one face of it)
    inner = (slice(step, -step), slice(step, -step))
    planar = np.ones(stored.shape[:2], bool)
    for dv in range(-step, step + 1):
        for du in range(-step, step + 1):
            shifted = (slice(step + dv, SIZE[1] - step + dv), slice(step + du, SIZE[0] - step + du))
            planar &= ids[shifted] == ids[inner]
            planar &= (np.abs(normals[shifted] - stored) < 0.02).all(axis=-1)
    # and no step between parallel faces: on a plane, inverse depth is affine across the frame
    inverse = 1.0 / depth
    bend_across = inverse[step:-step, 2 * step :] - 2 * inverse[inner] + inverse[step:-step, : -2 * step]
    bend_down = inverse[2 * step :, step:-step] - 2 * inverse[inner] + inverse[: -2 * step, step:-step]
    planar &= np.maximum(np.abs(bend_across), np.abs(bend_down)) < 2e-3 * inverse[inner]
    assert planar.mean() > 0.5
    assert np.abs(np.linalg.norm(stored[planar], axis=-1) - 1).max() < 0.02  # unit vectors, 8-bit
    assert (stored[planar] * points[inner][planar]).sum(axis=-1).max() < 0  # every one faces the camera
    cosine = np.abs((from_depth[planar] * stored[planar]).sum(axis=-1))
    angles = np.degrees(np.arccos(np.clip(cosine, -1, 1)))
    assert np.quantile(angles, 0.99) <= 10, np.quantile(angles, [0.5, 0.9, 0.99])


@pytest.mark.parametrize("archetype", NAMES)
def test_the_semantic_mask_is_the_instance_mask_through_the_layouts_categories(rendered, archetype):
    _, ids, layout = read(rendered[archetype])
    with Image.open(files(rendered[archetype])[SEMANTIC]) as image:
        assert image.size == SIZE
        semantic = np.asarray(image, np.int64)
    legend = {int(key): name for key, name in layout["categories"].items()}
    assert sorted(legend) == list(range(1, len(legend) + 1)) and 0 not in legend
    category_of = {entry["id"]: entry["category"] for entry in layout["objects"]}
    for object_id in np.unique(ids):
        classes = np.unique(semantic[ids == object_id])
        assert len(classes) == 1 and legend[int(classes[0])] == category_of[int(object_id)]
    assert set(legend.values()) == set(category_of.values())
