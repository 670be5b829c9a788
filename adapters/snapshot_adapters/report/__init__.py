"""The HTML report of a snapshot: one self-contained offline page, served by the CLI and HTTP."""

from .html import render_html

__all__ = ["render_html"]
