"""The Cloud Run image's build context: what deployments/Dockerfile copies, and nothing a checkout gathers
(its .venv, output/, .git, caches), as Docker's own rules for .dockerignore read it (docker-py's)."""

import re
import shutil
import subprocess
from pathlib import Path

from docker.utils.build import exclude_paths

REPO = Path(__file__).resolve().parents[3]
DOCKERFILE = "deployments/Dockerfile"
# What a working checkout holds besides its source: none of it may reach the image's build context.
GATHERED = [
    ".venv/lib/python3.11/site-packages/newton/__init__.py",
    "output/scenes/kitchen-20261206-0123456789/source_image.png",
    "output/history.sqlite3",
    ".git/HEAD",
    ".pytest_cache/v/cache/lastfailed",
    "scenegen/__pycache__/models.cpython-311.pyc",
    "scenegen.egg-info/PKG-INFO",
]


def build_context(root: Path) -> set[str]:
    ignore = root / ".dockerignore"
    lines = ignore.read_text().splitlines() if ignore.is_file() else []
    patterns = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    return set(exclude_paths(str(root), patterns, DOCKERFILE))


def copied_sources() -> list[str]:
    sources = []
    for line in (REPO / DOCKERFILE).read_text().splitlines():
        if match := re.match(r"COPY\s+(?!--)(.+)\s+\S+$", line.strip()):
            sources += match.group(1).split()
    return sources


def test_the_build_context_is_the_source_the_dockerfile_copies_and_nothing_a_checkout_gathers(tmp_path):
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    checkout = tmp_path / "checkout"
    for name in tracked:
        if (REPO / name).is_file():
            (checkout / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(REPO / name, checkout / name)
    for name in GATHERED:
        (checkout / name).parent.mkdir(parents=True, exist_ok=True)
        (checkout / name).write_bytes(b"x")

    context = build_context(checkout)

    sources = copied_sources()
    assert {"scenegen", "flows", "tasks", "cli", "archetypes", "pyproject.toml"} <= set(sources)
    for source in sources:  # everything copied is there, a folder with every tracked file in it
        wanted = {name for name in tracked if name == source or name.startswith(source + "/")}
        assert wanted, f"{DOCKERFILE} copies {source}, which the checkout does not have"
        assert wanted <= context, f"the build context lacks {sorted(wanted - context)[:3]}"
    assert not context & set(GATHERED), f"the build context carries {sorted(context & set(GATHERED))}"
    outside = {name for name in context if name.split("/")[0] not in sources} - {DOCKERFILE, ".dockerignore"}
    assert not outside, f"the build context carries what the image never copies: {sorted(outside)}"
