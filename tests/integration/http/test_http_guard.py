"""Without the http extra: a message naming it; the package itself stays importable (the CLI
finds `snapshot serve` through it), and importing it loads no FastAPI."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest


def test_without_fastapi_create_app_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "fastapi", None)
    for name in [m for m in sys.modules if m.startswith("snapshot_adapters.http.")]:
        monkeypatch.delitem(sys.modules, name)
    with pytest.raises(ImportError, match=r"snapshot-orchestrator\[http\]"):
        importlib.import_module("snapshot_adapters.http.app")


def test_importing_the_package_and_its_command_loads_no_web_framework() -> None:
    code = (
        "import sys, snapshot_adapters.http, snapshot_adapters.http.serve_command;"
        "print(sorted(m for m in ('fastapi', 'starlette', 'uvicorn') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_package_exports_create_app() -> None:
    import snapshot_adapters.http as http

    assert http.__all__ == ["create_app"]
    assert callable(http.create_app)
