"""What a user writes in 30 lines with no validation: csv + fromisoformat + one executemany
+ GROUP BY. The yardstick for `snapshot ingest` + `snapshot bucket` (bench_ingest.py).

    python benchmarks/naive_ingest.py estimates.csv naive.db
"""

import csv
import sqlite3
import sys
from datetime import UTC, datetime


def main(path: str, database: str) -> None:
    db = sqlite3.connect(database)
    db.execute("CREATE TABLE IF NOT EXISTS estimates (id, amount REAL, sent_at, decided_at, week)")
    rows = []
    with open(path, newline="", encoding="utf-8") as export:
        for row in csv.DictReader(export):
            sent = datetime.fromisoformat(row["sent_at"])
            sent = (sent if sent.tzinfo else sent.replace(tzinfo=UTC)).astimezone(UTC)
            year, week, _ = sent.isocalendar()
            decided = row["decided_at"] or None
            rows.append((row["estimate_id"], float(row["amount"]), sent.isoformat(), decided,
                         f"{year}-W{week:02d}"))  # fmt: skip
    db.executemany("INSERT INTO estimates VALUES (?, ?, ?, ?, ?)", rows)
    db.commit()
    weeks = db.execute("SELECT week, count(*) FROM estimates GROUP BY week").fetchall()
    bands = db.execute(
        "SELECT CASE WHEN amount < 1000 THEN 'low' WHEN amount < 10000 THEN 'mid' ELSE 'high'"
        " END, count(*) FROM estimates GROUP BY 1"
    ).fetchall()
    print(f"{len(rows)} rows, {len(weeks)} weeks, {len(bands)} bands")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
