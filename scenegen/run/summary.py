"""What a run says about itself: the plan and scene tables, the summary, and its verdict."""

from __future__ import annotations

from collections import Counter

from scenegen.models import SceneSpec
from scenegen.planning.history import REFUSED
from scenegen.quality.review import review_markdown, tally_reviews
from scenegen.records import SceneOutcome
from scenegen.twins.agreement import agreement_markdown, tally_agreements


def plan_rows(specs: list[SceneSpec]) -> list[dict[str, str]]:
    return [
        {
            "scene_id": s.scene_id,
            "archetype": s.archetype,
            "tags": ", ".join(s.variation_tags),
            "prompt_model": s.prompt_model,
            "prompt": s.prompt[:160],
        }
        for s in specs
    ]


def scene_rows(outcomes: list[SceneOutcome]) -> list[dict[str, str]]:
    return [
        {
            "scene_id": o.spec.scene_id,
            "archetype": o.spec.archetype,
            "tags": ", ".join(o.spec.variation_tags),
            "uri": o.scene_uri or "",
            "status": o.status,
            "cost_usd": f"{o.cost_usd:.3f}",
            "review": o.review.verdict if o.review else "",
            "reason": o.failure_reason or "",
            "replaces": o.replaces or "",
        }
        for o in outcomes
    ]


def spend_line(outcomes: list[SceneOutcome], prompts_cost_usd: float) -> str:
    online = sum(o.cost_usd - o.review_cost_usd for o in outcomes if not o.batch_job)
    batch = sum(o.cost_usd - o.review_cost_usd for o in outcomes if o.batch_job)
    reviews = sum(o.review_cost_usd for o in outcomes)
    submitted = sum(o.status == "submitted" for o in outcomes)
    waiting = f"; {submitted} images submitted, charged at the batch price when answered" if submitted else ""
    return (
        f"Estimated spend: ${online + batch + reviews + prompts_cost_usd:.2f} "
        f"(images online ${online:.2f}, images in batch jobs ${batch:.2f}, reviews ${reviews:.2f}, "
        f"prompts ${prompts_cost_usd:.2f}{waiting})"
    )


def summary_markdown(
    outcomes: list[SceneOutcome],
    shares: dict[str, float] | None,
    where: str,
    prompts_cost_usd: float = 0.0,
    review_mode: str = "required",
) -> str:
    planned = Counter(o.spec.archetype for o in outcomes)
    made = Counter(o.spec.archetype for o in outcomes if o.succeeded)
    failed = [o for o in outcomes if not o.settled]
    not_stored = Counter(o.spec.archetype for o in failed)  # a scene waiting in a batch job has not failed
    statuses = ", ".join(f"{n} {status}" for status, n in sorted(Counter(o.status for o in failed).items()))
    lines = [
        f"# Scene generation: {sum(made.values())} of {len(outcomes)} scenes stored",
        "",
        f"Scenes are under `{where}`. {spend_line(outcomes, prompts_cost_usd)}."
        + (f" Not stored: {statuses}." if failed else ""),
        "",
        "| archetype | target share | planned | stored | failed |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in sorted(set(planned) | set(shares or {})):
        share = f"{shares[name]:.0%}" if shares and name in shares else "-"
        lines.append(f"| {name} | {share} | {planned[name]} | {made[name]} | {not_stored[name]} |")
    reviews = tally_reviews((o.spec.archetype, review) for o in outcomes for review in o.reviews)
    lines += ["", "## Review", "", *review_markdown(reviews, review_mode)]
    agreements = tally_agreements((o.spec.archetype, a) for o in outcomes for a in o.agreements)
    if agreements:
        lines += ["", "## Twins: agreement with the reference", "", *agreement_markdown(agreements)]
    replaced = [o for o in outcomes if o.replaces]
    if replaced:
        lines += ["", "## Images rejected and made again", ""]
        lines += [f"- `{o.spec.scene_id}` replaces `{o.replaces}`" for o in replaced]
    if failed:
        lines += ["", "## Failures", ""]
        lines += [
            f"- `{o.spec.scene_id}` ({o.spec.archetype}, {o.status}): {o.failure_reason}" for o in failed
        ]
    return "\n".join(lines)


def left_for_rerun(outcomes: list[SceneOutcome]) -> int:
    """How many of a run's scenes `rerun-failed` takes without being told their ids (a refused one is made
    again only when named: the same spec would be refused again)."""
    return sum(1 for o in outcomes if not o.settled and o.status not in REFUSED)


def run_verdict(outcomes: list[SceneOutcome], scenes_root: str) -> tuple[bool, str]:
    """Whether every scene was stored, and the run's message, naming the failed scenes.

    A run stopped early (a fatal error, the budget) leads with why, since that is what to fix.
    A batch run's submitted scenes are not failures: collect-batches stores them.
    """
    failed = [o.spec.scene_id for o in outcomes if not o.settled and o.status != "skipped"]
    skipped = [o for o in outcomes if o.status == "skipped"]
    submitted = [o for o in outcomes if o.status == "submitted"]
    stored = sum(o.succeeded for o in outcomes)
    jobs = sorted({o.batch_job for o in submitted if o.batch_job})
    where = f"{stored} stored under {scenes_root}"
    if submitted:
        where += (
            f"; {len(submitted)} submitted in batch jobs {', '.join(jobs) or '(unconfirmed)'}, "
            "stored by `scenegen collect`"
        )
    if failed or skipped:
        parts = [f"{len(skipped)} of {len(outcomes)} scenes {skipped[0].failure_reason}"] if skipped else []
        if failed:
            parts.append(f"{len(failed)} of {len(outcomes)} scenes failed: {', '.join(failed)}")
        left = left_for_rerun(outcomes)
        return False, f"{'; '.join(parts)} ({where}); {left} left for `scenegen rerun-failed`"
    if submitted and not stored:
        return (
            True,
            f"{len(submitted)} of {len(outcomes)} scenes submitted in batch jobs {', '.join(jobs)}; "
            "`scenegen collect` stores them once the jobs end",
        )
    return True, f"{stored} of {len(outcomes)} scenes stored under {scenes_root}" + (
        f"; {len(submitted)} submitted in batch jobs" if submitted else ""
    )
