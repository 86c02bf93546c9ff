"""A twin's scene.usda is a stage a robot can be dropped into: physics, materials, lights and semantics, all
agreeing with what the renderer drew."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pxr import Gf, Usd, UsdGeom, UsdLux, UsdPhysics, UsdSemantics, UsdShade, UsdValidation

from scenegen.render import render_scene
from scenegen.render.ground_truth import layout_document
from scenegen.render.procedural import Rendering
from scenegen.render.stage import write_stage
from scenegen.sim.physical import physical_catalogue

SIZE = (344, 192)  # the stage does not depend on the image's size
TAGS = ("evening_light", "busy_state", "large_space", "heavy_clutter", "industrial_style")
ARCHETYPES = ("kitchen", "warehouse", "office", "home_laundry", "loading_dock")


@pytest.fixture(scope="module", params=ARCHETYPES)
def scene(request, tmp_path_factory) -> tuple[Rendering, Usd.Stage]:
    rendering = render_scene(request.param, TAGS, 5, SIZE)
    path = tmp_path_factory.mktemp(request.param) / "scene.usda"
    write_stage(layout_document(rendering), rendering.things, rendering.camera, rendering.lights, path)
    return rendering, Usd.Stage.Open(str(path))


def objects(stage: Usd.Stage) -> list[Usd.Prim]:
    return list(stage.GetPrimAtPath("/World/Objects").GetChildren())


def thing_of(rendering: Rendering, prim: Usd.Prim):
    return next(t for t in rendering.things if t.id == prim.GetAttribute("scenegen:id").Get())


def test_the_stage_passes_every_validator_usd_core_registers(scene):
    _, stage = scene
    validators = UsdValidation.ValidationRegistry().GetOrLoadAllValidators()
    names = {validator.GetMetadata().name for validator in validators}
    assert {"usdPhysicsValidators:RigidBodyChecker", "usdPhysicsValidators:ColliderChecker"} <= names
    assert {
        "usdShadeValidators:MaterialBindingApiAppliedValidator",
        "usdShadeValidators:ShaderSdrCompliance",
    } <= names
    errors = UsdValidation.ValidationContext(validators).Validate(stage)
    assert [
        e.GetErrorAsString() for e in errors if e.GetType() == UsdValidation.ValidationErrorType.Error
    ] == []


def test_units_gravity_and_the_default_prim(scene):
    _, stage = scene
    assert UsdGeom.GetStageUpAxis(stage) == UsdGeom.Tokens.z
    assert UsdGeom.GetStageMetersPerUnit(stage) == 1.0
    assert UsdPhysics.GetStageKilogramsPerUnit(stage) == 1.0
    assert stage.GetDefaultPrim().GetPath() == "/World"
    physics = UsdPhysics.Scene(stage.GetPrimAtPath("/World/PhysicsScene"))
    assert tuple(physics.GetGravityDirectionAttr().Get()) == (0, 0, -1)
    assert physics.GetGravityMagnitudeAttr().Get() == pytest.approx(9.81)


def test_every_object_collides_and_only_loose_ones_are_rigid_bodies_with_their_mass(scene):
    rendering, stage = scene
    catalogue = physical_catalogue()
    loose = 0
    for prim in objects(stage):
        category = catalogue.category(prim.GetAttribute("semantics:labels:class").Get()[0])
        colliders = [p for p in Usd.PrimRange(prim) if p.HasAPI(UsdPhysics.CollisionAPI)]
        assert colliders, prim.GetPath()
        if category.loose:
            loose += 1
            assert prim.HasAPI(UsdPhysics.RigidBodyAPI) and prim.HasAPI(UsdPhysics.MassAPI)
            thing = thing_of(rendering, prim)
            volume = sum(np.prod(np.subtract(part.hi, part.lo)) for part in thing.parts)
            mass = UsdPhysics.MassAPI(prim).GetMassAttr().Get()
            assert mass > 0 and mass == pytest.approx(category.loose_density_kg_m3 * volume, rel=1e-5)
            assert len(colliders) == len(thing.parts)  # the colliders follow the parts
        elif thing_of(rendering, prim).joints:  # an articulation: its carcass and each moving part a body
            thing = thing_of(rendering, prim)
            bodies = [p for p in prim.GetChildren() if p.HasAPI(UsdPhysics.RigidBodyAPI)]
            assert not prim.HasAPI(UsdPhysics.RigidBodyAPI) and len(bodies) == 1 + len(thing.joints)
            assert all(body.GetAttribute("physics:mass").Get() > 0 for body in bodies)
            assert len(colliders) == len(thing.parts)
        else:
            assert not any(p.HasAPI(UsdPhysics.RigidBodyAPI) for p in Usd.PrimRange(prim)), prim.GetPath()
    assert loose > 0


def test_every_part_has_a_material_that_gives_it_the_rendered_colour_and_its_surface(scene):
    rendering, stage = scene
    catalogue = physical_catalogue()
    for prim in objects(stage):
        thing = thing_of(rendering, prim)
        surface = catalogue.surfaces[catalogue.category(thing.category).surface]
        drawn = [
            p
            for p in Usd.PrimRange(prim)
            if p.IsA(UsdGeom.Gprim) and UsdGeom.Imageable(p).ComputePurpose() != "guide"
        ]
        colours = []
        for part in drawn:
            material, _ = UsdShade.MaterialBindingAPI(part).ComputeBoundMaterial()
            assert material, part.GetPath()
            shader = material.ComputeSurfaceSource()[0]
            assert shader.GetIdAttr().Get() == "UsdPreviewSurface"
            assert shader.GetInput("roughness").Get() == pytest.approx(surface.roughness)
            assert shader.GetInput("metallic").Get() == pytest.approx(surface.metallic)
            source = UsdShade.Shader(
                shader.GetInput("diffuseColor").GetConnectedSources()[0][0].source.GetPrim()
            )
            assert source.GetIdAttr().Get() == "UsdPrimvarReader_float3"
            assert source.GetInput("varname").Get() == "displayColor"  # the part's own colour, below
            physics = UsdPhysics.MaterialAPI(material.GetPrim())
            assert physics.GetStaticFrictionAttr().Get() == pytest.approx(surface.static_friction)
            assert physics.GetRestitutionAttr().Get() == pytest.approx(surface.restitution)
            primvar = UsdGeom.PrimvarsAPI(part).GetPrimvar("displayColor")
            colours.append(np.array(primvar.ComputeFlattened(), float))  # a mesh's: one a face
        rendered = np.array([part.color for part in thing.parts], float) / 255
        found = np.concatenate(colours)
        if len(found) == 6 * len(rendered):  # a mesh of solid tiles: six faces each
            found = found[::6]
        # an articulation's bodies hold its parts in another order: the same colours all the same
        assert np.allclose(np.sort(found, axis=0), np.sort(rendered, axis=0), atol=1e-6), prim.GetPath()


def test_the_lights_are_the_renderers(scene):
    rendering, stage = scene
    lights = rendering.lights
    rects = {
        p.GetName(): p for p in stage.GetPrimAtPath("/World/Lights").GetChildren() if p.IsA(UsdLux.RectLight)
    }
    fixtures = [t for t in rendering.things if t.category == "ceiling_light"]
    windows = [t for t in rendering.things if t.category == "window"]
    assert len(rects) == len(fixtures) + len(windows) and len(fixtures) == len(lights.fixtures)
    cache = UsdGeom.XformCache()
    for thing in fixtures:
        light = UsdLux.RectLight(rects[f"Fixture_{thing.id}"])
        (part,) = thing.parts
        size = np.subtract(part.hi, part.lo)
        assert (light.GetWidthAttr().Get(), light.GetHeightAttr().Get()) == pytest.approx(tuple(size[:2]))
        assert np.allclose(light.GetColorAttr().Get(), np.array(part.color) / 255, atol=1e-6)
        assert light.GetIntensityAttr().Get() > 0
        pose = cache.GetLocalToWorldTransform(light.GetPrim())
        centre = (np.add(part.lo, part.hi) / 2)[:2]
        assert np.allclose(list(pose.ExtractTranslation()), [*centre, part.lo[2]], atol=1e-6)
        assert np.allclose(list(pose.TransformDir(Gf.Vec3d(0, 0, -1))), [0, 0, -1])  # shining down
    for thing in windows:  # daylight comes into the room through each window
        light = rects[f"Window_{thing.id}"]
        inwards = cache.GetLocalToWorldTransform(light).TransformDir(Gf.Vec3d(0, 0, -1))
        centre_y = layout_document(rendering)["room"]["size_m"][1] / 2
        assert np.sign(inwards[1]) == np.sign(centre_y - thing.parts[0].lo[1])
    dome = UsdLux.DomeLight(stage.GetPrimAtPath("/World/Lights/Ambient"))
    ambient = np.array(lights.look.ambient)
    assert np.allclose(np.array(dome.GetColorAttr().Get()) * ambient.max(), ambient, atol=1e-6)


def test_both_semantics_schemas_carry_the_category(scene):
    _, stage = scene
    for prim in objects(stage):
        category = UsdSemantics.LabelsAPI(prim, "class").GetLabelsAttr().Get()
        assert len(category) == 1 and prim.GetName().startswith(category[0] + "_")
        assert prim.GetAttribute("semantic:Semantics:params:semanticType").Get() == "class"
        assert prim.GetAttribute("semantic:Semantics:params:semanticData").Get() == category[0]


def test_every_category_the_plans_make_is_in_the_physical_catalogue():
    catalogue = physical_catalogue()
    for archetype in (*ARCHETYPES, "grocery", "lab", "utility_room"):
        for seed in range(3):
            for thing in render_scene(archetype, TAGS, seed, (64, 36)).things:
                catalogue.category(thing.category)  # an unknown category raises


def test_a_catalogue_naming_an_unknown_surface_is_refused(tmp_path: Path):
    from scenegen.sim.physical import PhysicalCatalogue

    with pytest.raises(ValueError, match="unknown surface"):
        PhysicalCatalogue.model_validate({"surfaces": {}, "categories": {"desk": {"surface": "wood"}}})
