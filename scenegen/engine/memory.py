"""How a process that holds many images keeps its memory flat: glibc's thresholds for large buffers."""

from __future__ import annotations

import ctypes


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
