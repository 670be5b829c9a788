"""Reading in a second process (``ingest_file(parallel=True)``, files/forked_rows.py) equals
reading in this one: same stored rows, report, bad rows, error, notices and progress calls,
in the same order; and a child that fails or dies is reported, with nothing stored."""

from __future__ import annotations

import errno
import os
import struct
import tempfile
from collections.abc import Callable, Iterator
from multiprocessing import connection, popen_fork
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from snapshot_adapters.files import IngestLimits, api, csv_records, plausibility
from snapshot_adapters.files import rows as rows_module
from snapshot_adapters.files.forked_rows import PARALLEL_MIN_BYTES, ForkedRows
from snapshot_core.domain import SnapshotError

from .conftest import Backend, memory_backend
from .test_plain_rows import ROW, _csv

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX only")


class StartedForks:
    """Every ``ForkedRows`` started, so a test knows the second process really read."""

    def __init__(self) -> None:
        self.count = 0

    def counting(self) -> Any:
        """Patches ``ForkedRows.start`` to count its calls."""
        real = ForkedRows.start

        def start(forked: ForkedRows) -> None:
            self.count += 1
            real(forked)

        return mock.patch.object(ForkedRows, "start", start)


@pytest.fixture
def forks() -> Iterator[StartedForks]:
    """Any file forks (not only those of 4 MiB), whatever the CPUs this machine gives us."""
    started = StartedForks()
    with (
        mock.patch.object(api, "PARALLEL_MIN_BYTES", 0),
        mock.patch.object(api, "can_fork", lambda: True),
        started.counting(),
    ):
        yield started


def _ingest(path: Path, parallel: bool, **options: Any) -> tuple[Any, ...]:
    """Everything a caller sees of one ingest: the outcome, the rows stored, the notices and
    the progress calls, in order."""
    backend = memory_backend()
    heard: list[tuple[str, Any]] = []
    try:
        report = backend.ingest(
            path,
            parallel=parallel,
            notify=lambda text: heard.append(("notice", text)),
            progress=lambda done, total: heard.append(("progress", (done, total))),
            **options,
        )
    except (SnapshotError, OSError) as error:
        store: Any = backend.uow_factory
        return ("error", type(error), str(error), vars(error), heard, dict(store.estimates))
    store = backend.uow_factory
    stored = [
        (r.amount, str(r.amount), r.sent_at, r.decided_at, r.estimate_id, r.outcome)
        for r in store.estimates[report.source_id]
    ]
    return ("ok", report, stored, heard)


def _both_ways(
    path: Path, forks: StartedForks, must_fork: bool = True, **options: Any
) -> tuple[Any, ...]:
    """The outcome read in a second process, checked equal to reading in this one.
    ``must_fork=False`` for a file that may fail before its rows (a binary first chunk)."""
    before = forks.count
    forked = _ingest(path, True, **options)
    assert forks.count == before + 1 or not must_fork, "the second process did not read"
    after = forks.count
    alone = _ingest(path, False, **options)
    assert forks.count == after
    assert forked == alone
    return forked


def _write(tmp: Path, text: str | bytes, name: str = "export.csv") -> Path:
    path = tmp / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


def _after_two_records(action: Callable[[], None]) -> Any:
    """Patches the CSV reader to call ``action`` (in the child, when it reads) after its
    first two items."""
    real = csv_records.CsvRecords.rows

    def rows(self: Any, *args: Any) -> Iterator[Any]:
        for count, item in enumerate(real(self, *args)):
            if count == 2:
                action()
            yield item

    return mock.patch.object(csv_records.CsvRecords, "rows", rows)


def _rows(count: int, *, bad_every: int = 0, duplicate_every: int = 0) -> str:
    lines = ["estimate_id,amount,sent_at,decided_at,notes"]
    for i in range(count):
        ident = f"E-{i - 1}" if duplicate_every and i and i % duplicate_every == 0 else f"E-{i}"
        amount = "x" if bad_every and i % bad_every == bad_every - 1 else f"{i % 997}.{i % 100:02d}"
        day = 1 + i % 28
        decided = f"2026-03-{day:02d}T10:00:00Z" if i % 3 else ""
        lines.append(f"{ident},{amount},2026-02-{day:02d}T09:00:00+02:00,{decided},note {i}")
    return "\n".join(lines) + "\n"


def test_a_clean_file_is_stored_the_same(tmp_path: Path, forks: StartedForks) -> None:
    """Several thousand rows: many batches, plausibility past its warm-up, progress calls."""
    with mock.patch.object(rows_module, "_PROGRESS_EVERY", 500):
        outcome = _both_ways(_write(tmp_path, _rows(5_000)), forks)
    assert outcome[0] == "ok" and outcome[1].stored_rows == 5_000
    assert [kind for kind, _ in outcome[3]].count("progress") >= 5  # relayed, in order
    assert ("notice", "Ignored column (not stored): notes") in outcome[3]


@pytest.mark.parametrize("on_bad_rows", ["reject", "skip"])
def test_bad_and_duplicate_rows_are_reported_the_same(
    tmp_path: Path, forks: StartedForks, on_bad_rows: str
) -> None:
    text = _rows(3_000, bad_every=700, duplicate_every=1_100)
    outcome = _both_ways(_write(tmp_path, text), forks, on_bad_rows=on_bad_rows)
    if on_bad_rows == "reject":
        assert outcome[0] == "error" and outcome[3]["total"] == 6 and outcome[5] == {}
    else:
        assert outcome[0] == "ok" and outcome[1].bad_rows == 6 and outcome[1].stored_rows == 2_994


@pytest.mark.parametrize(
    ("text", "options", "says"),
    [
        ("estimate_id,amount,sent_at\n", {}, "only a header"),
        ("amount,sent_at\nx,2026-01-05\ny,2026-01-06\n", {"on_bad_rows": "skip"}, "all 2 rows"),
        ("amount,sent_at\n1,01/02/2026\n2,03/04/2026\n", {}, "--date-format"),
        (_rows(50), {"limits": IngestLimits(max_rows=10)}, "10"),
        ("amount,sent_at\n5.250,2026-01-05\n", {}, "--decimal"),
        ("amount,sent_at\n1,2061-01-05\n" + "1,2026-01-05\n" * 40, {}, "mistyped year"),
    ],
)
def test_each_file_level_verdict_is_raised_the_same(
    tmp_path: Path, forks: StartedForks, text: str, options: dict[str, Any], says: str
) -> None:
    outcome = _both_ways(_write(tmp_path, text), forks, **options)
    assert outcome[0] == "error" and outcome[5] == {}
    assert says in outcome[2] + str(outcome[3]["problems"])


def test_a_detected_encoding_is_noticed_the_same(tmp_path: Path, forks: StartedForks) -> None:
    text = "amount,sent_at,notes\n" + "".join(f"{i},2026-01-05,Café {i}\n" for i in range(300))
    outcome = _both_ways(_write(tmp_path, text.encode("cp1252")), forks)
    assert outcome[0] == "ok" and any("1252" in str(said) for _, said in outcome[3])


@settings(max_examples=25)
@given(
    rows=st.lists(ROW, max_size=12),
    extra=st.lists(st.integers(0, 11), max_size=2),
    batch=st.integers(1, 5),
    on_bad_rows=st.sampled_from(["skip", "reject"]),
    max_weeks=st.sampled_from([None, 2, 520]),
)
@example(
    rows=[("12.5", "2026-01-05", "", "E-1"), ("5.250", "2026-01-06T10:00Z", "", "E-1")],
    extra=[1], batch=1, on_bad_rows="skip", max_weeks=520,
)  # fmt: skip
def test_any_file_is_read_the_same_in_a_second_process(
    rows: list[tuple[str, str, str, str]], extra: list[int], batch: int,
    on_bad_rows: str, max_weeks: int | None,
) -> None:  # fmt: skip
    started = StartedForks()
    with (
        tempfile.TemporaryDirectory() as tmp,
        mock.patch.object(api, "PARALLEL_MIN_BYTES", 0),
        mock.patch.object(api, "can_fork", lambda: True),
        started.counting(),
        mock.patch.object(csv_records, "BATCH_ROWS", batch),
        mock.patch.object(plausibility, "WARM_UP", 1),
        mock.patch.object(rows_module, "WARM_UP", 1),
    ):
        path = _write(Path(tmp), _csv(rows, extra))
        # A NUL byte in the first chunk is refused with the header, before any fork.
        _both_ways(path, started, False, on_bad_rows=on_bad_rows, max_weeks=max_weeks)


def test_an_error_in_the_child_is_raised_here_and_nothing_is_stored(
    tmp_path: Path, forks: StartedForks
) -> None:
    """What reading raises (here a disk's I/O error after the first batch) is raised by the
    parent, as the same exception, as reading in one process would."""

    def fail() -> None:
        raise OSError(5, "Input/output error")

    with _after_two_records(fail):
        outcome = _both_ways(_write(tmp_path, _rows(3_000)), forks)
    assert outcome[:3] == ("error", OSError, "[Errno 5] Input/output error")
    assert outcome[5] == {}


def test_a_child_that_dies_is_reported_and_nothing_is_stored(
    tmp_path: Path, forks: StartedForks
) -> None:
    """A reader killed from outside (the kernel's out-of-memory killer, say) is an error
    naming its exit status, never a partial source."""
    with _after_two_records(lambda: os._exit(9)):
        backend = memory_backend()
        with pytest.raises(RuntimeError, match=r"stopped unexpectedly \(exit code 9\)"):
            backend.ingest(_write(tmp_path, _rows(3_000)), parallel=True)
    store: Any = backend.uow_factory
    assert store.estimates == {} and forks.count == 1


def test_only_a_large_csv_path_without_rejects_is_read_in_a_second_process(
    tmp_path: Path,
) -> None:
    started = StartedForks()
    small = _write(tmp_path, _rows(10), "small.csv")
    large = _write(tmp_path, _rows(10) + ",9,2026-01-05T00:00Z,,pad\n" * (PARALLEL_MIN_BYTES // 20))
    with (
        mock.patch.object(api, "can_fork", lambda: True),
        started.counting(),
    ):
        backend = memory_backend()
        backend.ingest(small, parallel=True)
        backend.ingest(large, parallel=False)
        backend.ingest(large, parallel=True, rejects=tmp_path / "rejects.csv")
        with large.open("rb") as stream:  # a file object: its size is not known
            backend.ingest(stream, parallel=True, format="csv")
        assert started.count == 0
        report = backend.ingest(large, parallel=True)
        assert started.count == 1 and report.stored_rows == 10 + PARALLEL_MIN_BYTES // 20


def test_a_database_store_gets_the_same_source(
    tmp_path: Path, forks: StartedForks, backend: Backend
) -> None:
    """The store (here SQLite too) is used by this process only, as without a second one."""
    path = _write(tmp_path, _rows(4_000, bad_every=900))
    forked = backend.ingest(path, parallel=True, on_bad_rows="skip")
    alone = backend.ingest(path, parallel=False, on_bad_rows="skip")
    assert forks.count == 1
    assert (forked.stored_rows, forked.bad_rows, forked.problems) == (
        alone.stored_rows, alone.bad_rows, alone.problems,
    )  # fmt: skip
    made = [backend.bucket(report.source_id) for report in (forked, alone)]
    assert made[0].estimate_count == 3_996
    assert made[0].model_dump(exclude={"source_id", "created_at"}) == made[1].model_dump(
        exclude={"source_id", "created_at"}
    )


def test_a_child_killed_in_the_middle_of_a_message_is_reported_the_same(
    tmp_path: Path, forks: StartedForks
) -> None:
    """Killed while a batch is half written (the pipe is often full, so an out-of-memory kill
    lands there): the same error as between two messages, nothing stored."""
    sent = [0]
    real = connection.Connection._send_bytes  # type: ignore[attr-defined]

    def cut(self: Any, buffer: Any) -> None:  # in the child: the third message, half of it
        sent[0] += 1
        if sent[0] == 3:
            self._send(struct.pack("!i", len(buffer)) + bytes(buffer)[: len(buffer) // 2])
            os._exit(9)
        real(self, buffer)

    with mock.patch.object(connection.Connection, "_send_bytes", cut):
        backend = memory_backend()
        with pytest.raises(RuntimeError, match=r"stopped unexpectedly \(exit code 9\)"):
            backend.ingest(_write(tmp_path, _rows(3_000)), parallel=True)
    store: Any = backend.uow_factory
    assert store.estimates == {} and forks.count == 1


def test_a_fork_that_fails_raises_its_own_error(tmp_path: Path, forks: StartedForks) -> None:
    """The system's refusal to fork (no memory) is the error raised, nothing stored."""

    def refused(self: Any, process: Any) -> None:
        raise OSError(errno.ENOMEM, "Cannot allocate memory")

    with mock.patch.object(popen_fork.Popen, "_launch", refused):
        backend = memory_backend()
        with pytest.raises(OSError, match="Cannot allocate memory"):
            backend.ingest(_write(tmp_path, _rows(3_000)), parallel=True)
    store: Any = backend.uow_factory
    assert store.estimates == {} and forks.count == 1


def test_an_error_is_raised_with_what_pickle_keeps_in_c_fields(
    tmp_path: Path, forks: StartedForks
) -> None:
    """A built-in exception keeps some of its state outside ``args`` (a file name here): it
    comes back whole."""

    def missing() -> None:
        raise FileNotFoundError(errno.ENOENT, "No such file or directory", "part-2.csv")

    with _after_two_records(missing):
        outcome = _both_ways(_write(tmp_path, _rows(3_000)), forks)
    assert outcome[:3] == (
        "error",
        FileNotFoundError,
        "[Errno 2] No such file or directory: 'part-2.csv'",
    )
