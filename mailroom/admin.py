"""admin (issue 18)."""
