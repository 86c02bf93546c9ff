"""The fast PNG writer's files read back exactly, with any reader (here Pillow's)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from scenegen.render.png import write_png


@pytest.mark.parametrize(
    ("shape", "dtype", "mode"),
    [((37, 53), np.uint8, "L"), ((37, 53), np.uint16, "I;16"), ((37, 53, 3), np.uint8, "RGB")],
)
@pytest.mark.parametrize("runs", [True, False])
def test_pixels_read_back_exactly(tmp_path: Path, shape, dtype, mode, runs):
    rng = np.random.default_rng(3)
    pixels = rng.integers(0, np.iinfo(dtype).max, shape, endpoint=True).astype(dtype)
    pixels[5:20] = pixels[4]  # runs of equal rows, as a render has
    write_png(pixels, tmp_path / "x.png", runs=runs)
    with Image.open(tmp_path / "x.png") as image:
        assert image.mode == mode and image.size == (shape[1], shape[0])
        assert np.array_equal(np.asarray(image), pixels)


@pytest.mark.parametrize(
    "pixels", [np.zeros((4, 4), np.float32), np.zeros((4, 4, 4), np.uint8), np.zeros(4, np.uint8)]
)
def test_what_it_cannot_write_is_refused(tmp_path: Path, pixels):
    with pytest.raises(ValueError, match="no PNG"):
        write_png(pixels, tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()
