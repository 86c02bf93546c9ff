"""The sample a per-archetype bench measures: `--per` scenes of each archetype (or of `--archetypes`), their
specs written by the local prompt writer from `--seed`, as a day's run would plan them."""

from __future__ import annotations

import argparse

from scenegen.backends.local.procedural import MODEL
from scenegen.catalogue import ArchetypeConfig
from scenegen.models import SceneSpec
from scenegen.planning.prompts import LocalPromptWriter


def sample_arguments(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--per", type=int, default=10, help="scenes per archetype")
    parser.add_argument("--archetypes", default="", help="comma-separated; default: all")
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args()


def sampled_specs(args: argparse.Namespace, config: ArchetypeConfig) -> tuple[list[str], list[SceneSpec]]:
    """The archetypes measured, and their specs in archetype order."""
    names = [n for n in args.archetypes.split(",") if n] or config.names
    planned = [n for n in names for _ in range(args.per)]
    return names, LocalPromptWriter(config, MODEL).write(planned, [], args.seed).specs
