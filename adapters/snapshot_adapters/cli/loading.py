"""``loading()``: no garbage collection while the `snapshot` command loads its modules.

What importing a module makes (classes, functions, tables) lives as long as the process, so
each collection during start-up goes through all of it and frees nothing: an eighth of
`snapshot ingest`'s start-up. In the `snapshot` process (``main.run`` calls ``one_shot``)
collection is paused for the block, then what the block loaded is frozen (``gc.freeze``:
later collections skip it, as the gc module's documentation advises for objects made at
start-up) and collection resumes, however the block ends. Called in-process (``main`` from
tests or a program), the block changes nothing: freezing would keep that program's own
objects from ever being collected.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["loading", "one_shot"]

_freeze = False


def one_shot() -> None:
    """This process is one `snapshot` command: ``loading`` may freeze what it loads."""
    global _freeze
    _freeze = True


@contextmanager
def loading() -> Iterator[None]:
    """Modules are loaded in this block (see the module's docstring)."""
    if not _freeze or not gc.isenabled():  # in-process, or inside another such block
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()
