"""`snapshot validate`: check the setup (the checks live in `validate_checks.py`)."""

from __future__ import annotations

import typer

from .app import app
from .common import out

__all__ = ["validate"]


@app.command()
def validate(
    probe: bool = typer.Option(
        False,
        "--probe",
        help="Also send one minimal paid request to see whether the endpoint honours a "
        "strict json_schema (its cost is printed first).",
    ),
) -> None:
    """Check settings, API key, database and migrations, model endpoint, and narrative schema."""
    from .validate_checks import print_check, run_checks, settings_for_probe
    from .validate_checks import probe as send_probe

    checks = run_checks()
    for check in checks:
        print_check(check)
    if probe and not any(check.ok is False for check in checks):
        settings = settings_for_probe()
        if settings is not None:
            checks.append(send_probe(settings))
            print_check(checks[-1])
    failed = sum(check.ok is False for check in checks)
    out.print("All checks passed." if not failed else f"{failed} check(s) failed.")
    raise typer.Exit(1 if failed else 0)
