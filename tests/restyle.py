"""What the fake Gemini server answers to a request that carries a reference image, and what
bench/twin_agreement.py scores: a photograph-like copy of the reference that keeps its geometry
(`restyled`), and three that do not: the room seen from a moved camera, a large object painted out, a
picture of another room.

A restyled copy changes what a real photograph of the room would change: colour grade, contrast, noise,
blur, JPEG, small local warps, a little added clutter. Every change is drawn from `seed`.
"""

from __future__ import annotations

import io
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter
from scipy import ndimage

SIZE = (2752, 1536)


def as_shown(reference: Image.Image) -> Image.Image:
    """The reference as a twin's request carries it to the image model (scenegen.images.preview_bytes)."""
    from scenegen.images import preview_bytes

    with Image.open(io.BytesIO(preview_bytes(reference))) as shown:
        return shown.convert("RGB")


def object_to_paint_out(
    instances: np.ndarray, shell: set[int]
) -> tuple[int, tuple[float, float, float, float]]:
    """The object (not the room's shell) showing most pixels whose box covers at most a tenth of the frame
    (painting out a rack the size of the room leaves nothing else to measure), and that box in fractions of
    the frame: left, top, right, bottom."""
    height, width = instances.shape
    candidates = []
    for index, where in enumerate(ndimage.find_objects(instances), start=1):
        if where is None or index in shell:
            continue
        rows, columns = where
        if (rows.stop - rows.start) * (columns.stop - columns.start) <= 0.1 * width * height:
            pixels = int((instances[where] == index).sum())
            box = (columns.start / width, rows.start / height, columns.stop / width, rows.stop / height)
            candidates.append((pixels, index, box))
    _, index, box = max(candidates)
    return index, box


def restyled(reference: Image.Image, seed: int, size: tuple[int, int] = SIZE) -> Image.Image:
    rng = random.Random(seed)
    image = reference.convert("RGB").resize(size, Image.Resampling.BICUBIC)
    pixels = np.asarray(image, np.float32)
    # colour grade and contrast
    gains = np.array([rng.uniform(0.82, 1.18) for _ in range(3)], np.float32)
    contrast = rng.uniform(0.8, 1.25)
    mean = pixels.mean()
    pixels = (pixels - mean) * contrast + mean * rng.uniform(0.9, 1.1)
    pixels = pixels * gains
    pixels = _warped(pixels, rng, amplitude=rng.uniform(1.0, 3.0))
    pixels += np.random.default_rng(seed).normal(0, rng.uniform(2, 7), pixels.shape).astype(np.float32)
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 1.4)))
    _clutter(image, rng, count=rng.randint(2, 6))
    return _through_jpeg(image, rng.randint(70, 92))


def moved_camera(reference: Image.Image, seed: int, size: tuple[int, int] = SIZE) -> Image.Image:
    """The room from a camera moved sideways and forward: the reference shifted 5-9% and zoomed 8-15%."""
    rng = random.Random(seed)
    width, height = reference.size
    zoom = rng.uniform(1.08, 1.15)
    shift_x = rng.choice((-1, 1)) * rng.uniform(0.05, 0.09) * width
    shift_y = rng.choice((-1, 1)) * rng.uniform(0.02, 0.05) * height
    crop_w, crop_h = width / zoom, height / zoom
    left = (width - crop_w) / 2 + shift_x
    top = (height - crop_h) / 2 + shift_y
    box = (left, top, left + crop_w, top + crop_h)
    moved = reference.convert("RGB").transform(
        reference.size, Image.Transform.EXTENT, box, Image.Resampling.BICUBIC
    )
    return restyled(moved, seed, size)


def painted_out(
    reference: Image.Image, box: tuple[float, float, float, float], seed: int, size=SIZE
) -> Image.Image:
    """The reference with the region `box` (fractions of the frame: left, top, right, bottom) filled with the
    colours around it, smoothly, as an object removed by retouching would leave it."""
    image = reference.convert("RGB")
    width, height = image.size
    left, top, right, bottom = (
        round(box[0] * width),
        round(box[1] * height),
        round(box[2] * width),
        round(box[3] * height),
    )
    pixels = np.asarray(image, np.float32).copy()
    region = pixels[top:bottom, left:right]
    ring = np.concatenate(
        [
            pixels[max(top - 3, 0) : top, left:right].reshape(-1, 3),
            pixels[bottom : bottom + 3, left:right].reshape(-1, 3),
            pixels[top:bottom, max(left - 3, 0) : left].reshape(-1, 3),
            pixels[top:bottom, right : right + 3].reshape(-1, 3),
        ]
    )
    fill = np.median(ring, axis=0) if len(ring) else region.reshape(-1, 3).mean(axis=0)
    pixels[top:bottom, left:right] = fill
    return restyled(Image.fromarray(pixels.astype(np.uint8)), seed, size)


def unrelated(other_reference: Image.Image, seed: int, size: tuple[int, int] = SIZE) -> Image.Image:
    """A photograph of another room: a restyled copy of a different reference."""
    return restyled(other_reference, seed, size)


def _warped(pixels: np.ndarray, rng: random.Random, amplitude: float) -> np.ndarray:
    """Small smooth local warps: each pixel moved by up to `amplitude` pixels, smoothly across the frame."""
    height, width = pixels.shape[:2]
    coarse = np.random.default_rng(rng.randrange(2**31)).normal(0, 1, (2, 6, 10)).astype(np.float32)
    fields = [ndimage.zoom(c, (height / 6, width / 10), order=3)[:height, :width] for c in coarse]
    fields = [f / (np.abs(f).max() + 1e-6) * amplitude for f in fields]
    rows, columns = np.mgrid[0:height, 0:width].astype(np.float32)
    coordinates = [rows + fields[0], columns + fields[1]]
    return np.stack(
        [ndimage.map_coordinates(pixels[..., c], coordinates, order=1, mode="nearest") for c in range(3)],
        axis=-1,
    )


def _clutter(image: Image.Image, rng: random.Random, count: int) -> None:
    """A few small things the reference does not have: a box, a bag, a mark on the floor."""
    draw = ImageDraw.Draw(image)
    width, height = image.size
    for _ in range(count):
        w, h = rng.uniform(0.01, 0.035) * width, rng.uniform(0.01, 0.04) * height
        x, y = rng.uniform(0.05, 0.95) * width, rng.uniform(0.5, 0.95) * height
        colour = tuple(rng.randrange(40, 220) for _ in range(3))
        if rng.random() < 0.5:
            draw.rectangle([x, y, x + w, y + h], fill=colour)
        else:
            draw.ellipse([x, y, x + w, y + h], fill=colour)


def _through_jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        decoded.load()
        return decoded.convert("RGB")


def recoloured(reference: Image.Image, seed: int, size: tuple[int, int] = SIZE) -> Image.Image:
    """A restyled copy whose things changed colour, each by how light it is, and lightness turned round the
    scale (what a view that drew other materials looks like beside the first): no one grade of the whole
    frame explains it, in a dark room as in a bright one."""
    hsv = np.asarray(reference.convert("RGB").convert("HSV")).astype(np.int32)
    hsv[..., 0] = (hsv[..., 0] + 85 + hsv[..., 2] * 3) % 256
    hsv[..., 1] = np.maximum(hsv[..., 1], 150)
    hsv[..., 2] = (hsv[..., 2] + 110) % 256
    turned = Image.fromarray(hsv.astype(np.uint8), "HSV").convert("RGB")
    return restyled(turned, seed, size)
