"""The `snapshot` command-line interface (Typer + Rich)."""
