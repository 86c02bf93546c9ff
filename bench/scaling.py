"""What a procedural scene costs a run beyond rendering it: runs of 10 and of 60 scenes on the embedded
defaults, each in a process of its own against one local Prefect server.

Prints the extra wall seconds per scene from 10 to 60 scenes beside the render-bound, the renderer's own
median per image on one core divided by the cores (the target: at most 1.3 times it), and beside the
renderer alone drawing the run's mix as a run does, with no Prefect; where the extra CPU seconds go (the
worker processes, the run's own process, the Prefect server, which shares the cores here); the peak
memory (PSS) of each run's whole process family, its worker processes included (the target: the
60-scene run at most 1.2 times the 10-scene one); and what a stored scene takes on disk.

    python bench/scaling.py [--small 10] [--large 60] [--engine CHECKOUT]

--engine also runs the flows of another checkout (an older commit, say, from `git worktree add`), in the
same invocation against the same server and floors, printed beside this one.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench import proc_tree  # noqa: E402
from tests import emulators  # noqa: E402

RUN = (
    "import sys\n"
    "from flows.generate_scenes import generate_scenes\n"
    "state = generate_scenes(scenes=int(sys.argv[1]), seed=7, return_state=True)\n"
    "print(state.name, state.message)\n"
    "from prefect.logging.handlers import APILogWorker\n"
    "APILogWorker.drain_all(timeout=10)\n"
)


def stored_megabytes(output: Path) -> list[float]:
    """Each stored scene's files, in MB."""
    folders = [folder for folder in (output / "scenes").iterdir() if folder.is_dir()]
    return sorted(sum(f.stat().st_size for f in folder.iterdir()) / 1e6 for folder in folders)


@dataclass
class Run:
    wall: float  # seconds
    pss: float  # peak MiB of the whole process family
    cpu: dict[str, float]  # CPU seconds: the run's own process, its workers, the Prefect server


def timed_run(scenes: int, env: dict[str, str], output: Path, engine: Path, server: int) -> Run:
    """One run of `scenes` in a fresh process and output folder: its wall seconds, the peak memory (PSS) of
    its process family, and the CPU seconds of that process, of its worker processes (and forkserver) and
    of the Prefect server while it ran."""
    server_before = proc_tree.cpu_seconds(server)
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", RUN, str(scenes)],
        env=env | {"OUTPUT_DIR": str(output), "PYTHONPATH": str(engine)},
        cwd=engine,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    peak = 0.0
    used: dict[int, float] = {}
    while True:
        try:
            said, _ = child.communicate(timeout=0.1)
            break
        except subprocess.TimeoutExpired:
            peak = max(peak, proc_tree.memory_mib(child.pid))
            used |= proc_tree.own_cpu_seconds(child.pid)
    wall = time.perf_counter() - started
    if child.returncode != 0 or not said.startswith("Completed"):
        raise SystemExit(f"the {scenes}-scene run did not complete: {said}")
    cpu = {
        "run": used.pop(child.pid, 0.0),
        "workers": sum(used.values()),
        "server": proc_tree.cpu_seconds(server) - server_before,
    }
    return Run(wall, peak, cpu)


RENDER_ALONE = (
    "import sys, tempfile, time\n"
    "from concurrent.futures import ThreadPoolExecutor\n"
    "from pathlib import Path\n"
    "from scenegen.settings import Settings\n"
    "try:\n"
    "    from scenegen.run.resources import build_resources\n"
    "except ImportError:  # a checkout before the library's packages\n"
    "    from scenegen.resources import build_resources\n"
    "resources = build_resources(Settings(output_dir=Path(tempfile.mkdtemp())))\n"
    "specs = resources.prompts.write(sys.argv[2].split(','), [], 7).specs\n"
    "resources.workers.start()\n"
    "started = time.perf_counter()\n"
    "with ThreadPoolExecutor(int(sys.argv[1])) as pool:\n"
    "    list(pool.map(lambda s: resources.images.generate(s, Path(tempfile.mkdtemp()) / 'i.png'), specs))\n"
    "print((time.perf_counter() - started) / len(specs))\n"
    "resources.close()\n"
)


def renderer_alone_seconds(scenes: int, threads: int) -> float:
    """Wall seconds per scene of the renderer alone, drawing as many at a time as a run does, no Prefect."""
    from scenegen.catalogue import load_archetype_config
    from scenegen.planning.weights import plan_slots

    config = load_archetype_config()
    slots = plan_slots(config.base_weights(), scenes, seed=7)
    done = subprocess.run(
        [sys.executable, "-c", RENDER_ALONE, str(threads), ",".join(slots)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    return float(done.stdout.split()[-1])


def renderer_median_seconds() -> float:
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "render_speed.py"), "--repeats", "2"],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(re.search(r"overall median ([\d.]+) s", done.stdout).group(1))  # type: ignore[union-attr]


def measure_engine(
    engine: Path, env: dict[str, str], work: Path, small: int, large: int, server: int
) -> dict:
    """Warm-up, then runs of `small` and `large` scenes of one checkout's flows, against the same server."""
    timed_run(2, env, work / "warm-up", engine, server)  # a checkout's first flow run pays for its imports
    few = timed_run(small, env, work / "small", engine, server)
    many = timed_run(large, env, work / "large", engine, server)
    return {
        "engine": engine,
        "small": few,
        "large": many,
        "extra": (many.wall - few.wall) / (large - small),
        "extra_cpu": {name: (many.cpu[name] - few.cpu[name]) / (large - small) for name in many.cpu},
        "sizes": stored_megabytes(work / "large"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10)
    parser.add_argument("--large", type=int, default=60)
    parser.add_argument("--engine", type=Path, help="an earlier checkout, measured beside this one")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="scenegen-bench-scaling-"))
    env = emulators.prefect_environment(work / "prefect-home")
    from scenegen.settings import CORES as cores

    median = renderer_median_seconds()
    alone = renderer_alone_seconds(args.large, cores)
    engines = [REPO, *([args.engine] if args.engine else [])]
    server = emulators.start_prefect_server(env, work / "server.log")
    try:
        results = [
            measure_engine(engine, env, work / f"engine-{index}", args.small, args.large, server.pid)
            for index, engine in enumerate(engines)
        ]
    finally:
        emulators.stop(server)
    floor = median / cores
    print(f"renderer: median {median:.3f} s per image on one core; {cores} cores: {floor:.3f} s per scene")
    print(
        f"the renderer alone on the run's mix, {cores} at a time, no Prefect: {alone:.3f} s per scene "
        f"({alone / floor:.2f} x the render-bound)"
    )
    for result in results:
        few, many, extra, sizes = result["small"], result["large"], result["extra"], result["sizes"]
        cpu = result["extra_cpu"]
        prefect = (cpu["run"] + cpu["server"]) / cores
        print(f"engine {result['engine']}:")
        print(f"  runs: {args.small} scenes {few.wall:.1f} s, {args.large} scenes {many.wall:.1f} s")
        print(
            f"  extra wall seconds per scene: {extra:.3f} = {extra / floor:.2f} x the render-bound "
            f"{floor:.3f} (target <= 1.3); the run adds {extra - alone:.3f} s per scene to the renderer alone"
        )
        print(
            f"  extra CPU seconds per scene: worker processes {cpu['workers']:.3f}, the run's process "
            f"{cpu['run']:.3f}, the Prefect server {cpu['server']:.3f}; over {cores} cores "
            f"{sum(cpu.values()) / cores:.3f} s, of which Prefect (run process and server) "
            f"{prefect:.3f} s = {prefect / floor:.2f} x the render-bound"
        )
        print(
            f"  peak memory (PSS) of the run's process family: {few.pss:.0f} MiB ({args.small} scenes), "
            f"{many.pss:.0f} MiB ({args.large} scenes); ratio {many.pss / few.pss:.2f} (target <= 1.2)"
        )
        print(
            f"  stored scene on disk: median {sizes[len(sizes) // 2]:.1f} MB, largest {sizes[-1]:.1f} MB "
            f"({len(sizes)} scenes)"
        )


if __name__ == "__main__":
    main()
