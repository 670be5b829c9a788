"""snapshot_adapters: storage, model, CLI and composition-root adapters for snapshot_core.

``build_orchestrator()`` wires everything from settings; pass ``Settings(...)`` or provider
overrides (``model=FakeModel()``) to choose backends explicitly. Names are imported on first
use, so ``import snapshot_adapters`` (and every CLI command) loads nothing it does not need.
"""

# No `from __future__ import annotations`: that statement imports the __future__ module, and
# a Ctrl-C while it loads (before the handler below is set) would print a traceback.
import os
import sys


def _started_as_the_snapshot_command() -> bool:
    """``snapshot ...`` (the console script) or ``python -m snapshot_adapters.cli.main ...``."""
    if sys.argv and os.path.basename(sys.argv[0]).removesuffix(".exe") == "snapshot":
        return True
    argv = sys.orig_argv
    return "-m" in argv and argv[argv.index("-m") + 1 :][:1] == ["snapshot_adapters.cli.main"]


if _started_as_the_snapshot_command():
    # The command imports this package before `cli.main.run` can catch Ctrl-C, so a Ctrl-C
    # in that moment would print a traceback. Until `run` restores the usual handler, Ctrl-C
    # ends the command at once with exit 130 and one line (nothing is open or written yet).
    # `_signal`: importing `signal` itself takes milliseconds.
    import _signal  # type: ignore[import-not-found, unused-ignore]

    def _interrupted_while_starting(_signum: int, _frame: object) -> None:
        os.write(2, b"Interrupted\n")
        os._exit(130)

    try:  # noqa: SIM105 - contextlib would be one more import before the handler
        _signal.signal(_signal.SIGINT, _interrupted_while_starting)
    except ValueError:  # imported outside the main thread: signals are not ours to set
        pass

from typing import TYPE_CHECKING  # noqa: E402 - after the Ctrl-C handler, on purpose

from .lazy_names import lazy_names  # noqa: E402

if TYPE_CHECKING:
    from .container import Container, build_container, build_orchestrator
    from .settings import Settings

__all__ = ["Container", "Settings", "build_container", "build_orchestrator"]


__getattr__, __dir__ = lazy_names(
    __name__,
    {
        "Container": ".container",
        "build_container": ".container",
        "build_orchestrator": ".container",
        "Settings": ".settings",
    },
)
