"""What rerun-failed takes: failed scenes, and the `planned` scenes of runs that are over.

A run is over when its lease says it ended, when its flow run is in a final state, when its lease has
lapsed (it was not renewed in time), or when it ran on this machine and its process is gone, which needs no
wait. A run that may still be going keeps its scenes, whatever else is true. Records from before leases
name only their run's bound (`planned_until`): a run past it, and the grace after it, is over.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from scenegen.engine.deadline import RUN_GRACE_SECONDS
from scenegen.engine.process import is_gone
from scenegen.errors import InputError
from scenegen.models import SceneSpec, check_scene_id, utcnow
from scenegen.planning.history import REFUSED, HistoryStore, recent_history
from scenegen.records import HistoryRecord, RunLease

# A run past its bound has recorded its scenes within its grace (and a few seconds more, for clocks that
# differ): a record still planned after that, with no lease to say otherwise, is not waiting for its run.
PLANNED_GRACE_SECONDS = RUN_GRACE_SECONDS + 10
RUNS_TABLE_DAYS = 7  # the runs `scenegen runs` and rerun-failed's artifact list, by default


@dataclass(frozen=True)
class RunVerdict:
    """Whether the run that planned a scene is over, why (or why it may still be going), and its lease."""

    over: bool
    why: str
    lease: RunLease | None = None


class RunJudge:
    """Tells whether a scene's run is over, reading each run's lease once. `flow_run_final` asks the Prefect
    API whether a flow run is in a final state (False for a run it does not know)."""

    def __init__(
        self,
        store: HistoryStore,
        flow_run_final: Callable[[str], bool] = lambda _: False,
        now: datetime | None = None,
        process_gone: Callable[[str, int, float], bool | None] = is_gone,
    ) -> None:
        self.store = store
        self.flow_run_final = flow_run_final
        self.now = now or utcnow()
        self.process_gone = process_gone
        self._verdicts: dict[str, RunVerdict] = {}

    def of(self, record: HistoryRecord) -> RunVerdict:
        """The verdict on the run that planned `record`."""
        if not record.flow_run_id:
            return RunVerdict(True, "no run recorded it")
        run_id = record.flow_run_id
        if run_id not in self._verdicts:
            bound = record.planned_until or record.generated_at
            self._verdicts[run_id] = self._judge(run_id, self.store.get_run(run_id), bound)
        return self._verdicts[run_id]

    def of_lease(self, lease: RunLease) -> RunVerdict:
        if lease.run_id not in self._verdicts:
            self._verdicts[lease.run_id] = self._judge(lease.run_id, lease, lease.lease_until)
        return self._verdicts[lease.run_id]

    def _judge(self, run_id: str, lease: RunLease | None, bound: datetime) -> RunVerdict:
        if lease is not None and lease.final:
            return RunVerdict(True, f"its run ended {lease.state}", lease)
        if self.flow_run_final(run_id):
            return RunVerdict(True, "its flow run is in a final state", lease)
        if lease is None:  # a record from before leases: its run's bound decides
            until = bound + timedelta(seconds=PLANNED_GRACE_SECONDS)
            if self.now >= until:
                return RunVerdict(True, f"its run's bound passed at {clock(until)}")
            return RunVerdict(False, f"its run's bound passes at {clock(until)}")
        if lease.lapsed(self.now):
            return RunVerdict(True, f"its lease lapsed at {clock(lease.lease_until)}", lease)
        if self.process_gone(lease.machine, lease.pid, lease.process_started):
            return RunVerdict(True, f"its process ({lease.host}, pid {lease.pid}) is gone", lease)
        return RunVerdict(False, f"its lease lapses at {clock(lease.lease_until)}", lease)


def clock(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC"


@dataclass
class LeftRun:
    """The planned scenes of a run that may still be going: left to it."""

    run_id: str
    verdict: RunVerdict
    scenes: list[str] = field(default_factory=list)

    def line(self) -> str:
        lease = self.verdict.lease
        where = f" on {lease.host} (pid {lease.pid})" if lease else ""
        return (
            f"left {len(self.scenes)} planned scene(s) to run {self.run_id}{where}, which may still be "
            f"going: {self.verdict.why}; run rerun-failed again after that"
        )


@dataclass
class Reruns:
    """What a rerun takes (each record as it was read: it is taken only if still so), the runs found over
    whose scenes it takes, and the scenes it leaves to runs that may still be going."""

    records: list[HistoryRecord] = field(default_factory=list)
    over: dict[str, RunVerdict] = field(default_factory=dict)
    left: list[LeftRun] = field(default_factory=list)

    @property
    def specs(self) -> list[SceneSpec]:
        return [record.to_spec() for record in self.records]

    def runs_taken_from(self, held: list[SceneSpec]) -> dict[str, RunVerdict]:
        """The runs found over that the `held` scenes were taken from."""
        ids = {spec.scene_id for spec in held}
        runs = {r.flow_run_id for r in self.records if r.scene_id in ids and r.status == "planned"}
        return {run_id: verdict for run_id, verdict in self.over.items() if run_id in runs}


def wanted(record: HistoryRecord, judge: RunJudge) -> bool:
    """Whether rerun-failed, given no ids, takes this scene: failed and not refused as it is (the same spec
    fails again), or planned by a run that is over. Never one in a batch job: collect takes those."""
    if record.status == "planned":
        return judge.of(record).over
    return not record.success and record.status not in (*REFUSED, "submitted")


def select_reruns(store: HistoryStore, scene_ids: list[str], since_days: int, judge: RunJudge) -> Reruns:
    """The named scenes, or else every scene of the last `since_days` that `wanted` takes.

    A named scene must match the id pattern and be in the history, and not wait in a batch job; anything
    else is an InputError. A scene refused as it is (REFUSED) is rerun only when named.
    """
    if scene_ids:
        candidates = []
        for scene_id in scene_ids:
            record = store.get(check_scene_id(scene_id))
            if record is None:
                raise InputError(f"scene {scene_id} is not in the history")
            if record.status == "submitted":  # made again now, it would be paid for twice
                raise InputError(
                    f"scene {scene_id} waits in batch job {record.batch_job}: `scenegen collect` takes it"
                )
            candidates.append(record)
    else:
        recent = recent_history(store, since_days)
        candidates = [r for r in recent if r.status == "planned" or wanted(r, judge)]
    reruns = Reruns()
    left: dict[str, LeftRun] = {}
    for record in candidates:
        if record.status == "planned":
            verdict = judge.of(record)
            if not verdict.over:
                run = left.setdefault(str(record.flow_run_id), LeftRun(str(record.flow_run_id), verdict))
                run.scenes.append(record.scene_id)
                continue
            if record.flow_run_id:
                reruns.over[record.flow_run_id] = verdict
        reruns.records.append(store.get(record.scene_id) or record)  # the lookback read may be a summary
    reruns.left = list(left.values())
    return reruns


def run_rows(store: HistoryStore, days: int, judge: RunJudge) -> list[dict[str, str]]:
    """The recent runs, newest first: each one's state, lease, its scenes by status as they are now, and how
    many of its scenes rerun-failed would take."""
    records = recent_history(store, days, judge.now)
    current = {record.scene_id: record for record in records}
    owned: dict[str, list[HistoryRecord]] = {}
    for record in records:
        owned.setdefault(record.flow_run_id or "", []).append(record)
    rows = []
    for lease in reversed(store.runs_since(judge.now - timedelta(days=days))):
        mine = owned.get(lease.run_id, [])
        scenes = {record.scene_id for record in mine} | set(lease.scenes)
        statuses = Counter(current[s].status for s in scenes if s in current)
        state = lease.state
        if not lease.final and judge.of_lease(lease).over:
            state = "over, not ended"  # killed: rerun-failed marks it crashed when it takes its scenes
        rows.append(
            {
                "run": lease.run_id,
                "started": clock(lease.started_at),
                "host": f"{lease.host} (pid {lease.pid})",
                "state": state,
                "lease": "ended" if lease.final else f"until {clock(lease.lease_until)}",
                "scenes": ", ".join(f"{status} {n}" for status, n in sorted(statuses.items())) or "-",
                "rerun-failed takes": str(sum(wanted(record, judge) for record in mine)),
            }
        )
    return rows


def table(rows: Iterable[dict[str, str]]) -> str:
    """Rows as a markdown table (the command prints it, the artifact holds the rows)."""
    rows = list(rows)
    if not rows:
        return "No runs in the period."
    names = list(rows[0])
    lines = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    lines += ["| " + " | ".join(row[name] for name in names) + " |" for row in rows]
    return "\n".join(lines)
