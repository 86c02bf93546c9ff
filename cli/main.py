"""The `scenegen` command: checks its input, runs a flow, exits 0 only if the run Completed.

It sits above the flows: it imports them, they never import it."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, NoReturn

from scenegen.errors import InputError
from scenegen.settings import load_settings

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2

if TYPE_CHECKING:
    from tasks.resources import Run


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not argparse's usage block
        self.exit(EXIT_BAD_INPUT, f"scenegen: error: {message} (see {self.prog} --help)\n")


def _whole_number(low: int, high: int):
    """An argparse type: an integer from low to high, or a one-line refusal naming the range."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is out of range: {low} to {high}")
        return value

    return parse


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="scenegen", description="Generate diverse indoor scene images with Prefect.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    generate = commands.add_parser("generate", help="run the generate-scenes flow")
    generate.add_argument("--scenes", metavar="N", help="scenes to make, 1 to 1000 (env SCENES_PER_RUN)")
    generate.add_argument("--archetypes", metavar="A,B", help="comma-separated subset (env ARCHETYPES)")
    generate.add_argument(
        "--dry-run",
        action="store_true",
        default=None,
        help="plan and write prompts only; render, store and record nothing (env DRY_RUN)",
    )
    batch_help = "submit the images as Gemini batch jobs at half the price; `scenegen collect` stores them"
    generate.add_argument("--batch", action="store_true", default=None, help=f"{batch_help} (env BATCH)")
    generate.add_argument(
        "--twins",
        action="store_true",
        default=None,
        help="make each scene a twin: a Gemini photograph of a procedural room, with that room's ground "
        "truth (env TWINS; needs GEMINI_API_KEY)",
    )
    generate.add_argument(
        "--views",
        metavar="K",
        help="posed views of each room, 1 to 8: the one that shows the most, then each adding what the "
        "earlier ones did not show (env VIEWS; procedural scenes and twins)",
    )
    generate.add_argument(
        "--seed",
        type=_whole_number(0, 2**31 - 1),
        help="seed that makes the plan and prompts reproducible (0 to 2147483647)",
    )
    rerun = commands.add_parser("rerun-failed", help="run failed scenes again with their recorded specs")
    rerun.add_argument(
        "--scene-id",
        action="append",
        dest="scene_ids",
        metavar="ID",
        help="a scene to rerun (repeatable); default: every failed scene in the window",
    )
    rerun.add_argument(
        "--since-days",
        type=_whole_number(1, 3650),
        metavar="D",
        help="how far back to look for failed scenes (default: LOOKBACK_DAYS, 30)",
    )
    rerun.add_argument("--batch", action="store_true", default=None, help=f"{batch_help} (env BATCH)")
    commands.add_parser(
        "collect", help="store the scenes of finished batch jobs (run the collect-batches flow)"
    )
    runs = commands.add_parser(
        "runs", help="the recent runs: state, lease, scenes by status, and what rerun-failed would take"
    )
    runs.add_argument(
        "--days", type=_whole_number(1, 3650), metavar="D", help="the period, in days (default: 7)"
    )
    report = commands.add_parser("report", help="the diversity report of recent history, with its pictures")
    report.add_argument(
        "--days",
        type=_whole_number(1, 3650),
        metavar="D",
        help="the period, in days (default: LOOKBACK_DAYS, 30)",
    )
    score = commands.add_parser(
        "score", help="score a reconstruction against the stored scene it was made from (a twin's room)"
    )
    score.add_argument(
        "reconstruction",
        metavar="RECONSTRUCTION",
        help="a USD stage (any up axis and units) or a JSON file of layout.json's objects: a path or URI",
    )
    score.add_argument(
        "--scene", required=True, metavar="SCENE", help="the scene's id, or the path or URI of its folder"
    )
    score.add_argument(
        "--frame",
        choices=("world", "camera", "unknown"),
        default="unknown",
        help="where the reconstruction's coordinates are: the twin's world frame, scene.json's camera "
        "frame (OpenCV axes), or unknown, frame and scale found by alignment (default)",
    )
    score.add_argument("--ignore-labels", action="store_true", help="match objects whatever their categories")
    validate = commands.add_parser(
        "validate",
        help="check a twin's scene.usda: usd-core's validators, no overlaps, and at rest for 2 s in Newton",
    )
    validate.add_argument(
        "scene", metavar="SCENE_ID|PATH", help="a stored scene's id, or a scene folder or a USD file here"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "generate":
            overrides = dict(
                scenes_per_run=args.scenes,
                archetypes=args.archetypes,
                dry_run=args.dry_run,
                batch=args.batch,
                twins=args.twins,
                views=args.views,
            )
        elif args.command == "rerun-failed":
            overrides = dict(lookback_days=args.since_days, batch=args.batch)
        elif args.command in ("report", "runs"):
            overrides = dict(lookback_days=args.days)
        else:
            overrides = {}
        load_settings(**overrides)  # the common mistakes are refused before Prefect is even imported
    except InputError as exc:
        print(f"scenegen: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT

    if args.command == "validate":
        return validate_command(args.scene, overrides)

    # An offline tool has no business phoning home; the temporary Prefect server inherits these.
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from flows.script import prefect_api_for_this_run, refuse, report_state
    from scenegen.planning.reruns import RunJudge, select_reruns
    from tasks.batches import batch_backend
    from tasks.resources import prepare_run

    try:
        run = prepare_run(**overrides)
        if args.command == "rerun-failed" and args.scene_ids:  # a malformed or unknown id: refused here
            history = run.resources.history
            select_reruns(history, args.scene_ids, run.settings.lookback_days, RunJudge(history))
        if args.command == "collect":
            batch_backend(run.resources)  # refused here, before the flow, without Gemini
        if args.command == "score":
            check_score_input(run, args.scene, args.reconstruction, args.frame)
    except InputError as exc:
        return refuse(exc)
    if args.command == "report":
        return report_command(run)
    if args.command == "runs":
        return runs_command(run, args.days)
    if args.command == "score":
        return score_command(run, args)

    from flows.collect_batches import collect_batches
    from flows.generate_scenes import generate_scenes, parameters_from_settings
    from flows.rerun_failed_scenes import rerun_failed_scenes

    with prefect_api_for_this_run():
        if args.command == "generate":
            parameters = parameters_from_settings(run.settings)
            state = generate_scenes(**parameters, seed=args.seed, return_state=True)
        elif args.command == "collect":
            state = collect_batches(return_state=True)
        else:
            state = rerun_failed_scenes(
                scene_ids=args.scene_ids or [],
                since_days=run.settings.lookback_days,
                batch=run.settings.batch,
                return_state=True,
            )
    return report_state(state, run)


def validate_command(scene: str, overrides: dict) -> int:
    """Findings one per line, then a summary; exit 1 on any finding. Needs no Prefect server."""
    import tempfile
    from pathlib import Path

    from scenegen.sim.at_rest import start_newton
    from scenegen.sim.validate import stage_of, stored_stage, validate

    try:
        start_newton()  # Newton installed, Warp started before anything else could start a thread
        with tempfile.TemporaryDirectory(prefix="scenegen-validate-") as folder:
            if Path(scene).exists():
                path = stage_of(Path(scene))
            else:
                from tasks.resources import prepare_run

                storage = prepare_run(**overrides).resources.storage
                path = stored_stage(storage, scene, Path(folder))
            result = validate(path)
    except InputError as exc:
        print(f"scenegen: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    for finding in result.findings:
        print(finding.line())
    print(result.summary().replace(str(path), scene))
    return EXIT_OK if result.passed else EXIT_FAILED


def check_score_input(run: Run, scene: str, reconstruction: str, frame) -> None:
    """The scene has a known room and the reconstruction reads as objects, or InputError before Prefect."""
    import tempfile
    from pathlib import Path

    from scenegen.scoring.scorecard import open_inputs, read_placed

    with tempfile.TemporaryDirectory(prefix="scenegen-score-") as folder:
        _, room, path, _ = open_inputs(
            run.resources.storage, scene, reconstruction, Path(folder), run.resources.scenes_in
        )
        read_placed(room, path, frame)


def score_command(run: Run, args: argparse.Namespace) -> int:
    from flows.score_reconstruction import score_reconstruction
    from flows.script import prefect_api_for_this_run
    from scenegen.scoring.scorecard import score_name
    from scenegen.scoring.tables import score_markdown

    with prefect_api_for_this_run():
        state = score_reconstruction(
            scene=args.scene,
            usd_uri=args.reconstruction,
            frame=args.frame,
            ignore_labels=args.ignore_labels,
            return_state=True,
        )
    if not state.is_completed():
        print(f"{state.name}: {state.message}", file=sys.stderr)
        return EXIT_FAILED
    document = state.result()
    print(score_markdown(document))
    print(f"\nStored beside the scene as {score_name(document['reconstruction']['sha256'])}")
    return EXIT_OK


def runs_command(run: Run, days: int | None) -> int:
    """The table rerun-failed's artifact holds, from the history store alone (no Prefect API: a run's own
    lease says how it ended, or that it may still be going)."""
    from scenegen.planning.reruns import RUNS_TABLE_DAYS, RunJudge, run_rows, table

    history = run.resources.history
    print(table(run_rows(history, days or RUNS_TABLE_DAYS, RunJudge(history))))
    return EXIT_OK


def report_command(run: Run) -> int:
    from scenegen.planning.history import recent_history
    from scenegen.run.report import stored_images, write_diversity_report
    from scenegen.scoring.scorecard import reconstruction_quality
    from scenegen.scoring.tables import quality_markdown

    history = recent_history(run.resources.history, run.settings.lookback_days)
    markdown, pictures = write_diversity_report(run.resources, "latest", stored_images(history))
    print(markdown)
    stored = {record.scene_id: record.archetype for record in history if record.success}
    quality = reconstruction_quality(run.resources.storage, stored)
    print("\n" + quality_markdown(quality, run.settings.lookback_days))
    print("\nPictures:\n" + "\n".join(f"  {picture}" for picture in pictures))
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
