"""The HTML report of a snapshot: one self-contained offline page, served by the CLI and HTTP."""

from .html import render_html
from .style import CONTENT_SECURITY_POLICY

__all__ = ["CONTENT_SECURITY_POLICY", "render_html"]
