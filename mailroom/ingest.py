"""ingest (issue 18)."""
