"""The `scenegen` command: validates its input, runs a flow, exits 0 only if the run Completed."""

from __future__ import annotations

import argparse
import os
import sys
from typing import NoReturn

from scenegen.backends import history_store, resolve_settings
from scenegen.errors import InputError
from scenegen.history import recent_history, rerun_specs
from scenegen.storage import LocalSceneStorage

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not argparse's usage block
        self.exit(
            EXIT_BAD_INPUT, f"scenegen: error: {message} (see scenegen {self.prog.split()[-1]} --help)\n"
        )


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
    generate.add_argument("--seed", type=int, help="seed that makes the plan and prompts reproducible")
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
        type=int,
        metavar="D",
        help="how far back to look for failed scenes (default: LOOKBACK_DAYS, 30)",
    )
    report = commands.add_parser("report", help="the diversity report of recent history, with its pictures")
    report.add_argument(
        "--days", type=int, metavar="D", help="the period, in days (default: LOOKBACK_DAYS, 30)"
    )
    return parser


def report_command(days: int | None) -> int:
    from scenegen.report import stored_images, write_diversity_report

    settings = resolve_settings(lookback_days=days)
    images = stored_images(recent_history(history_store(settings), settings.lookback_days))
    markdown, pictures = write_diversity_report(settings, "latest", images)
    print(markdown)
    print("\nPictures:\n" + "\n".join(f"  {picture}" for picture in pictures))
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "report":
            return report_command(args.days)
        if args.command == "generate":
            settings = resolve_settings(
                scenes_per_run=args.scenes, archetypes=args.archetypes, dry_run=args.dry_run
            )
        else:
            settings = resolve_settings(lookback_days=args.since_days)
            if args.scene_ids:  # refuse a malformed or unknown id here, before any flow run starts
                rerun_specs(history_store(settings), args.scene_ids, settings.lookback_days)
    except InputError as exc:
        print(f"scenegen: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT

    # An offline tool has no business phoning home; the temporary Prefect server inherits these.
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # Imported late: Prefect is slow to import and bad input should fail fast.
    from flows.generate_scenes import generate_scenes
    from flows.rerun_failed_scenes import rerun_failed_scenes

    if args.command == "generate":
        state = generate_scenes(
            scenes=settings.scenes_per_run,
            archetypes=list(settings.archetypes) or None,
            dry_run=settings.dry_run,
            seed=args.seed,
            return_state=True,
        )
    else:
        state = rerun_failed_scenes(scene_ids=args.scene_ids, since_days=args.since_days, return_state=True)

    if not settings.dry_run and not settings.bucket:
        print(f"Scenes: {LocalSceneStorage(settings.output_dir).root / 'scenes'}")
    print(f"{state.name}: {state.message}")
    return EXIT_OK if state.is_completed() else EXIT_FAILED


if __name__ == "__main__":
    raise SystemExit(main())
