"""sending (issue 18)."""
