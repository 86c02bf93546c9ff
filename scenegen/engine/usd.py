"""usd-core beside threads.

Two threads making their first anonymous layer at once can deadlock inside usd-core: one holds the
interpreter lock while it waits for a C++ static initialiser that the other runs, and that one dropped the
lock inside it and waits to get it back. Nothing in Python can end that; only SIGKILL does. So every use
of usd-core here holds one lock, and a process takes its first use alone, before it starts threads
(`first_use`): a worker as it warms up, a command or a test before its work begins.
"""

from __future__ import annotations

import threading

USD_LOCK = threading.RLock()
_used = False


def first_use() -> None:
    """Import usd-core and make and write a first layer, under the lock: its lazy start-up done once."""
    global _used
    with USD_LOCK:
        if _used:
            return
        from pxr import Sdf, Usd  # noqa: F401 - Usd: its plugins load with it

        layer = Sdf.Layer.CreateAnonymous(".usda")
        Sdf.PrimSpec(layer, "World", Sdf.SpecifierDef, "Xform")
        layer.ExportToString()
        _used = True
