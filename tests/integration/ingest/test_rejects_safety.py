"""The rejects file can never destroy data: refused paths (database, input, existing files),
an atomic write that leaves no partial file on a full disk, and cells that are never formulas."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from snapshot_adapters.files import RejectsPathError, neutralise_cell, restore_cell
from snapshot_core.domain import FileNotWrittenError

from ..cli_runner import run_cli
from ..tmpfs import tmpfs
from .conftest import Backend

USER = "rejects-user"
BAD_CSV = "amount,sent_at\nx,2026-01-05\n5,2026-01-05\n6,2026-01-06\n"


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A working directory whose default database already holds one source."""
    (tmp_path / "bad.csv").write_text(BAD_CSV, encoding="utf-8")
    first = run_cli(tmp_path, "ingest", "bad.csv", "--user", USER, "--on-bad-rows", "skip")
    assert first.returncode == 0, first.stderr
    return tmp_path


def stored_sources(workdir: Path) -> int:
    listed = run_cli(workdir, "sources", "--user", USER, "--json")
    assert listed.returncode == 0, listed.stderr
    return len(json.loads(listed.stdout))


@pytest.mark.parametrize(
    "target", ["snapshot.db", "snapshot.db-wal", "snapshot.db-shm", "bad.csv", "linked.csv"]
)
@pytest.mark.parametrize("force", [False, True])
def test_the_database_its_companions_and_the_input_are_refused_even_with_force(
    workdir: Path, target: str, force: bool
) -> None:
    os.link(workdir / "bad.csv", workdir / "linked.csv")  # the input under another name
    database = (workdir / "snapshot.db").read_bytes()
    args = ["--force"] if force else []
    result = run_cli(
        workdir, "ingest", "bad.csv", "-u", USER, "--on-bad-rows", "skip", "--rejects", target,
        *args,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "--rejects" in result.stderr and result.stdout == ""
    expected = "must not be the input file" if target.endswith(".csv") else "database file"
    assert expected in result.stderr
    assert (workdir / "snapshot.db").read_bytes() == database
    assert (workdir / "bad.csv").read_text(encoding="utf-8") == BAD_CSV
    assert stored_sources(workdir) == 1


def test_an_existing_file_is_replaced_only_with_force(workdir: Path) -> None:
    kept = workdir / "kept.csv"
    kept.write_text("precious\n", encoding="utf-8")
    refused = run_cli(
        workdir, "ingest", "bad.csv", "-u", USER, "--on-bad-rows", "skip", "--rejects", "kept.csv"
    )
    assert refused.returncode == 2 and "already exists (give --force" in refused.stderr
    assert kept.read_text(encoding="utf-8") == "precious\n"
    forced = run_cli(
        workdir, "ingest", "bad.csv", "-u", USER, "--on-bad-rows", "skip",
        "--rejects", "kept.csv", "--force",
    )  # fmt: skip
    assert forced.returncode == 0, forced.stderr
    assert kept.read_text(encoding="utf-8").splitlines()[1].startswith("2,amount,")


def test_a_device_is_refused_even_with_force(workdir: Path) -> None:
    result = run_cli(workdir, "ingest", "bad.csv", "-u", USER, "--rejects", "/dev/null", "--force")
    assert result.returncode == 2 and "is not a regular file" in result.stderr


def test_python_callers_get_the_same_refusals(memory: Backend, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(BAD_CSV, encoding="utf-8")
    os.link(source, tmp_path / "hard.csv")
    with pytest.raises(RejectsPathError, match="must not be the input file"):
        memory.ingest(source, on_bad_rows="skip", rejects=tmp_path / "hard.csv")
    existing = tmp_path / "old.csv"
    existing.write_text("old\n", encoding="utf-8")
    with pytest.raises(RejectsPathError, match="already exists"):
        memory.ingest(source, on_bad_rows="skip", rejects=existing)
    assert existing.read_text(encoding="utf-8") == "old\n"
    assert memory.source_ids() == []
    memory.ingest(source, on_bad_rows="skip", rejects=existing, overwrite_rejects=True)
    assert existing.read_text(encoding="utf-8").startswith("line,column,problem")


def test_a_stream_on_a_full_device_is_a_catalogue_error_and_nothing_is_stored(
    memory: Backend,
) -> None:
    full = open("/dev/full", "w", encoding="utf-8", newline="")  # noqa: SIM115
    try:
        with pytest.raises(FileNotWrittenError) as caught:
            memory.ingest(io.StringIO(BAD_CSV), format="csv", on_bad_rows="skip", rejects=full)
    finally:
        with contextlib.suppress(OSError):  # what is still buffered cannot be written either
            full.close()
    assert caught.value.code == "file_not_written"
    assert "No space left on device" in caught.value.message
    assert memory.source_ids() == []


_FILE_SIZE_LIMITED = textwrap.dedent(
    """
    import resource, signal, sys
    from pathlib import Path
    from snapshot_adapters.fake import FixedClock, SequentialIds
    from snapshot_adapters.files import ingest_file
    from snapshot_adapters.memory import MemoryStore
    from snapshot_core.domain import FileNotWrittenError

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
    store = MemoryStore()
    try:
        ingest_file(sys.argv[1], uow_factory=store, ids=SequentialIds(), clock=FixedClock(),
                    user_id="u", on_bad_rows="skip", rejects=sys.argv[2])
    except FileNotWrittenError as error:
        print(error.code, len(store.sources))
    """
)


def many_bad_rows(path: Path) -> Path:
    rows = "".join(f"bad{i},2026-01-05\n" for i in range(3000))
    path.write_text("amount,sent_at\n" + rows + "5,2026-01-05\n", encoding="utf-8")
    return path


def test_a_write_that_runs_out_of_room_leaves_no_partial_file(tmp_path: Path) -> None:
    # RLIMIT_FSIZE makes the disk "full" at 4 KB for one process, with no privilege needed.
    source = many_bad_rows(tmp_path / "many.csv")
    out = tmp_path / "out"
    out.mkdir()
    result = subprocess.run(
        [sys.executable, "-c", _FILE_SIZE_LIMITED, str(source), str(out / "rejects.csv")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.stdout.split() == ["file_not_written", "0"], result.stderr
    assert list(out.iterdir()) == []


@pytest.fixture
def tiny_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 16 KB tmpfs (needs the privilege to mount; the RLIMIT test covers the rest)."""
    with tmpfs(tmp_path / "tiny", "16k") as mounted:
        if not mounted:
            pytest.skip("cannot mount a tmpfs here (needs root)")
        yield tmp_path / "tiny"


def test_a_full_tmpfs_gives_a_clear_error_no_partial_file_and_nothing_stored(
    workdir: Path, tiny_tmpfs: Path
) -> None:
    many_bad_rows(workdir / "many.csv")
    target = tiny_tmpfs / "rejects.csv"
    result = run_cli(
        workdir, "ingest", "many.csv", "-u", USER, "--on-bad-rows", "skip", "--rejects", str(target)
    )
    assert result.returncode == 1
    assert f"Error: Could not write {target}: No space left on device" in result.stderr
    assert "Code: file_not_written" in result.stderr and "Unexpected" not in result.stderr
    assert list(tiny_tmpfs.iterdir()) == []
    assert stored_sources(workdir) == 1


ATTACKS = ["=cmd|' /C calc'!A0", "@SUM(1+1)", "+1+1", "-2+3", "\tx", "'quoted"]


def test_cells_a_spreadsheet_would_run_are_neutralised_and_recoverable(
    memory: Backend, tmp_path: Path
) -> None:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["amount", "sent_at", "=HYPERLINK(1)"])
    writer.writerows([attack, "2026-01-05", i] for i, attack in enumerate(ATTACKS))
    writer.writerow(["5", "2026-01-05", "ok"])
    source = io.StringIO(text.getvalue())
    rejects = tmp_path / "rejects.csv"
    memory.ingest(source, format="csv", on_bad_rows="skip", rejects=rejects)
    with rejects.open(encoding="utf-8", newline="") as f:
        header, *rows = list(csv.reader(f))
    assert header == ["line", "column", "problem", "amount", "sent_at", "'=HYPERLINK(1)"]
    cells = [row[3] for row in rows]
    assert all(cell.startswith("'") for cell in cells)
    assert [restore_cell(cell) for cell in cells] == ATTACKS
    assert neutralise_cell("\rx") == "'\rx" and neutralise_cell("5") == "5"


def test_a_file_that_appears_at_the_target_while_ingesting_is_not_replaced(
    memory: Backend, tmp_path: Path
) -> None:
    target = tmp_path / "rejects.csv"

    class Racing(io.StringIO):  # another process writes the target once reading has begun
        def read(self, size: int | None = -1) -> str:
            if not target.exists():
                target.write_text("theirs\n", encoding="utf-8")
            return super().read(size)

    source = Racing("amount,sent_at\nx,2026-01-05\n5,2026-01-05\n")
    with pytest.raises(FileNotWrittenError, match="a file appeared there meanwhile"):
        memory.ingest(source, format="csv", on_bad_rows="skip", rejects=target)
    assert target.read_text(encoding="utf-8") == "theirs\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rejects.csv"]
    assert memory.source_ids() == []
