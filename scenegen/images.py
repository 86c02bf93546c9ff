"""The image backends' protocols (online, and in batch jobs), and what every image file is checked against,
whoever made it."""

from __future__ import annotations

import hashlib
import io
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PIL import Image, UnidentifiedImageError

from scenegen.errors import SceneFailed
from scenegen.models import RenderedImage, SceneSpec

if TYPE_CHECKING:
    from scenegen.engine.pool import WorkerPool

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
RGB_8_BIT = (8, 2)  # a PNG's bit depth and colour type for 8-bit RGB: what the pipeline stores
PREVIEW_SIZE = (1376, 768)  # half the stored size: what a reviewer sees, a tenth of the bytes


class ImageGenerator(Protocol):
    name: str
    model: str
    expected_cost_usd: float  # a typical call's price, held against MAX_COST_USD while it runs
    replacements: int  # fresh specs a rejected image gets: free images more, paid ones one, collected none
    scene_bytes: int  # what one scene's image (and ground truth) takes on disk, measured, with a margin
    reference_cost_usd: float  # a twin's reference in the request, held against MAX_COST_USD with it

    def generate(self, spec: SceneSpec, destination: Path) -> RenderedImage:
        """Write the scene's image as a PNG at `destination` and describe it. A backend that makes twins
        also takes `reference`: the twin's reference render, whose room the image must show."""
        ...


@dataclass
class BatchJob:
    """A job as polled: its state and, once it succeeded, each scene's answer (backend-specific)."""

    name: str
    state: str
    answers: dict[str, Any] = field(default_factory=dict)


class BatchBackend(Protocol):
    model: str
    expected_cost_usd: float  # a request's typical price at the batch rate

    def find(self, display_name: str) -> str | None:
        """The name (`batches/ID`) of a job created under `display_name`, if there is one."""
        ...

    def create(
        self, specs: list[SceneSpec], display_name: str, references: dict[str, RenderedImage] | None = None
    ) -> str:
        """Create one job of the specs' image requests (a twin's with its reference) and return its name."""
        ...

    def poll(self, name: str) -> BatchJob: ...

    def collected_images(self, jobs: list[BatchJob], workers: WorkerPool) -> ImageGenerator:
        """The image backend that hands finished jobs' answers to the per-scene pipeline."""
        ...


def sha256_file(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def png_header(data: bytes) -> tuple[int, int, int, int] | None:
    """Width, height, bit depth and colour type from a PNG's header chunk; None if `data` is no PNG."""
    if not data.startswith(PNG_MAGIC) or data[12:16] != b"IHDR" or len(data) < 26:
        return None
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    return width, height, depth, colour


def decode(path: Path) -> Image.Image:
    """The pixels of an image file, fully read; SceneFailed when they cannot be decoded."""
    try:
        with Image.open(path) as image:
            image.load()
            return image if image.mode == "RGB" else image.convert("RGB")
    except (OSError, UnidentifiedImageError, SyntaxError) as exc:
        raise SceneFailed(f"{path.name} cannot be decoded: {exc}") from None


def verify_png(path: Path, size: tuple[int, int] | None = None) -> tuple[int, int]:
    """Check that `path` is a complete, decodable PNG (of `size`, when given); return its size."""
    with open(path, "rb") as handle:
        if handle.read(len(PNG_MAGIC)) != PNG_MAGIC:
            raise SceneFailed(f"{path.name} is not a PNG")
    actual = decode(path).size
    if size and actual != size:
        raise SceneFailed(f"{path.name} is {actual[0]}x{actual[1]}, expected {size[0]}x{size[1]}")
    return actual


def preview_path(staged: Path) -> Path:
    """Where the reviewer's copy of a staged image waits beside it."""
    return staged.with_name(staged.stem + ".preview.jpg")


def preview_bytes(image: Image.Image) -> bytes:
    """The image as a reviewer sees it: a half-size JPEG."""
    buffer = io.BytesIO()
    image.resize(PREVIEW_SIZE, Image.Resampling.BILINEAR).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def write_atomically(target: Path, data: bytes) -> None:
    """`data` at `target`, whole or not at all."""
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(data)
    os.replace(partial, target)
