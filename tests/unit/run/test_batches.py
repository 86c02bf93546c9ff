"""Batch mode's plain parts: job names, the inline limit, the budget at the batch price, and the order that
keeps a job findable."""

from __future__ import annotations

from datetime import timedelta

from scenegen.backends.local.sqlite import SqliteHistoryStore
from scenegen.images import BatchJob
from scenegen.models import SceneSpec, prompt_hash, utcnow
from scenegen.prices import load_price_table
from scenegen.run.batches import (
    NEVER_CREATED_AFTER,
    affordable_count,
    job_display_name,
    poll_submitted,
    split_for_inline_limit,
    submit_job,
    submitted_record,
)


def spec(n: int, prompt: str = "A wide view of a warehouse.") -> SceneSpec:
    return SceneSpec(
        scene_id=f"warehouse-{n:04d}",
        archetype="warehouse",
        prompt=prompt,
        variation_tags=("dawn",),
        seed=n,
        prompt_hash=prompt_hash(prompt),
        image_model="gemini-3-pro-image",
        prompt_model="local",
    )


class RecordingBatches:
    """A BatchBackend that keeps its jobs in memory and notes what the history held when it created one."""

    model = "gemini-3-pro-image"
    expected_cost_usd = 0.07

    def __init__(self, history: SqliteHistoryStore) -> None:
        self.history = history
        self.jobs: dict[str, str] = {}  # display name -> job name
        self.seen_at_create: list[set[str | None]] = []

    def find(self, display_name: str) -> str | None:
        return self.jobs.get(display_name)

    def create(self, specs: list[SceneSpec], display_name: str, references: object = None) -> str:
        self.seen_at_create.append({self.history.get(s.scene_id).batch_job for s in specs})
        self.jobs[display_name] = f"batches/{len(self.jobs) + 1}"
        return self.jobs[display_name]

    def poll(self, name: str) -> BatchJob:
        return BatchJob(name=name, state="JOB_STATE_RUNNING")


def test_a_jobs_display_name_depends_on_its_scenes_not_their_order():
    assert job_display_name(["b", "a"]) == job_display_name(["a", "b"])
    assert job_display_name(["a", "b"]) != job_display_name(["a", "c"])
    assert job_display_name(["a"]).startswith("scenegen-")


def test_jobs_are_split_in_order_to_stay_under_the_inline_limit():
    specs = [spec(n, "x" * 3_000) for n in range(10)]
    jobs = split_for_inline_limit(specs, limit=12_000)
    assert [s for job in jobs for s in job] == specs
    assert [len(job) for job in jobs] == [2, 2, 2, 2, 2]  # 5,002 bytes each: two fit, a third does not
    assert split_for_inline_limit(specs) == [specs]
    assert split_for_inline_limit([]) == []
    # a twin's request carries its reference: up to 150 KB of JPEG, 200 KB as base64; 20 MB hold 98 of them
    twins = [spec(n) for n in range(250)]
    jobs = split_for_inline_limit(twins, reference_bytes={s.scene_id: 150_000 for s in twins})
    assert [len(job) for job in jobs] == [98, 98, 54]
    assert split_for_inline_limit(twins, reference_bytes={}) == [twins]


def test_the_budget_counts_each_submission_at_the_batch_price():
    prices = load_price_table()
    price = prices.expected("gemini-3-pro-image", image=True, batch=True)
    assert price == prices.expected("gemini-3-pro-image", image=True) / 2
    assert affordable_count(5, price, None, 0.0) == 5
    assert (
        affordable_count(5, price, 0.15, 0.0) == 3
    )  # a run starts requests while its spend is below the cap
    assert affordable_count(5, price, 0.15, 0.10) == 1
    assert affordable_count(5, price, 0.0, 0.0) == 0
    assert affordable_count(2, price, 100.0, 0.0) == 2


def test_a_batch_answer_costs_half_the_online_price_for_the_same_usage():
    from google.genai import types

    usage = types.GenerateContentResponseUsageMetadata(
        prompt_token_count=350,
        candidates_token_count=1120,
        candidates_tokens_details=[types.ModalityTokenCount(modality="IMAGE", token_count=1120)],
    )
    prices = load_price_table()
    online = prices.cost("gemini-3-pro-image", usage, image=True)
    assert online > 0.13
    assert prices.cost("gemini-3-pro-image", usage, image=True, batch=True) == round(online / 2, 6)


def test_scenes_are_recorded_under_the_jobs_display_name_before_it_is_created(tmp_path):
    history = SqliteHistoryStore(tmp_path / "history.sqlite3")
    batches = RecordingBatches(history)
    specs = [spec(1), spec(2)]
    name = submit_job(specs, batches, history, None)
    assert batches.seen_at_create == [{job_display_name(["warehouse-0001", "warehouse-0002"])}]
    assert {history.get(s.scene_id).batch_job for s in specs} == {name}
    assert [r.status for r in history.submitted()] == ["submitted", "submitted"]
    assert history.get("warehouse-0001").attempts == 1
    assert submit_job(specs, batches, history, None) == name and len(batches.jobs) == 1


def test_a_job_never_created_fails_its_scenes_only_once_it_is_clearly_gone(tmp_path):
    history = SqliteHistoryStore(tmp_path / "history.sqlite3")
    batches = RecordingBatches(history)
    display_name = job_display_name(["warehouse-0001"])
    history.save(submitted_record(spec(1), display_name, None, attempts=1))
    records = history.submitted()
    collection = poll_submitted(records, batches, history)
    assert not collection.failed and not collection.finished and not collection.waiting
    later = utcnow() + NEVER_CREATED_AFTER + timedelta(minutes=1)
    collection = poll_submitted(records, batches, history, now=later)
    assert [(s.scene_id, reason) for s, _, reason in collection.failed] == [
        ("warehouse-0001", "its batch job was never created (the run submitting it ended first)")
    ]
    batches.jobs[display_name] = "batches/7"  # created after all: found, recorded, polled
    collection = poll_submitted(records, batches, history, now=later)
    assert [(job.name, [s.scene_id for s in specs]) for job, specs in collection.waiting] == [
        ("batches/7", ["warehouse-0001"])
    ]
    assert history.get("warehouse-0001").batch_job == "batches/7"
