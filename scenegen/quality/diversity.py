"""Measures of a training set's diversity: archetype balance, tag coverage, prompt similarity and Vendi."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer


def js_divergence(observed: dict[str, float], target: dict[str, float]) -> float:
    """Jensen-Shannon divergence (bits, 0 to 1) of two distributions over the same names (normalised here)."""
    names = set(observed) | set(target)
    p = np.array([observed.get(n, 0.0) for n in names], dtype=float)
    q = np.array([target.get(n, 0.0) for n in names], dtype=float)
    p, q = p / p.sum(), q / q.sum()
    m = (p + q) / 2

    def kl(a: np.ndarray) -> float:
        mask = a > 0
        return float(np.sum(a[mask] * np.log2(a[mask] / m[mask])))

    return (kl(p) + kl(q)) / 2


def shares(archetypes: Iterable[str]) -> dict[str, float]:
    counts = Counter(archetypes)
    total = sum(counts.values())
    return {name: count / total for name, count in counts.items()}


def scene_text(prompt: str) -> str:
    """The part of a prompt that describes the scene: the camera brief every prompt ends with is left out."""
    return prompt.split("Camera:", 1)[0].strip()


def tfidf(texts: Sequence[str]) -> np.ndarray:
    """L2-normalised TF-IDF rows (dense: the sets compared here are hundreds of prompts, not millions)."""
    vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english")
    return vectorizer.fit_transform([scene_text(t) for t in texts]).toarray()


def max_similarity(candidate: str, others: Sequence[str]) -> float:
    """The highest TF-IDF cosine similarity of `candidate` to any of `others` (0 when there are none)."""
    if not others:
        return 0.0
    vectors = tfidf([candidate, *others])
    return float(np.max(vectors[1:] @ vectors[0]))


def vendi_score(texts: Sequence[str]) -> float:
    """Vendi score: the effective number of distinct items, exp of the entropy of the eigenvalues of the
    cosine-similarity matrix over n (1 for n copies of one prompt, n for n unrelated ones)."""
    if not texts:
        return 0.0
    vectors = tfidf(texts)
    eigenvalues = np.linalg.eigvalsh(vectors @ vectors.T / len(texts))
    eigenvalues = eigenvalues[eigenvalues > 1e-12]
    return float(math.exp(-np.sum(eigenvalues * np.log(eigenvalues))))


def coverage_day(daily_cells: Sequence[set[tuple[str, str]]], every_cell: set[tuple[str, str]]) -> int | None:
    """The first day (1-based) by which every (archetype, tag) cell has been made, or None."""
    seen: set[tuple[str, str]] = set()
    for day, cells in enumerate(daily_cells, start=1):
        seen |= cells
        if every_cell <= seen:
            return day
    return None


def near_duplicate_rate(prompts_by_archetype: dict[str, list[str]], threshold: float) -> float:
    """Share of prompts at least `threshold` similar to an earlier prompt of their archetype."""
    near = total = 0
    for prompts in prompts_by_archetype.values():
        if len(prompts) < 2:
            total += len(prompts)
            continue
        vectors = tfidf(prompts)
        similarity = np.tril(vectors @ vectors.T, k=-1)  # each prompt against the ones before it
        near += int(np.sum(similarity.max(axis=1) >= threshold))
        total += len(prompts)
    return near / total if total else 0.0
