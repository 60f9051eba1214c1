"""assignment (issue 18)."""
