"""How much of a twin's room a reconstruction got right: objects matched one to one on the 3D IoU of their
oriented boxes, precision, recall and F1 at IoU thresholds, the matched pairs' centre, size and yaw errors,
and the surfaces' Chamfer distance and F-score; for a reconstruction in an unknown frame and scale, the
similarity transform that brings it into the twin's world frame, estimated robustly first.

Boxes turn about Z only (yaw), as layout.json's do, so a box's IoU is its footprints' overlap (two convex
polygons clipped) times the overlap of their heights.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.spatial import cKDTree

THRESHOLDS = (0.25, 0.5)
MIN_THICKNESS_M = 0.02
THIN_SHARE = 0.1
LARGE_M = 2.0


@dataclass(frozen=True)
class Box:
    category: str
    center: tuple[float, float, float]
    size: tuple[float, float, float]
    yaw_deg: float = 0.0

    def footprint(self) -> np.ndarray:
        """The box's four corners in XY, counter-clockwise."""
        half_x, half_y = self.size[0] / 2, self.size[1] / 2
        yaw = math.radians(self.yaw_deg)
        c, s = math.cos(yaw), math.sin(yaw)
        local = np.array([[-half_x, -half_y], [half_x, -half_y], [half_x, half_y], [-half_x, half_y]])
        return local @ np.array([[c, s], [-s, c]]) + np.asarray(self.center[:2])

    @property
    def volume(self) -> float:
        return float(np.prod(self.size))


def thickened(box: Box) -> Box:
    """A thin box as the IoU sees it: no side under MIN_THICKNESS_M or THIN_SHARE of its longest (a pane
    or a board turned a few degrees would otherwise barely overlap itself)."""
    least = max(MIN_THICKNESS_M, THIN_SHARE * max(box.size))
    if min(box.size) >= least:
        return box
    return Box(box.category, box.center, tuple(max(v, least) for v in box.size), box.yaw_deg)


def polygon_area(points: np.ndarray) -> float:
    if len(points) < 3:
        return 0.0
    x, y = points[:, 0], points[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def clip(subject: np.ndarray, clipper: np.ndarray) -> np.ndarray:
    """Sutherland-Hodgman: the part of convex polygon `subject` inside convex, counter-clockwise `clipper`."""
    output = subject
    for start, end in zip(clipper, np.roll(clipper, -1, axis=0), strict=True):
        if len(output) == 0:
            break
        edge = end - start

        def inside(point: np.ndarray, start=start, edge=edge) -> bool:
            return edge[0] * (point[1] - start[1]) - edge[1] * (point[0] - start[0]) >= -1e-12

        points, output = output, []
        for current, following in zip(points, np.roll(points, -1, axis=0), strict=True):
            if inside(following):
                if not inside(current):
                    output.append(_crossing(current, following, start, edge))
                output.append(following)
            elif inside(current):
                output.append(_crossing(current, following, start, edge))
        output = np.array(output) if output else np.zeros((0, 2))
    return output


def _crossing(p: np.ndarray, q: np.ndarray, start: np.ndarray, edge: np.ndarray) -> np.ndarray:
    direction = q - p
    denominator = edge[0] * direction[1] - edge[1] * direction[0]
    t = (edge[1] * (p[0] - start[0]) - edge[0] * (p[1] - start[1])) / denominator
    return p + t * direction


def box_iou(a: Box, b: Box) -> float:
    """3D IoU of two boxes that turn about Z only, each thickened first (`thickened`): two flat surfaces
    in the same place overlap, and a thin board turned by a few degrees still overlaps itself."""
    a, b = thickened(a), thickened(b)
    low = max(a.center[2] - a.size[2] / 2, b.center[2] - b.size[2] / 2)
    high = min(a.center[2] + a.size[2] / 2, b.center[2] + b.size[2] / 2)
    if high <= low:
        return 0.0
    reach = (np.hypot(*a.size[:2]) + np.hypot(*b.size[:2])) / 2
    if np.hypot(a.center[0] - b.center[0], a.center[1] - b.center[1]) > reach:
        return 0.0
    overlap = polygon_area(clip(a.footprint(), b.footprint())) * (high - low)
    union = a.volume + b.volume - overlap
    return overlap / union if union > 0 else 0.0


def match(
    twin: list[Box], reconstruction: list[Box], ignore_labels: bool = False
) -> list[tuple[int, int, float]]:
    """One-to-one pairs (twin index, reconstruction index, IoU) that maximise the summed IoU, the same
    category required unless `ignore_labels`; pairs that do not overlap are left out."""
    if not twin or not reconstruction:
        return []
    iou = np.zeros((len(twin), len(reconstruction)))
    # only boxes whose footprints' circles meet can overlap: found through a tree of the centres
    tree = cKDTree(np.array([b.center[:2] for b in reconstruction]))
    widest = max(np.hypot(*b.size[:2]) for b in reconstruction) / 2
    for i, a in enumerate(twin):
        for j in tree.query_ball_point(a.center[:2], r=np.hypot(*a.size[:2]) / 2 + widest):
            b = reconstruction[j]
            if ignore_labels or a.category == b.category:
                iou[i, j] = box_iou(a, b)
    rows, columns = linear_sum_assignment(-iou)
    return [(int(i), int(j), float(iou[i, j])) for i, j in zip(rows, columns, strict=True) if iou[i, j] > 0]


def detection_scores(
    pairs: list[tuple[int, int, float]], counted: set[int], reconstructed: int
) -> dict[str, dict[str, float]]:
    """Precision, recall and F1 at each IoU threshold. Recall counts the twin objects in `counted` (those the
    image shows); a reconstructed object paired with an uncounted one, at any overlap, is neither a hit nor
    a false positive at any threshold: the image did not show what it found."""
    spared = sum(1 for i, _, _ in pairs if i not in counted)
    predicted = reconstructed - spared
    scores = {}
    for threshold in THRESHOLDS:
        found = sum(1 for i, _, iou in pairs if iou >= threshold and i in counted)
        precision = found / predicted if predicted else 0.0
        recall = found / len(counted) if counted else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[str(threshold)] = {"precision": precision, "recall": recall, "f1": f1, "matched": found}
    return scores


def pair_errors(pairs: list[tuple[int, int, float]], twin: list[Box], reconstruction: list[Box]) -> dict:
    """Mean centre error (cm), size error (%) and yaw error (degrees, modulo the box's symmetry) of pairs."""
    if not pairs:
        return {"centre_error_cm": None, "size_error_pct": None, "yaw_error_deg": None}
    centre, size, yaw = [], [], []
    for i, j, _ in pairs:
        a, b = twin[i], reconstruction[j]
        centre.append(100 * float(np.linalg.norm(np.subtract(a.center, b.center))))
        size.append(100 * float(np.mean(np.abs(np.subtract(b.size, a.size)) / np.maximum(a.size, 1e-6))))
        turn = (b.yaw_deg - a.yaw_deg) % 180  # a box looks the same turned half round
        yaw.append(min(turn, 180 - turn))
    return {
        "centre_error_cm": float(np.mean(centre)),
        "size_error_pct": float(np.mean(size)),
        "yaw_error_deg": float(np.mean(yaw)),
    }


def surface_points(boxes: list[Box], count: int = 20_000, seed: int = 0) -> np.ndarray:
    """`count` points spread uniformly over the boxes' surfaces (each face drawn by its area)."""
    if not boxes:
        return np.zeros((0, 3))
    rng = np.random.default_rng(seed)
    sizes = np.maximum(np.array([b.size for b in boxes], float), 1e-3)
    # six faces a box: the pair across each axis, with the area of the other two sides
    areas = np.stack([sizes[:, 1] * sizes[:, 2], sizes[:, 0] * sizes[:, 2], sizes[:, 0] * sizes[:, 1]], 1)
    weights = np.repeat(areas, 2, axis=1).reshape(-1)
    faces = rng.choice(len(weights), size=count, p=weights / weights.sum())
    box, axis, side = faces // 6, (faces % 6) // 2, faces % 2
    local = (rng.uniform(-0.5, 0.5, (count, 3))) * sizes[box]
    local[np.arange(count), axis] = (side - 0.5) * sizes[box, axis]
    yaw = np.radians([b.yaw_deg for b in boxes])[box]
    centres = np.array([b.center for b in boxes], float)[box]
    x = np.cos(yaw) * local[:, 0] - np.sin(yaw) * local[:, 1]
    y = np.sin(yaw) * local[:, 0] + np.cos(yaw) * local[:, 1]
    return np.stack([x, y, local[:, 2]], 1) + centres


def surface_distances(points: np.ndarray, boxes: list[Box], nearest: int = 12) -> np.ndarray:
    """Each point's distance (m) to the nearest surface of `boxes`: inside a box, to its nearest face.
    Searched among the boxes with the `nearest` closest centres and every box over LARGE_M across (a wall
    is near points far from its centre)."""
    if not boxes or not len(points):
        return np.full(len(points), np.inf)
    centres = np.array([b.center for b in boxes], float)
    halves = np.maximum(np.array([b.size for b in boxes], float), 1e-3) / 2  # as surface_points spreads them
    yaws = np.radians([b.yaw_deg for b in boxes])
    large = np.nonzero(np.linalg.norm(halves, axis=1) > LARGE_M / 2)[0]
    k = min(nearest, len(boxes))
    _, close = cKDTree(centres).query(points, k=k)
    candidates = np.concatenate(
        [close.reshape(len(points), k), np.broadcast_to(large, (len(points), len(large)))], 1
    )
    px, py, pz = (points[:, None, axis].astype(np.float32) for axis in range(3))
    cx, cy, cz = (centres[candidates, axis].astype(np.float32) for axis in range(3))
    hx, hy, hz = (halves[candidates, axis].astype(np.float32) for axis in range(3))
    c, s = np.cos(yaws[candidates]).astype(np.float32), np.sin(yaws[candidates]).astype(np.float32)
    ox, oy = px - cx, py - cy
    beyond_x, beyond_y = np.abs(c * ox + s * oy) - hx, np.abs(c * oy - s * ox) - hy
    beyond_z = np.abs(pz - cz) - hz
    outside = np.sqrt(sum(np.maximum(b, 0) ** 2 for b in (beyond_x, beyond_y, beyond_z)))
    inside = np.minimum(np.maximum(np.maximum(beyond_x, beyond_y), beyond_z), 0)  # inside: minus the way out
    return (outside - inside).min(axis=1).astype(float)


def chamfer(
    twin: list[Box], reconstruction: list[Box], within: float = 0.05, count: int = 10_000
) -> tuple[float, float]:
    """Symmetric mean distance (m) from points spread over each side's surfaces to the other side's
    surfaces, and the F-score of the points within `within` metres."""
    to_reconstruction = surface_distances(surface_points(twin, count), reconstruction)
    to_twin = surface_distances(surface_points(reconstruction, count, seed=1), twin)
    distance = (float(to_reconstruction.mean()) + float(to_twin.mean())) / 2
    recall, precision = float((to_reconstruction <= within).mean()), float((to_twin <= within).mean())
    fscore = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return distance, fscore
