"""suppression (issue 18)."""
