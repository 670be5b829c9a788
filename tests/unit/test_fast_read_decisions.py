"""The fast read path's decisions: what it reads as the full path would, and what it leaves to
the full path. Each copy of a rule it keeps (settings names, the document's shape, limits) is
checked against the original here, and each "surely the same" is checked by property."""

from __future__ import annotations

import json
import os
import types
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from pydantic_settings import EnvSettingsSource

from snapshot_adapters.cli import fast_read, light_settings
from snapshot_adapters.cli.light_start import LightContainer
from snapshot_adapters.cli.snapshot_document import SHAPE, Unsure, snapshot_json
from snapshot_adapters.fake import FakeModel, FixedClock, SequentialIds, synthetic_estimates
from snapshot_adapters.memory import MemoryStore
from snapshot_adapters.settings import DEFAULT_DATABASE_URL, Settings, load_settings
from snapshot_core import Orchestrator
from snapshot_core.domain import InvalidSettingsError, RunPolicy, SnapshotResult
from snapshot_core.domain.user_text import USER_ID_MAX_LENGTH


def test_the_setting_names_are_those_pydantic_settings_reads() -> None:
    source = EnvSettingsSource(Settings)
    names = {
        env_name
        for name, field in Settings.model_fields.items()
        for _, env_name, _ in source._extract_field_info(field, name)
    }
    assert names == light_settings.SETTING_NAMES


def test_the_copied_constants_equal_their_originals() -> None:
    assert light_settings.DEFAULT_DATABASE_URL == DEFAULT_DATABASE_URL
    assert fast_read._USER_ID_MAX_LENGTH == USER_ID_MAX_LENGTH
    assert Settings.model_config["env_file"] == light_settings.ENV_FILES
    fields = Settings.model_fields
    assert fields["max_weeks"].default == light_settings.DEFAULT_MAX_WEEKS
    assert fields["ingest_max_bytes"].default == light_settings.DEFAULT_INGEST_MAX_BYTES
    assert fields["ingest_max_rows"].default == light_settings.DEFAULT_INGEST_MAX_ROWS


def _fields(shape: dict[str, Any], model: type[BaseModel], where: str) -> None:
    assert list(shape) == list(model.model_fields), where
    for name, field in model.model_fields.items():
        inner, annotation = shape[name], field.annotation
        if typing.get_origin(annotation) is tuple:
            annotation = typing.get_args(annotation)[0]
            if isinstance(inner, tuple):
                inner = inner[0]
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            assert isinstance(inner, dict), f"{where}.{name}"
            _fields(inner, annotation, f"{where}.{name}")
        else:
            assert callable(inner) or isinstance(inner, tuple), f"{where}.{name}"


def test_the_document_shape_has_every_field_of_the_snapshot_models_in_order() -> None:
    _fields(SHAPE, SnapshotResult, "SnapshotResult")


def _snapshot(outcomes: bool, min_cell_count: int = 0) -> dict[str, Any]:
    from snapshot_core.domain import RunPolicy

    app = Orchestrator(
        uow_factory=MemoryStore(),
        model=FakeModel(),
        clock=FixedClock(),
        ids=SequentialIds(),
        policy=RunPolicy(min_cell_count=min_cell_count),
    )
    source = app.ingest_estimates(user_id="u", rows=synthetic_estimates(90, outcomes=outcomes))
    app.bucket_source(source_id=source, user_id="u")
    snapshot_id = app.run_snapshot(source_id=source, user_id="u")
    document: dict[str, Any] = app.get_snapshot(snapshot_id=snapshot_id, user_id="u").model_dump(
        mode="json"
    )
    return document


DOCUMENTS = [_snapshot(True), _snapshot(False), _snapshot(True, min_cell_count=5)]


def _full_path(body: str) -> str | None:
    try:
        return SnapshotResult.model_validate(json.loads(body)).model_dump_json(indent=2)
    except Exception:
        return None  # the full path reports an error: the fast path must not answer


def test_a_saved_document_is_printed_by_the_fast_path() -> None:
    for document in DOCUMENTS:
        body = json.dumps(document)
        assert snapshot_json(body) == _full_path(body)


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _leaves(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _leaves(inner, (*path, index))
    yield path


JSON_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(
        [
            "12.50",
            "1E+1",
            "0.0000001",
            "007",
            "-0",
            "2026-01-05",
            "2026-01-05T09:00:00Z",
            "2026-01-05T09:00:00.120000Z",
            "2026-01-05T09:00:00.12Z",
            "2026-01-05T09:00:00+00:00",
            "2026-W02",
            "2026-W54",
            "\ud800",
            "x" * 601,
            "low",
            "template",
            "2",
            "1",
        ]
    ),
    st.lists(st.text(max_size=3), max_size=13),
    st.just({}),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    which=st.integers(0, len(DOCUMENTS) - 1),
    picks=st.lists(st.integers(min_value=0), min_size=1, max_size=3),
    values=st.lists(JSON_VALUES, min_size=3, max_size=3),
    delete=st.booleans(),
)
@example(which=0, picks=[0], values=[1250, None, None], delete=False)
def test_whenever_the_fast_path_prints_a_document_it_prints_what_pydantic_prints(
    which: int, picks: list[int], values: list[Any], delete: bool
) -> None:
    document = json.loads(json.dumps(DOCUMENTS[which]))
    for pick, value in zip(picks, values, strict=False):
        paths = [path for path in _leaves(document) if path]  # again: a leaf may be gone
        *parent, last = paths[pick % len(paths)]
        holder = document
        for key in parent:
            holder = holder[key]
        if delete and isinstance(holder, dict):
            del holder[last]
        else:
            holder[last] = value
    body = json.dumps(document)
    try:
        fast = snapshot_json(body)
    except Unsure:
        return
    assert fast == _full_path(body)


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    for name in list(os.environ):
        if name.lower() in light_settings.SETTING_NAMES:
            del os.environ[name]
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


SETTING_VALUES = st.one_of(
    st.text(max_size=6),
    st.sampled_from(["0", "1", "8", "9", "-1", "007", "1.5", "EUR", "eur", "fake", "openai"]),
    st.sampled_from(["template", "none", "otel", "10", "1e3", " 5", "sqlite:///x.db"]),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=st.dictionaries(
        st.sampled_from(sorted(light_settings.SETTING_NAMES)).map(str.upper),
        SETTING_VALUES,
        max_size=4,
    )
)
@example(values={"SNAPSHOT_MAX_INSIGHTS": "9"})
@example(values={"SNAPSHOT_MIN_CELL_COUNT": "007"})
def test_settings_the_fast_path_reads_are_settings_pydantic_accepts_alike(
    values: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    values = {name: value.replace("\x00", "") for name, value in values.items()}
    with _environment(values):
        light = light_settings.read_settings()
        if light is None:
            return
        try:
            full = load_settings()
        except InvalidSettingsError as error:
            pytest.fail(f"the fast path read settings Settings refuses: {error.message}")
    assert (light.database_url, light.user) == (full.database_url, full.user)
    # What `snapshot ingest` and `snapshot bucket` read of them (cli/light_start.py).
    assert (light.max_weeks, light.ingest_max_bytes, light.ingest_max_rows) == (
        full.max_weeks,
        full.ingest_max_bytes,
        full.ingest_max_rows,
    )
    assert LightContainer(light).policy() == full.run_policy()


@pytest.mark.parametrize("every", [False, True])
def test_the_light_policy_of_each_setting_is_settings_own(
    every: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each setting that is a field of the policy, alone and all at once, at a value other
    than its default: the property test above may draw few of them."""
    monkeypatch.chdir(tmp_path)
    values = {
        "SNAPSHOT_MIN_ESTIMATES": "7",
        "SNAPSHOT_MIN_CELL_COUNT": "3",
        "SNAPSHOT_MAX_WEEKS": "12",
        "SNAPSHOT_CURRENCY": "CHF",
        "SNAPSHOT_NARRATIVE_FALLBACK": "template",
        "SNAPSHOT_MAX_INSIGHTS": "8",
    }
    for chosen in [values] if every else [{name: value} for name, value in values.items()]:
        with _environment(chosen):
            light = light_settings.read_settings()
            assert light is not None, chosen
            policy, full = LightContainer(light).policy(), load_settings().run_policy()
            assert policy == full != RunPolicy(), chosen  # the value took effect
            assert light.max_weeks == load_settings().max_weeks


def test_settings_files_are_read_with_the_environment_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("SNAPSHOT_USER=from-env\nSNAPSHOT_DATABASE_URL=a\n")
    (tmp_path / ".env.local").write_text("snapshot_user='from local'\n")
    with _environment({"SNAPSHOT_DATABASE_URL": "b"}):
        light = light_settings.read_settings()
        full = load_settings()
        assert light is not None
        assert (
            (light.database_url, light.user)
            == (full.database_url, full.user)
            == (
                "b",
                "from local",
            )
        )
        assert light_settings.read_settings("sqlite:///c.db") == light_settings.ReadSettings(
            "sqlite:///c.db",
            "from local",
            {"snapshot_user": "from local", "snapshot_database_url": "b"},
        )


@pytest.mark.parametrize(
    ("files", "why"),
    [
        ({".env": "SNAPSHOT_TEMPERATURE=0.5\n"}, "a setting only Settings judges"),
        ({".env": "SNAPSHOT_USER\n"}, "a name without a value"),
        ({".env": "a b c\n"}, "a line python-dotenv cannot parse (it would warn twice)"),
        ({".env": "SNAPSHOT_USER=a\nsnapshot_user=b\n"}, "one name twice, in two cases"),
    ],
)
def test_settings_files_the_fast_path_leaves_to_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str], why: str
) -> None:
    monkeypatch.chdir(tmp_path)
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    with _environment({}):
        assert light_settings.read_settings() is None, why


def test_a_fifo_is_left_to_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    os.mkfifo(tmp_path / ".env")
    with _environment({}):
        assert light_settings.read_settings() is None


def test_typer_coerces_what_the_quick_coercion_answers_to_the_same_value() -> None:
    import typer.main
    from typer._click import Context
    from typer._coercion import build_runtime_param

    from snapshot_adapters.cli import flow_commands
    from snapshot_adapters.cli.app import app
    from snapshot_adapters.cli.quick_params import quicken

    del flow_commands
    group = typer.main.get_group(app)
    show = quicken(group.get_command(Context(group), "show"), Context(group))
    context = Context(show)
    samples = ["text", "json", "html", "JSON", "Json", "", "x", " json", "demo-user"]
    for param in show.params:
        typer_own = build_runtime_param(param.type_descriptor)
        for value in [*samples, None, *flow_commands_formats()]:
            _assert_coerced_alike(typer_own, value, param, context)


def test_typer_coerces_paths_and_lists_of_texts_as_the_quick_coercion_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import typer.main
    from typer._click import Context
    from typer._coercion import build_runtime_param

    from snapshot_adapters.cli import ingest_command
    from snapshot_adapters.cli.app import app
    from snapshot_adapters.cli.quick_params import _plain, quicken

    del ingest_command
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.csv").write_text("x")
    (tmp_path / "folder").mkdir()
    (tmp_path / "unreadable.csv").write_text("x")
    (tmp_path / "unreadable.csv").chmod(0)
    group = typer.main.get_group(app)
    ingest = quicken(group.get_command(Context(group), "ingest"), Context(group))
    context = Context(ingest)
    paths = ["a.csv", str(tmp_path / "a.csv"), "./a.csv", "a.csv/", ".//a.csv", "folder"]
    paths += ["folder/", "missing.csv", "", "-", "unreadable.csv", "\udcff.csv", "é.csv"]
    paths += [Path("a.csv"), b"a.csv", "a\x00.csv"]
    texts: list[Any] = [("amount=Total",), ["a=b", "c=d"], (), ("é", "\udcff"), ("x", 1)]
    texts += ["amount=Total", None, (b"a=b",)]
    quick = {"file", "rejects", "mapping", "column_map", "outcome_map"}
    assert quick <= {param.name for param in ingest.params if _plain(param)}
    for param in ingest.params:
        if param.name not in quick:
            continue
        typer_own = build_runtime_param(param.type_descriptor)
        for value in [*paths, *texts, None]:
            _assert_coerced_alike(typer_own, value, param, context)


def _assert_coerced_alike(typer_own: Any, value: Any, param: Any, context: Any) -> None:
    """The quick coercion gives what Typer's own gives: the same value of the same type, or
    the same error in the same words."""
    from snapshot_adapters.cli.quick_params import _QuickCoercion

    expected: Any
    try:
        expected = typer_own.coerce(value, param=param, ctx=context)
    except Exception as error:
        expected = (type(error), str(error))
    got: Any
    try:
        got = _QuickCoercion().coerce(value, param=param, ctx=context)
    except Exception as error:
        got = (type(error), str(error))
    assert got == expected and type(got) is type(expected), (param.name, value)


def flow_commands_formats() -> list[Any]:
    from snapshot_adapters.cli.flow_commands import ShowFormat

    return list(ShowFormat)


def test_the_light_reader_and_the_revision_import_no_sqlalchemy() -> None:
    import subprocess
    import sys

    code = (
        "import sys\nimport snapshot_adapters.sql.light_reader, snapshot_adapters.sql.revision\n"
        "print(' '.join(sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert not [name for name in loaded if name.split(".")[0] in ("sqlalchemy", "pydantic")]


def test_the_fast_path_can_be_switched_off_only_from_python() -> None:
    assert isinstance(fast_read, types.ModuleType) and fast_read._enabled is True
    assert "_enabled" not in fast_read.__all__


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.one_of(
        st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=120),
        st.text(max_size=20),
        st.sampled_from(["", " ", "a  ", "  a", "x" * 79, "x" * 80, "[bold]x[/]", ":smile:"]),
    ),
    columns=st.sampled_from([None, "1", "10", "79", "80", "81", "200", "0", "abc", " 90"]),
    options=st.sampled_from([{}, {"markup": False, "emoji": False}, {"markup": True}]),
)
@example(text="Stored 1 row (csv).", columns=None, options={"markup": False, "emoji": False})
@example(text="[/]", columns=None, options={"markup": True})  # Rich refuses it: both ways
@example(text="[/0]", columns=None, options={"markup": True})
def test_a_line_written_without_rich_is_what_rich_writes(
    text: str, columns: str | None, options: dict[str, bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    import contextlib
    import io

    from snapshot_adapters.cli.common import _LazyConsole
    from snapshot_adapters.cli.terminal import data_console

    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    for name in ("TTY_COMPATIBLE", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    written: list[object] = []
    for console in (_LazyConsole(stderr=True), data_console(stderr=True)):
        with contextlib.redirect_stderr(io.StringIO()) as stream:
            try:
                console.print(text, **options)
            except Exception as refused:  # Rich's own refusal (bad markup) is the same too
                written.append((type(refused), str(refused)))
                continue
        written.append(stream.getvalue())
    assert written[0] == written[1]


def test_a_short_plain_line_is_written_without_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    import contextlib
    import io

    from snapshot_adapters.cli.common import _LazyConsole

    monkeypatch.setenv("COLUMNS", "40")
    console = _LazyConsole(stderr=True)
    with contextlib.redirect_stderr(io.StringIO()) as stream:
        console.print("Stored 1 row (csv).", markup=False, emoji=False)
        assert console._console is None  # no Rich console was made
        console.print("x" * 40)  # as wide as the console: Rich's
        assert console._console is not None
    assert stream.getvalue() == "Stored 1 row (csv).\n" + "x" * 40 + "\n"


def test_read_settings_repr_shows_no_url_and_no_value() -> None:
    read = light_settings.ReadSettings(
        "postgresql+psycopg://app:pw-1234@db/app", "alice", {"openai_api_key": "sk-abc123"}
    )
    assert "pw-1234" not in repr(read) and "sk-abc123" not in repr(read)
