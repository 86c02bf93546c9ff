"""A reconstruction in an unknown frame and scale brought into the twin's world: a similarity transform (a
turn about Z, one scale, a shift; both frames Z up) found by RANSAC over category-compatible object centres,
then refined on points spread over the surfaces (a few rounds of closest points, as ICP does)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from scenegen.scoring.metrics import Box, surface_distances, surface_points

INLIER_M = 0.3  # a reconstructed centre this near a twin centre of its category, once moved, agrees


@dataclass(frozen=True)
class Similarity:
    scale: float
    rotation: np.ndarray  # (3, 3)
    translation: np.ndarray  # (3,)

    def apply(self, points: np.ndarray) -> np.ndarray:
        return self.scale * points @ self.rotation.T + self.translation

    def apply_box(self, box: Box) -> Box:
        yaw = math.degrees(math.atan2(self.rotation[1, 0], self.rotation[0, 0]))
        return Box(
            box.category,
            tuple(self.apply(np.asarray(box.center)[None, :])[0]),
            tuple(self.scale * np.asarray(box.size)),
            box.yaw_deg + yaw,
        )


def umeyama(source: np.ndarray, target: np.ndarray, upright: bool = True) -> Similarity:
    """The least-squares similarity taking `source` points onto `target` (Umeyama 1991); with `upright`,
    a turn about Z only (both frames Z up)."""
    mean_s, mean_t = source.mean(axis=0), target.mean(axis=0)
    s, t = source - mean_s, target - mean_t
    dims = 2 if upright else 3
    covariance = t[:, :dims].T @ s[:, :dims] / len(source)
    u, singular, vt = np.linalg.svd(covariance)
    d = np.eye(dims)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        d[-1, -1] = -1
    turn = u @ d @ vt
    variance = (s[:, :dims] ** 2).sum() / len(source) if upright else (s**2).sum() / len(source)
    scale = float(np.trace(np.diag(singular) @ d) / variance) if variance > 0 else 1.0
    if upright:  # the heights scale alike: fit the scale over all three axes with the turn fixed
        rotation = np.eye(3)
        rotation[:2, :2] = turn
        turned = s @ rotation.T
        scale = float((turned * t).sum() / max((turned**2).sum(), 1e-12))
    else:
        rotation = turn
    translation = mean_t - scale * mean_s @ rotation.T
    return Similarity(scale, rotation, translation)


def align(twin: list[Box], reconstruction: list[Box], ignore_labels: bool = False) -> tuple[Similarity, int]:
    """The similarity taking `reconstruction` into the twin's world, and how many objects support it:
    RANSAC over object centres, then refined on the surfaces. ValueError when no two objects agree."""
    found, inliers = ransac_similarity(twin, reconstruction, ignore_labels=ignore_labels)
    return refine_on_surfaces(found, twin, reconstruction), inliers


def ransac_similarity(
    twin: list[Box],
    reconstruction: list[Box],
    iterations: int = 2000,
    seed: int = 0,
    ignore_labels: bool = False,
) -> tuple[Similarity, int]:
    """A similarity from reconstruction to twin supported by the most category-compatible centre pairs:
    minimal samples of two pairs (a turn about Z, a scale, a shift), objects of rare categories drawn more
    often (their partner is more likely the right one), each guess scored by how many reconstructed centres
    land near a twin centre of their category; refined on the inliers. Returns it and its inliers."""
    rng = np.random.default_rng(seed)
    label = (lambda box: "") if ignore_labels else (lambda box: box.category)
    twin_centres = np.array([b.center for b in twin], float)
    recon_centres = np.array([b.center for b in reconstruction], float)
    by_category: dict[str, np.ndarray] = {}
    for index, box in enumerate(twin):
        by_category.setdefault(label(box), []).append(index)  # type: ignore[arg-type]
    by_category = {category: np.array(indices) for category, indices in by_category.items()}
    twin_labels = np.array([label(b) for b in twin])
    recon_labels = np.array([label(b) for b in reconstruction])
    candidates = np.array([j for j, b in enumerate(reconstruction) if label(b) in by_category])
    if len(candidates) < 2:
        raise ValueError("fewer than two reconstructed objects share a category with the twin")
    rarity = np.array([1.0 / len(by_category[recon_labels[j]]) for j in candidates])
    tree = cKDTree(twin_centres)

    def inliers(guess: Similarity) -> tuple[np.ndarray, np.ndarray]:
        distance, nearest = tree.query(guess.apply(recon_centres), k=4, distance_upper_bound=INLIER_M)
        found = np.isfinite(distance) & (
            twin_labels[np.minimum(nearest, len(twin) - 1)] == recon_labels[:, None]
        )
        first = np.where(found.any(axis=1), found.argmax(axis=1), -1)
        kept = np.nonzero(first >= 0)[0]
        return kept, nearest[kept, first[kept]]

    best: tuple[int, Similarity | None, tuple[np.ndarray, np.ndarray]] = (
        -1,
        None,
        (np.zeros(0), np.zeros(0)),
    )
    for _ in range(iterations):
        first, second = rng.choice(candidates, 2, replace=False, p=rarity / rarity.sum())
        a = rng.choice(by_category[recon_labels[first]])
        b = rng.choice(by_category[recon_labels[second]])
        source, target = recon_centres[[first, second]], twin_centres[[a, b]]
        if a == b or np.linalg.norm(source[0, :2] - source[1, :2]) < 1e-6:
            continue
        guess = umeyama(source, target)
        if not 1e-3 < guess.scale < 1e3:
            continue
        pairs = inliers(guess)
        if len(pairs[0]) > best[0]:
            best = (len(pairs[0]), guess, pairs)
            if len(pairs[0]) >= 0.9 * len(candidates):
                break  # nearly every object agrees: no sample will do much better
    count, found, pairs = best
    if found is None or count < 2:
        raise ValueError("no similarity is supported by two or more objects")
    for _ in range(3):  # refine on the inliers, then look for inliers again
        refined = umeyama(recon_centres[pairs[0]], twin_centres[pairs[1]])
        more = inliers(refined)
        if len(more[0]) < len(pairs[0]):
            break
        found, pairs = refined, more
    return found, len(pairs[0])


def refine_on_surfaces(
    guess: Similarity, twin: list[Box], reconstruction: list[Box], rounds: int = 8, count: int = 4000
) -> Similarity:
    """A few rounds of closest points between the surfaces (ICP): each round pairs every reconstructed
    surface point with the twin's nearest, keeps the closer pairs and fits the similarity on them. Kept only
    if the reconstructed surfaces then lie closer to the twin's (measured to its boxes, not to its points)."""
    target = surface_points(twin, count)
    source = surface_points(reconstruction, count, seed=1)
    tree = cKDTree(target)
    current = guess
    for _ in range(rounds):
        distance, nearest = tree.query(current.apply(source))
        close = distance <= np.quantile(distance, 0.8)
        if close.sum() < 3:
            break
        current = umeyama(source[close], target[nearest[close]])

    def apart(similarity: Similarity) -> float:
        return float(surface_distances(similarity.apply(source), twin).mean())

    return current if apart(current) < apart(guess) else guess
