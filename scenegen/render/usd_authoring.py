"""Authoring a USD layer spec by spec (Sdf), with the schemas' own names: for hundreds of objects, many times
faster than the stage-level API. Callers hold scenegen.engine.usd's lock."""

from __future__ import annotations

import numpy as np


def attribute(prim, name: str, kind, value=None, *, uniform: bool = False, custom: bool = False):
    """An attribute; with no value, one that only connects (a shader's output)."""
    from pxr import Sdf

    variability = Sdf.VariabilityUniform if uniform else Sdf.VariabilityVarying
    spec = Sdf.AttributeSpec(prim, name, kind, variability, custom)
    if value is not None:
        spec.default = value
    return spec


def relationship(prim, name: str, target: str) -> None:
    from pxr import Sdf

    Sdf.RelationshipSpec(prim, name, False).targetPathList.explicitItems = [Sdf.Path(target)]


def api_schemas(prim, *names: str) -> None:
    from pxr import Sdf

    prim.SetInfo("apiSchemas", Sdf.TokenListOp.Create(prependedItems=list(names)))


def transform(prim, axes: np.ndarray, origin) -> None:
    """A transform whose rows are the local x, y and z axes in the parent, then the origin (USD's rows)."""
    from pxr import Gf, Sdf

    matrix = np.eye(4)
    matrix[:3, :3] = axes
    matrix[3, :3] = origin
    attribute(prim, "xformOp:transform", Sdf.ValueTypeNames.Matrix4d, Gf.Matrix4d(matrix.tolist()))
    op_order(prim, "xformOp:transform")


def op_order(prim, *operations: str) -> None:
    """The order in which the prim's transform operations apply."""
    from pxr import Sdf, Vt

    attribute(prim, "xformOpOrder", Sdf.ValueTypeNames.TokenArray, Vt.TokenArray(operations), uniform=True)


def unit_colour(colour) -> tuple[float, float, float]:
    return tuple(float(value) / 255 for value in colour)  # type: ignore[return-value]
