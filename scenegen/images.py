"""The image backend protocol, and what every image is checked against, whoever made it."""

from __future__ import annotations

import ctypes
import hashlib
import struct
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Protocol

from PIL import Image, UnidentifiedImageError

from scenegen.errors import SceneFailed
from scenegen.models import RenderedImage, SceneSpec

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
RGB_8_BIT = (8, 2)  # a PNG's bit depth and colour type for 8-bit RGB: what the pipeline stores


class ImageGenerator(Protocol):
    name: str
    model: str
    expected_cost_usd: float  # a typical call's price, held against MAX_COST_USD while it runs
    draws_locally: bool  # the image is drawn on this machine's CPU, not waited for from a service
    replacements: int  # fresh specs a rejected image gets: free images more, paid ones one, collected none

    def generate(self, spec: SceneSpec, destination: Path) -> RenderedImage:
        """Write the scene's image as a PNG at `destination` and describe it."""
        ...


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


class DecodedImages:
    """Pixels that a backend already holds when its image arrives, kept for the checks by sha256, so that
    no image is decoded again. Bounded: an entry nobody takes (a cached check) is dropped in time."""

    def __init__(self, capacity: int = 4) -> None:
        self.capacity = capacity
        self._images: OrderedDict[str, Image.Image] = OrderedDict()
        self._lock = threading.Lock()

    def keep(self, sha256: str, image: Image.Image) -> None:
        with self._lock:
            self._images[sha256] = image
            while len(self._images) > self.capacity:
                self._images.popitem(last=False)

    def take(self, sha256: str) -> Image.Image | None:
        with self._lock:
            return self._images.pop(sha256, None)


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
