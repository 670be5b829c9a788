"""pydantic's plugin look-up, answered without importlib.metadata when no plugin can exist.

The first pydantic model a process builds makes pydantic look for plugins: it asks
``importlib.metadata`` for the ``pydantic`` entry points, which parses every installed
distribution's metadata (about 10 ms, paid by `snapshot ingest` and `snapshot bucket`
alike). Entry points are declared only in ``entry_points.txt`` files, so when none of those
on ``sys.path`` even mentions ``pydantic``, no plugin is installed and pydantic's cache of
loaded plugins can be set to empty, which is where its own look-up would have ended.
Whenever that cannot be known this way (a zip file on ``sys.path``, a finder of its own that
lists distributions, or the cache already filled), pydantic is left to look as usual.
"""

from __future__ import annotations

import os
import sys
from importlib.machinery import PathFinder

__all__ = ["answer_plugin_lookup"]

_METADATA = (".dist-info", ".egg-info")


def answer_plugin_lookup() -> None:
    """Call before the command builds its first pydantic model (see the module docstring)."""
    from pydantic.plugin import _loader

    if getattr(_loader, "_plugins", ()) is not None or getattr(_loader, "_loading_plugins", True):
        return  # looked up already, being looked up, or a pydantic without this cache
    group = getattr(_loader, "PYDANTIC_ENTRY_POINT_GROUP", None)
    if group != "pydantic" or not _surely_undeclared(group.encode()):
        return
    _loader._plugins = {}


def _surely_undeclared(marker: bytes) -> bool:
    """No ``entry_points.txt`` that importlib.metadata could read mentions ``marker``
    (every copy of every distribution is read, shadowed or not, whatever the case of its
    folder's suffix, as importlib.metadata matches it)."""
    if any(
        finder is not PathFinder and hasattr(finder, "find_distributions")
        for finder in sys.meta_path
    ):
        return False
    for directory in sys.path:
        try:
            names = os.listdir(directory or ".")
        except NotADirectoryError:  # a zip file: importlib.metadata reads inside it
            return False
        except OSError:  # a missing directory
            continue
        for name in names:
            if not name.lower().endswith(_METADATA):
                continue
            try:
                with open(os.path.join(directory or ".", name, "entry_points.txt"), "rb") as file:
                    if marker in file.read():
                        return False
            except (FileNotFoundError, NotADirectoryError):  # no entry points declared
                continue
            except OSError:  # unreadable, or not a folder: say nothing we cannot check
                return False
    return True
