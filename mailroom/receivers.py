"""receivers (issue 18)."""
