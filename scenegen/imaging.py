"""The image backend protocol and the checks every stored image passes, whoever made it."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Protocol

from PIL import Image, UnidentifiedImageError

from scenegen.errors import SceneFailed
from scenegen.models import RenderedImage, SceneSpec

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class ImageGenerator(Protocol):
    name: str
    model: str
    expected_cost_usd: float  # a typical call's price, held against MAX_COST_USD while it runs

    def generate(self, spec: SceneSpec, destination: Path) -> RenderedImage:
        """Write the scene's image as a PNG at `destination` and describe it."""
        ...


def sha256_file(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def verify_png(path: Path, size: tuple[int, int] | None = None) -> tuple[int, int]:
    """Check that `path` is a complete, decodable PNG (of `size`, when given); return its size."""
    try:
        with open(path, "rb") as handle:
            if handle.read(len(PNG_MAGIC)) != PNG_MAGIC:
                raise SceneFailed(f"{path.name} is not a PNG")
        with Image.open(path) as image:
            image.load()
            actual = image.size
    except (OSError, UnidentifiedImageError, SyntaxError) as exc:
        raise SceneFailed(f"{path.name} cannot be decoded: {exc}") from None
    if size and actual != size:
        raise SceneFailed(f"{path.name} is {actual[0]}x{actual[1]}, expected {size[0]}x{size[1]}")
    return actual
