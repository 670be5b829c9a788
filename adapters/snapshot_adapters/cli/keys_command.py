"""`snapshot keys create | list | revoke`: API keys of the web service (storage only, no FastAPI).

The key is printed once, on stdout, by `create`; only its SHA-256 is stored, so it can never
be shown again. `list` and `revoke` work with the public key id.
"""

from __future__ import annotations

from typing import Annotated

import typer

from .app import app
from .common import UserOption, container, err, out, print_json, refuse_empty_user, require_user
from .terminal import emit

__all__ = ["keys"]

keys = typer.Typer(
    name="keys",
    help="API keys for `snapshot serve` (stored as hashes only).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
app.add_typer(keys)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


@keys.command("create")
def create(
    user: UserOption = None,
    name: Annotated[
        str, typer.Option("--name", "-n", help="A label (e.g. where it is used).")
    ] = "",
) -> None:
    """Make a key for a user; prints it once on stdout (it cannot be shown again)."""
    user_id = require_user(user)
    made = container(creates=True).orchestrator().create_api_key(user_id=user_id, name=name)
    emit(made.token)
    err.print(f"Created key {made.key.key_id} for {user_id}. Store it now: only its hash is kept.")


@keys.command("list")
def list_keys(
    user: Annotated[
        str | None,
        typer.Option("--user", "-u", envvar="SNAPSHOT_USER", help="Only this user's keys."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """List keys (id, user, name, created, revoked); never the keys themselves."""
    refuse_empty_user(user)
    found = container().orchestrator().list_api_keys(user_id=user)
    if as_json:
        print_json([k.model_dump(mode="json", exclude={"secret_sha256"}) for k in found])
        return
    if not found:
        err.print("No API keys: `snapshot keys create --user U` makes one.")
        return
    from .tables import Column, print_fitted

    columns = [
        Column("key_id", whole=True),
        Column("user", whole=True),
        Column("revoked (UTC)", priority=1, whole=True),
        Column("created (UTC)", priority=2, whole=True),
        Column("name", priority=3),
    ]
    rows = [
        [
            k.key_id,
            k.user_id,
            "–" if k.revoked_at is None else f"{k.revoked_at:%Y-%m-%d %H:%M}",
            f"{k.created_at:%Y-%m-%d %H:%M}",
            k.name,
        ]
        for k in found
    ]
    print_fitted(out, err, columns, rows)


@keys.command("revoke")
def revoke(
    key_id: Annotated[str, typer.Argument(metavar="KEY_ID", help="From `keys list`.")],
) -> None:
    """Revoke a key: from now on it authenticates nobody."""
    key = container().orchestrator().revoke_api_key(key_id=key_id)
    emit(key.key_id)
    err.print(f"Revoked key {key.key_id} of {key.user_id}.")
