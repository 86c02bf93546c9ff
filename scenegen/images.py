"""The image backend protocol, and what every image is checked against, whoever made it."""

from __future__ import annotations

import ctypes
import hashlib
import io
import os
import struct
from pathlib import Path
from typing import Protocol

from PIL import Image, UnidentifiedImageError

from scenegen.errors import SceneFailed
from scenegen.models import RenderedImage, SceneSpec

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


def keep_large_buffers() -> None:
    """For a worker process that draws: its large arrays (a 2K frame of float64 is 34 MB) reused from its
    one heap instead of mapped fresh and faulted in for each render, about 8% of a render's time. A worker
    has one thread, so one heap, whose size follows its largest render and stays flat over a run."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc
        return
    m_trim_threshold, m_mmap_threshold = -1, -3
    mallopt(m_mmap_threshold, 1 << 30)
    mallopt(m_trim_threshold, 1 << 30)


def return_image_memory_to_the_system() -> None:
    """Have every large buffer (an image: megabytes) mapped fresh and unmapped when freed.

    glibc raises its threshold for that after the first large buffer is freed, and from then on serves
    images from heaps that it keeps per thread: over a run of many images the resident size grows by
    hundreds of MiB. Fixing the threshold keeps it flat, for a few per cent more time in page faults.
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt  # this process's own C library
    except (OSError, AttributeError):  # not glibc: nothing to tune
        return
    m_mmap_threshold = -3
    mallopt(m_mmap_threshold, 1 << 20)


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
