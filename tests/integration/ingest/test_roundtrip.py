"""Valid estimates written by a plain CSV or JSON writer, in every accepted spelling, are read
back exactly: the same amounts, the same instants (in UTC), the same ids, in order."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import example, given
from hypothesis import strategies as st

from snapshot_adapters.memory import MemoryStore

from .conftest import memory_backend
from .planted import csv_field

OFFSETS = st.sampled_from([0, 330, -480, 840, -720, 60, -210]).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
# A NUL byte marks a binary file; lone surrogates cannot be written as UTF-8 at all.
TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30
)
# One `.` or `,` then exactly three digits after one to three: its reading depends on the
# file's decimal convention (test_locales covers that); this test spells amounts without it.
LOCALE_DEPENDENT = re.compile(r"(?<![0-9.,])[1-9][0-9]{0,2}[.,][0-9]{3}(?![0-9.,])")
EDGES = ["0", "0.01", "499.99", "500", "999.99", "1000", "2499.99", "2500", "9999.99", "10000"]


@st.composite
def amounts(draw: st.DrawFn) -> tuple[Decimal, str]:
    """A value and one accepted spelling of it."""
    if draw(st.booleans()):
        value = Decimal(draw(st.sampled_from(EDGES)))
    else:
        places = draw(st.integers(0, 4))
        value = draw(st.decimals(0, 10**12, places=places, allow_nan=False))
    plain = format(value, "f")
    whole, dot, fraction = plain.partition(".")
    spelled = draw(
        st.sampled_from(
            [
                plain,
                f"{int(whole):,}{dot}{fraction}",
                f"${int(whole):,}{dot}{fraction}",
                f"€ {plain}",
                f"£{plain}",
                f" {plain} ",
            ]
        )
    )
    if LOCALE_DEPENDENT.search(spelled):  # `5.250`, `1,000`: read only with a convention
        spelled = spelled.strip() + ("0" if dot else ".00")
    return value, spelled


@st.composite
def moments(draw: st.DrawFn, after: datetime | None = None) -> tuple[datetime, str]:
    """A UTC instant and one accepted ISO 8601 spelling of it."""
    if after is None:
        naive = draw(st.datetimes(datetime(1990, 1, 1), datetime(2040, 12, 31)))
        moment = naive.replace(tzinfo=UTC)
        moment = moment.replace(microsecond=draw(st.sampled_from([0, moment.microsecond])))
    else:  # never before ``after``
        moment = after + timedelta(seconds=draw(st.integers(0, 400 * 86_400)))
    style = draw(st.integers(0, 4))
    if style == 0 and moment == moment.replace(hour=0, minute=0, second=0, microsecond=0):
        return moment, moment.date().isoformat()
    if style == 1:
        return moment, moment.replace(tzinfo=None).isoformat(sep=draw(st.sampled_from("T ")))
    if style == 2:
        return moment, moment.replace(tzinfo=None).isoformat() + "Z"
    local = moment.astimezone(draw(OFFSETS))
    return moment, local.isoformat(sep=draw(st.sampled_from("T ")))


@st.composite
def estimates(draw: st.DrawFn) -> list[tuple[Decimal, datetime, datetime | None, str | None, dict]]:
    rows = []
    for index in range(draw(st.integers(1, 15))):
        value, amount_text = draw(amounts())
        sent, sent_text = draw(moments())
        decided, decided_text = draw(st.one_of(st.just((None, "")), moments(after=sent)))
        ident = draw(st.one_of(st.none(), TEXT.map(str.strip)))
        ident = f"{index}:{ident}" if ident else None
        texts = {
            "amount": amount_text,
            "sent_at": sent_text,
            "decided_at": decided_text,
            "estimate_id": ident or "",
            "notes": draw(TEXT),
        }
        rows.append((value, sent, decided, ident, texts))
    return rows


def stored(store: MemoryStore, source_id: str) -> list[tuple]:
    rows = store.estimates[source_id]
    assert all(r.sent_at.tzinfo is UTC for r in rows)
    return [(r.amount, r.sent_at, r.decided_at, r.estimate_id) for r in rows]


@given(estimates(), st.sampled_from(["\n", "\r\n"]), st.booleans(), st.permutations(range(5)))
@example(
    [(Decimal("1000"), datetime(2026, 1, 4, 23, 30, tzinfo=UTC), None, None,
      {"amount": "$1,000.00", "sent_at": "2026-01-05T01:30:00+02:00", "decided_at": "",
       "estimate_id": "", "notes": "a\nb, \"c\""})],
    "\r\n", True, [4, 0, 1, 2, 3],
)  # fmt: skip
def test_csv_written_by_a_plain_writer_is_read_back_exactly(
    rows: list, newline: str, bom: bool, order: list[int]
) -> None:
    columns = [["amount", "sent_at", "decided_at", "estimate_id", "notes"][i] for i in order]
    # RFC 4180 quoting (csv.writer would leave a bare CR unquoted when lines end in LF).
    lines = [",".join(columns)]
    lines += [",".join(csv_field(texts[c]) for c in columns) for *_, texts in rows]
    data = ("\ufeff" if bom else "") + newline.join(lines) + newline
    backend = memory_backend()
    # Dates span 1990-2040 here, on purpose: the plausibility rule (test_plausibility) is off.
    report = backend.ingest(io.BytesIO(data.encode()), format="csv", max_weeks=None)
    assert report.ignored_columns == ("notes",)
    expected = [(value, sent, decided, ident) for value, sent, decided, ident, _ in rows]
    assert stored(backend.uow_factory, report.source_id) == expected


@given(estimates(), st.booleans())
@example(
    [(Decimal("0"), datetime(2000, 1, 1, 0, 0, 0, 1, tzinfo=UTC),
      datetime(2000, 1, 1, 0, 0, 0, 1, tzinfo=UTC), None,
      {"amount": "0", "sent_at": "2000-01-01T00:00:00.000001", "decided_at":
       "2000-01-01T00:00:00.000001+00:00", "estimate_id": "", "notes": ""})],
    False,
)  # fmt: skip
def test_json_lines_written_by_a_plain_writer_are_read_back_exactly(
    rows: list, numbers_as_text: bool
) -> None:
    lines = []
    for value, _, _, _, texts in rows:
        amount = json.dumps(texts["amount"]) if numbers_as_text else format(value, "f")
        fields = [f'"amount": {amount}', f'"sent_at": {json.dumps(texts["sent_at"])}']
        if texts["decided_at"]:
            fields.append(f'"decided_at": {json.dumps(texts["decided_at"])}')
        if texts["estimate_id"]:
            fields.append(f'"estimate_id": {json.dumps(texts["estimate_id"])}')
        fields.append(f'"notes": {json.dumps(texts["notes"])}')
        lines.append("{" + ", ".join(fields) + "}\n\n")
    backend = memory_backend()
    report = backend.ingest(io.BytesIO("".join(lines).encode()), format="jsonl", max_weeks=None)
    expected = [(value, sent, decided, ident) for value, sent, decided, ident, _ in rows]
    assert stored(backend.uow_factory, report.source_id) == expected
