"""README.md is the front door and docs/ holds the detail: every relative link and #anchor in them resolves,
and every command and setting the code defines is in the README's tables."""

import argparse
import re
from pathlib import Path

import pytest

from cli.main import _parser
from scenegen.settings import Settings

REPO = Path(__file__).resolve().parents[2]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^(```|~~~)")


def prose(text: str) -> str:
    """The page without its fenced code blocks (a link in a code block is not a link)."""
    kept, fenced = [], False
    for line in text.splitlines():
        if FENCE.match(line.strip()):
            fenced = not fenced
        elif not fenced:
            kept.append(line)
    return "\n".join(kept)


def anchors(page: Path) -> set[str]:
    """GitHub's anchors of a page's headings: lower case, only letters, digits, spaces, hyphens and
    underscores kept, spaces made hyphens; a repeated heading gets -1, -2..."""
    seen: dict[str, int] = {}
    found = set()
    for line in prose(page.read_text(encoding="utf-8")).splitlines():
        if match := re.match(r"^#{1,6}\s+(.+?)\s*#*\s*$", line):
            text = re.sub(r"`([^`]*)`", r"\1", match.group(1))
            text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
            slug = re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")
            found.add(slug if slug not in seen else f"{slug}-{seen[slug]}")
            seen[slug] = seen.get(slug, 0) + 1
    return found


def links(page: Path) -> list[str]:
    return [target for target in LINK.findall(prose(page.read_text(encoding="utf-8")))]


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(REPO).as_posix() for p in PAGES])
def test_every_relative_link_and_anchor_resolves(page):
    broken = []
    for target in links(page):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:: not ours to check here
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{target}: no heading gives #{anchor}")
    assert not broken, f"{page.relative_to(REPO)}: " + "; ".join(broken)


def readme_table_cells() -> str:
    """The first cell of every row of the README's tables."""
    rows = [line for line in prose((REPO / "README.md").read_text(encoding="utf-8")).splitlines()]
    return "\n".join(line.split("|")[1] for line in rows if line.startswith("|") and line.count("|") > 2)


def test_every_command_and_setting_is_in_the_readmes_tables():
    cells = readme_table_cells()
    parser = _parser()
    [commands] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    missing = [f"scenegen {name}" for name in commands.choices if f"`scenegen {name}" not in cells]
    missing += [name.upper() for name in Settings.model_fields if f"`{name.upper()}`" not in cells]
    assert not missing, f"README.md's tables do not list: {', '.join(missing)}"
