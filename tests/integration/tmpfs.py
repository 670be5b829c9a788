"""A small tmpfs for tests of full and read-only disks (needs the privilege to mount)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["tmpfs"]


@contextmanager
def tmpfs(mount: Path, size: str) -> Iterator[bool]:
    """Mount a tmpfs of ``size`` (e.g. ``16k``) on ``mount`` for the block; yields whether it
    could be mounted (not as an unprivileged user), and unmounts it afterwards."""
    mount.mkdir(exist_ok=True)
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    try:
        yield made.returncode == 0
    finally:
        if made.returncode == 0:
            subprocess.run(["umount", str(mount)], check=False)
