"""Showing that a key is set without showing the key."""

from __future__ import annotations

__all__ = ["mask_api_key"]


def mask_api_key(key: str | None) -> str:
    """``sk-…abcd``: the prefix up to its first dash and the last four characters.

    A key shorter than 12 characters shows as ``…`` alone: four of its characters would be
    too large a share of it.
    """
    if not key:
        return "(not set)"
    if len(key) < 12:
        return "…"
    prefix = key[: key.index("-") + 1] if "-" in key[:8] else ""
    return f"{prefix}…{key[-4:]}"
