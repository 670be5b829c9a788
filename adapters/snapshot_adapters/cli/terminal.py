"""Text for a terminal is data: control characters become visible symbols, never commands.

Every Rich console of the CLI renders through `AsData` (a render hook), and every plain
write to stdout goes through `emit`, so an ESC in a source name, a model's text or a model
name is shown as ``␛`` and can neither clear the screen nor set the window title.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult

__all__ = ["AsData", "data_console", "emit", "emit_json", "visible"]

# C0 controls except tab and newline (layout, not commands), DEL, and the C1 controls
# (U+0080-U+009F: U+009B alone is a CSI on many terminals).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _picture(match: re.Match[str]) -> str:
    code = ord(match[0])
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control pictures": ESC is shown as ␛
    return "\u2421" if code == 0x7F else "\ufffd"


def visible(text: str) -> str:
    """``text`` with every control character replaced by a visible stand-in."""
    return _CONTROL.sub(_picture, text)


def emit(text: str) -> None:
    """One line of plain output on stdout, controls made visible."""
    print(visible(text))


def emit_json(text: str) -> None:
    """A JSON document on stdout. Controls can occur only inside strings, where ``\\u00XX``
    spells the same character: the data is unchanged and the terminal sees no control."""
    print(_CONTROL.sub(lambda m: f"\\u{ord(m[0]):04x}", text))


class AsData:
    """Wraps a renderable so that its text segments (not Rich's own styling or cursor
    codes) are rendered through `visible`."""

    def __init__(self, renderable: RenderableType) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.segment import Segment

        for segment in console.render(self.renderable, options):
            if segment.control or not _CONTROL.search(segment.text):
                yield segment
            else:
                yield Segment(visible(segment.text), segment.style)


def data_console(*, stderr: bool) -> Console:
    """A Rich console that treats every string as data: no markup, no emoji codes, no
    highlighting, and control characters made visible (names like ``[/]`` print as
    themselves). Styles are applied with ``rich.text.Text``."""
    from rich.console import Console, RenderHook

    class _AsDataHook(RenderHook):
        def process_renderables(self, renderables: list[Any]) -> list[Any]:
            return [AsData(renderable) for renderable in renderables]

    console = Console(stderr=stderr, highlight=False, markup=False, emoji=False)
    console.push_render_hook(_AsDataHook())
    return console
