"""`snapshot ingest` with a contractor's own export: --map, --decimal-comma, --date-format,
--outcome-map; ambiguity exits 1 naming the option, a bad option value exits 2."""

from __future__ import annotations

import json
from pathlib import Path

from ..cli_runner import run_cli

USER = "cli-mapping"


def test_a_european_export_is_ingested_with_options_and_bucketed(tmp_path: Path) -> None:
    export = tmp_path / "angebote.csv"
    export.write_text(
        "Nr.;Kunde;Betrag;Gesendet;Entschieden;Zustand\n"
        "A-1;Müller;5.250;05.01.2026;09.01.2026;Angenommen\n"
        "A-2;Schmidt;120,50;06.01.2026;;Offen\n",
        encoding="utf-8",
    )
    args = [
        "ingest", str(export), "--user", USER, "--json",
        "--map", 'amount="Betrag"', "--map", "sent_at=Gesendet", "--map", "decided_at=Entschieden",
        "--map", "estimate_id=Nr.", "--map", "outcome=Zustand",
        "--outcome-map", "Angenommen=won", "--outcome-map", "Offen=pending",
        "--date-format", "%d.%m.%Y", "--decimal-comma",
    ]  # fmt: skip
    result = run_cli(tmp_path, *args)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["stored_rows"], report["bad_rows"]) == (2, 0)
    bucketed = run_cli(tmp_path, "bucket", report["source_id"], "--user", USER)
    assert bucketed.returncode == 0, bucketed.stderr


def test_an_undecided_amount_exits_1_naming_the_options(tmp_path: Path) -> None:
    export = tmp_path / "plain.csv"
    export.write_text("Total;Date Sent\n5.250;2026-01-05\n", encoding="utf-8")
    result = run_cli(tmp_path, "ingest", str(export), "--user", USER)
    assert result.returncode == 1 and result.stdout == ""
    assert "line 2: amount: '5.250' is 5.250 with a decimal point" in result.stderr
    assert "--decimal-comma" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_option_value_is_a_usage_error(tmp_path: Path) -> None:
    export = tmp_path / "plain.csv"
    export.write_text("amount,sent_at\n1,2026-01-05\n", encoding="utf-8")
    result = run_cli(tmp_path, "ingest", str(export), "--user", USER, "--timezone", "Mars/Base")
    assert result.returncode == 2 and "unknown time zone" in result.stderr
    result = run_cli(tmp_path, "ingest", str(export), "--user", USER, "--map", "amount")
    assert result.returncode == 2 and "KEY=VALUE" in result.stderr
