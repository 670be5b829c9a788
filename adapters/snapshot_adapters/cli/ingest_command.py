"""`snapshot ingest` (placeholder until the ingestion issue lands)."""
