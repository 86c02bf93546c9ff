"""Daily runs of procedural images through the real renderer and checks: how far apart the images stay.

Used by `bench/diversity.py --images`. Each day plans its scenes against the last 30 days (the real weights
and local prompt writer), renders them, and checks each against the recent images of its archetype as the
pipeline does: an image within the near-copy threshold is rejected and replaced by a fresh spec, at most
three times. Rendering runs in worker processes of a given checkout, so that an earlier renderer is
measured on the same days, the same specs and the same checks.
"""

from __future__ import annotations

import itertools
import json
import os
import statistics
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import imagehash

from scenegen.catalogue import ArchetypeConfig
from scenegen.models import SceneSpec, utcnow
from scenegen.planning.prompts import LocalPromptWriter
from scenegen.planning.weights import archetype_shares, plan_slots
from scenegen.records import HistoryRecord

REPLACEMENTS = 3
WORKER = """
import json, sys
from scenegen.errors import ImageRejected
try:
    from scenegen.catalogue import load_archetype_config
    from scenegen.quality.checks import inspect_image
except ImportError:  # a checkout before the library's packages
    from scenegen.config import load_archetype_config
    from scenegen.image_checks import inspect_image
config = load_archetype_config()
try:
    from scenegen.render import render_scene
    draw = lambda archetype, tags, seed: render_scene(archetype, tags, seed)
except ImportError:  # the renderer before the ground truth
    from scenegen.render import render_image
    draw = lambda archetype, tags, seed: render_image(archetype, tags, seed)[0]
try:  # the review of its ground truth, where the checkout has one: the problems it finds
    from scenegen.backends.local.ground_truth_review import ground_truth_rubric
    from scenegen.render.ground_truth import layout_document
    try:
        from scenegen.quality.review import judge, problems
    except ImportError:  # a checkout before the library's packages
        from scenegen.review import judge
        problems = lambda review: review.problems

    def review(rendering, archetype):
        layout = layout_document(rendering)
        rubric = ground_truth_rubric(rendering.instances, layout, rendering.camera, archetype, config.review)
        return problems(judge(rubric, archetype, config.review, "ground-truth", 0.0))
except ImportError:
    review = None
for line in sys.stdin:
    archetype, tags, seed = json.loads(line)
    drawn = draw(archetype, tuple(tags), seed)
    image = getattr(drawn, "image", drawn)
    try:
        answer = {"phash": inspect_image(image, [], config.quality)}
        if review is not None:
            answer["review"] = review(drawn, archetype)
    except ImageRejected as exc:
        answer = {"rejected": str(exc)}
    print(json.dumps(answer), flush=True)
"""


class Renderers:
    """Worker processes drawing with the renderer of `checkout`, one per core."""

    def __init__(self, checkout: Path, workers: int) -> None:
        env = os.environ | {"PYTHONPATH": str(checkout), "OMP_NUM_THREADS": "1"}
        self.workers = [
            subprocess.Popen(
                [sys.executable, "-c", WORKER],
                cwd=checkout,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(workers)
        ]

    def hashes(self, specs: list[SceneSpec]) -> list[dict[str, str]]:
        answers: list[dict[str, str]] = []
        for start in range(0, len(specs), len(self.workers)):
            batch = list(zip(self.workers, specs[start : start + len(self.workers)], strict=False))
            for worker, spec in batch:
                worker.stdin.write(json.dumps([spec.archetype, list(spec.variation_tags), spec.seed]) + "\n")
                worker.stdin.flush()
            answers += [json.loads(worker.stdout.readline()) for worker, _ in batch]
        return answers

    def close(self) -> None:
        for worker in self.workers:
            worker.stdin.close()
            worker.wait(timeout=30)


@dataclass
class Days:
    stored: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # archetype -> phashes
    failed_days: list[int] = field(default_factory=list)
    rejected: int = 0
    rendered: int = 0
    reviewed: int = 0
    unsuitable: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # problem -> images


def run_days(config: ArchetypeConfig, renderers: Renderers, days: int, per_day: int) -> Days:
    writer = LocalPromptWriter(config, image_model="procedural-v2")
    threshold = config.quality.max_phash_distance
    result = Days()
    records: list[HistoryRecord] = []
    start = utcnow()
    for day in range(days):
        now = start + timedelta(days=day)
        window = [r for r in records if r.generated_at >= now - timedelta(days=30)]
        shares = archetype_shares(config.base_weights(None), window, per_day, 30, now)
        specs = writer.write(plan_slots(shares, per_day, day), window, day, now).specs
        answers = renderers.hashes(specs)
        result.rendered += len(specs)
        today: list[HistoryRecord] = []
        for spec, answer in zip(specs, answers, strict=True):
            for attempt in range(REPLACEMENTS + 1):
                recent = [r.phash for r in window + today if r.success and r.archetype == spec.archetype]
                reason = answer.get("rejected") or _unsuitable(answer, result)
                reason = reason or _near_copy(answer["phash"], recent, threshold)
                made = HistoryRecord.of(
                    spec, failure=reason, failure_status="rejected", phash=answer.get("phash")
                )
                today.append(
                    made.model_copy(update={"generated_at": now, "phash": None if reason else made.phash})
                )
                if not reason or attempt == REPLACEMENTS:
                    break
                result.rejected += 1
                spec = writer.write([spec.archetype], window + today, spec.seed + attempt + 1, now).specs[0]
                answer = renderers.hashes([spec])[0]
                result.rendered += 1
            if reason:
                result.failed_days.append(day)
            else:
                result.stored[spec.archetype].append(answer["phash"])
        records += today
    return result


def _unsuitable(answer: dict, days: Days) -> str | None:
    """The review's problems with the image (REVIEW=required rejects it), counted."""
    if "review" not in answer:
        return None
    days.reviewed += 1
    for problem in answer["review"]:
        days.unsuitable[problem] += 1
    return "unsuitable: " + ", ".join(answer["review"]) if answer["review"] else None


def _near_copy(phash: str, recent: list[str | None], threshold: int) -> str | None:
    mine = imagehash.hex_to_hash(phash)
    for other in recent:
        if other and mine - imagehash.hex_to_hash(other) <= threshold:
            return "near copy"
    return None


def distances(stored: dict[str, list[str]]) -> dict[str, list[int]]:
    """Perceptual-hash distance of every same-archetype pair of stored images."""
    return {
        name: [
            imagehash.hex_to_hash(a) - imagehash.hex_to_hash(b) for a, b in itertools.combinations(hashes, 2)
        ]
        for name, hashes in sorted(stored.items())
    }


def describe(label: str, days: Days) -> dict[str, float]:
    pairs = distances(days.stored)
    print(
        f"\n{label}: {sum(map(len, days.stored.values()))} images stored of {days.rendered} rendered, "
        f"{days.rejected} rejected (near copies, or unsuitable), "
        f"days with a failed scene: {sorted(set(days.failed_days)) or 'none'}"
    )
    if days.reviewed:
        problems = ", ".join(f"{p} {n}" for p, n in sorted(days.unsuitable.items())) or "none"
        print(f"review (ground truth): {days.reviewed} images reviewed; problems found: {problems}")
    print(f"{'archetype':<14}{'images':>7}{'pairs':>7}{'min':>5}{'p5':>5}{'median':>7}{'<=6':>5}{'<=10':>6}")
    for name, values in pairs.items():
        if not values:
            continue
        ordered = sorted(values)
        print(
            f"{name:<14}{len(days.stored[name]):>7}{len(values):>7}{ordered[0]:>5}"
            f"{ordered[len(ordered) // 20]:>5}{statistics.median(values):>7.1f}"
            f"{sum(v <= 6 for v in values):>5}{sum(v <= 10 for v in values):>6}"
        )
    every = [v for values in pairs.values() for v in values]
    within_6 = sum(v <= 6 for v in every)
    within_10 = sum(v <= 10 for v in every) / max(len(every), 1)
    print(f"all: {len(every)} same-archetype pairs, {within_6} within 6 bits, {within_10:.2%} within 10 bits")
    return {"within_6": within_6, "within_10": within_10, "failed_days": len(set(days.failed_days))}
