"""tasks (issue 18)."""
