"""The report's one stylesheet (``report.css``: light, dark, print) and the policy it needs.

The stylesheet is constant (no data is ever written into it), so its SHA-256 is too: the page
runs under ``CONTENT_SECURITY_POLICY`` with no script at all and no inline style attribute.
"""

from __future__ import annotations

import base64
import hashlib
from importlib.resources import files

__all__ = ["CONTENT_SECURITY_POLICY", "META_POLICY", "STYLE"]

STYLE = files("snapshot_adapters.report").joinpath("report.css").read_text(encoding="utf-8")

_STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()

META_POLICY = (
    f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)
"""The policy the page carries in a ``<meta>`` element (frame-ancestors is ignored there)."""

CONTENT_SECURITY_POLICY = META_POLICY + "; frame-ancestors 'none'"
"""The header a server sends with the page: no script, the one stylesheet by its hash."""
