"""What the forkserver imports once, so that every worker forked from it starts with it loaded.

One thread per math library first: a worker is one process per core, and the forkserver must stay single-
threaded to fork safely (numpy's OpenBLAS starts a thread per core on import). usd-core is not imported
here: it starts a thread of its own; each worker imports it after the fork
(`scenegen.engine.pool.warm_up`).
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"

import numpy  # noqa: E402, F401
from PIL import Image  # noqa: E402, F401

import scenegen.quality.checks  # noqa: E402
import scenegen.render.ground_truth  # noqa: E402, F401
